"""The audits pages as people use them: checklist rows saved inline (htmx), the locked
audit in the UI, tenancy (404), permissions (403), forms, and query counts with 1 and N
rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audits.choices import ActionStatus, AuditStatus, CheckResult, FindingSeverity
from audits.models import AuditCheck, Finding, RemediationAction
from audits.services import action_create, audit_transition, check_record, finding_create
from compliance.choices import Role
from compliance.models import AuditEvent
from tests.helpers import fr, logged_in, page_text

pytestmark = pytest.mark.django_db


def close(audit, actor):
    for status in (AuditStatus.FIELDWORK, AuditStatus.REPORTING, AuditStatus.CLOSED):
        audit = audit_transition(actor=actor, audit=audit, status=status)
    return audit


def save_url(audit: Any, check: Any) -> str:
    return reverse("audits:check_save", args=[audit.organisation.slug, audit.pk, check.pk])


def autosave(client: Client, audit: Any, check: Any, **fields: Any) -> Any:
    """What htmx posts when a checklist row changes."""
    data = {f"c{check.pk}-{key}": value for key, value in fields.items()}
    return client.post(save_url(audit, check), data, headers={"HX-Request": "true"})


def swapped_row(response: Any, check: Any) -> str:
    """The row htmx swaps in (the page around it is not sent again)."""
    text = page_text(response)
    assert "<html" not in text
    assert text.count("<form ") == 1
    assert f'id="check-{check.pk}"' in text
    return text


class TestChecklist:
    def test_the_checklist_shows_every_check_with_its_progress(
        self, lead_client, annex_a_audit, lead
    ):
        check_record(actor=lead, check=annex_a_audit.checks.first(), result=CheckResult.CONFORME)
        response = lead_client.get(
            reverse("audits:checklist", args=[annex_a_audit.organisation.slug, annex_a_audit.pk])
        )
        text = page_text(response)
        assert text.count('class="status-row check-row autosave"') == 93
        assert "1/93" in text
        assert fr("Major nonconformity") in text
        assert "Major nonconformity" in text  # the English label beside the French one

    def test_an_autosaved_result_is_stored_and_raises_a_finding(self, lead_client, annex_a_audit):
        check = annex_a_audit.checks.get(requirement__ref_id="A.8.13")
        response = autosave(
            lead_client, annex_a_audit, check, result=CheckResult.NC_MAJEURE, notes="Aucun test"
        )
        assert response.status_code == 200
        check.refresh_from_db()
        assert (check.result, check.notes) == (CheckResult.NC_MAJEURE, "Aucun test")
        finding = Finding.objects.get(audit_check=check)
        assert finding.severity == FindingSeverity.MAJOR
        # The row comes back from the server: saved, with its new finding's link.
        row = swapped_row(response, check)
        assert '<span class="save-state ok">Enregistré</span>' in row
        assert 'value="non_conformite_majeure" checked' in row
        assert "Aucun test</textarea>" in row
        assert f">{finding.reference}</a>" in row

    def test_an_autosaved_result_moves_the_progress_bar_out_of_band(
        self, lead_client, annex_a_audit
    ):
        checks = list(annex_a_audit.checks.order_by("pk")[:2])
        autosave(lead_client, annex_a_audit, checks[0], result=CheckResult.CONFORME)
        text = page_text(autosave(lead_client, annex_a_audit, checks[1], result="observation"))
        progress = text[text.index('id="checklist-progress"') :]
        assert 'hx-swap-oob="true"' in progress
        assert "2/93" in progress
        assert '<progress id="progress-bar" max="93" value="2">' in progress

    def test_a_bad_result_is_refused_with_a_message_for_the_row(self, lead_client, annex_a_audit):
        check = annex_a_audit.checks.first()
        response = autosave(lead_client, annex_a_audit, check, result="parfait", notes="Vu")
        assert response.status_code == 400
        row = swapped_row(response, check)
        refusal = fr("Select a valid choice. %(value)s is not one of the available choices.")
        assert f"Non enregistré : {refusal % {'value': 'parfait'}}" in row
        assert "Vu</textarea>" in row  # what was typed is still there
        assert 'aria-invalid="true"' in row
        check.refresh_from_db()
        assert (check.result, check.notes) == (CheckResult.NON_EVALUE, "")

    def test_filters_by_theme_and_by_what_is_left_to_assess(self, lead_client, annex_a_audit, lead):
        check_record(
            actor=lead,
            check=annex_a_audit.checks.get(requirement__ref_id="A.6.1"),
            result=CheckResult.CONFORME,
        )
        url = reverse("audits:checklist", args=[annex_a_audit.organisation.slug, annex_a_audit.pk])
        text = page_text(lead_client.get(url, {"theme": "people", "result": "todo"}))
        assert text.count("check-row autosave") == 7
        assert ">A.6.2<" in text and ">A.6.1<" not in text

    def test_without_javascript_the_row_saves_and_comes_back_to_the_checklist(
        self, lead_client, annex_a_audit
    ):
        check = annex_a_audit.checks.first()
        base = reverse("audits:checklist", args=[annex_a_audit.organisation.slug, annex_a_audit.pk])
        response = lead_client.post(
            save_url(annex_a_audit, check),
            {f"c{check.pk}-result": "conforme", "next": "https://evil.example/"},
        )
        assert response.status_code == 302
        assert response["Location"] == f"{base}#check-{check.pk}"

    @pytest.mark.parametrize("rows", [1, 93])
    def test_the_checklist_runs_a_fixed_number_of_queries(
        self, lead_client, make_audit, lead, requirement, django_assert_num_queries, rows
    ):
        if rows == 1:
            audit = make_audit(themes=[], requirements=[requirement("iso27001-2022", "A.5.1")])
        else:
            audit = make_audit()
        assert audit.checks.count() == rows
        for check in audit.checks.all()[:5]:
            check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
        url = reverse("audits:checklist", args=[audit.organisation.slug, audit.pk])
        lead_client.get(url)
        # session, user, two-factor devices (2), two-factor role check, membership, audit,
        # checks (with requirement, theme, finding and evidence count), navigation
        with django_assert_num_queries(9):
            response = lead_client.get(url)
        assert response.status_code == 200

    @pytest.mark.parametrize("rows", [1, 93])
    def test_a_row_save_runs_a_fixed_number_of_queries(
        self, lead_client, make_audit, lead, requirement, django_assert_num_queries, rows
    ):
        if rows == 1:
            audit = make_audit(themes=[], requirements=[requirement("iso27001-2022", "A.5.1")])
        else:
            audit = make_audit()
        first, *others = audit.checks.order_by("pk")
        for check in others[:5]:
            check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
        lead_client.get(reverse("audits:checklist", args=[audit.organisation.slug, audit.pk]))
        # 1. the session, 2. the user, 3-4. two-factor devices, 5. two-factor role check,
        # 6. the membership, 7. the check with its audit and requirement; the save, in one
        # transaction: 8. savepoint, 9. the audit locked, 10. the check locked, 11. its
        # update, 12-15. its audit event (organisation, chain head, insert, head update),
        # 16. its finding (none: conforme raises none), 17. savepoint released; the
        # answer: 18. the check read back as the checklist reads it, 19. the progress.
        with django_assert_num_queries(19):
            response = autosave(lead_client, audit, first, result="conforme", notes="Vu")
        assert response.status_code == 200
        assert f"{1 + len(others[:5])}/{rows}" in swapped_row(response, first)


class TestLockedAuditInTheBrowser:
    @pytest.fixture
    def closed(self, annex_a_audit, lead):
        return close(annex_a_audit, lead)

    def test_the_checklist_says_why_nothing_can_be_changed(self, lead_client, closed):
        text = page_text(
            lead_client.get(reverse("audits:checklist", args=[closed.organisation.slug, closed.pk]))
        )
        assert fr("Closed audit") in text
        assert "check-row autosave" not in text
        assert "disabled" in text

    def test_a_save_on_a_closed_audit_is_a_409_with_the_reason(self, lead_client, closed):
        check = closed.checks.first()
        response = autosave(lead_client, closed, check, result=CheckResult.NC_MAJEURE, notes="")
        assert response.status_code == 409
        row = swapped_row(response, check)
        assert "Non enregistré" in row
        assert closed.title in row
        assert '<fieldset class="req-fields" disabled>' in row  # nothing more to change
        assert "hx-post" not in row
        check.refresh_from_db()
        assert check.result == CheckResult.NON_EVALUE

    def test_editing_a_closed_audit_is_refused_with_the_reason(self, lead_client, closed):
        url = reverse("audits:audit_edit", args=[closed.organisation.slug, closed.pk])
        response = lead_client.post(url, {"title": "Nouveau titre"})
        assert response.status_code == 409
        closed.refresh_from_db()
        assert closed.title != "Nouveau titre"


class TestAuditPages:
    def test_a_lead_auditor_plans_an_audit_from_the_form(
        self, lead_client, lead, org_a, annex_a_themes
    ):
        physical = next(t for t in annex_a_themes if t.code == "physical")
        response = lead_client.post(
            reverse("audits:audit_create", args=[org_a.slug]),
            {
                "title": "Audit physique",
                "kind": "internal",
                "themes": [physical.pk],
                "requirements": "A.5.1, nis2:21.2.b",
                "lead_auditor": lead.pk,
            },
        )
        assert response.status_code == 302
        audit = org_a.audits.get(title="Audit physique")
        assert audit.checks.count() == 14 + 2

    def test_an_unknown_requirement_is_shown_next_to_the_field_and_nothing_is_lost(
        self, lead_client, org_a
    ):
        response = lead_client.post(
            reverse("audits:audit_create", args=[org_a.slug]),
            {"title": "Garde", "kind": "flash", "requirements": "A.99.1"},
        )
        assert response.status_code == 200
        text = page_text(response)
        assert "A.99.1" in text
        assert 'value="Garde"' in text
        assert not org_a.audits.exists()

    def test_closing_asks_for_confirmation_first(self, lead_client, annex_a_audit, lead):
        audit = audit_transition(actor=lead, audit=annex_a_audit, status=AuditStatus.FIELDWORK)
        audit = audit_transition(actor=lead, audit=audit, status=AuditStatus.REPORTING)
        url = reverse("audits:audit_transition", args=[audit.organisation.slug, audit.pk])
        response = lead_client.post(url, {"status": "closed"})
        assert response.status_code == 200
        audit.refresh_from_db()
        assert audit.status == AuditStatus.REPORTING
        lead_client.post(url, {"status": "closed", "confirm": "1"})
        audit.refresh_from_db()
        assert audit.status == AuditStatus.CLOSED

    def test_a_viewer_sees_audits_but_cannot_plan_or_record(
        self, annex_a_audit, member_client, org_a
    ):
        assert member_client.get(reverse("audits:audit_list", args=[org_a.slug])).status_code == 200
        assert (
            member_client.get(reverse("audits:audit_create", args=[org_a.slug])).status_code == 403
        )
        check = annex_a_audit.checks.first()
        assert autosave(member_client, annex_a_audit, check, result="conforme").status_code == 403
        assert member_client.get(reverse("audits:plan", args=[org_a.slug])).status_code == 200
        finding = finding_create(
            actor=annex_a_audit.lead_auditor, organisation=org_a, title="x", severity="minor"
        )
        assert (
            member_client.get(
                reverse("audits:action_create", args=[org_a.slug, finding.pk])
            ).status_code
            == 403
        )

    def test_an_auditor_records_checks_but_cannot_close_the_audit(
        self, annex_a_audit, member_with_role, org_a
    ):
        client = logged_in(member_with_role(Role.AUDITOR))
        check = annex_a_audit.checks.first()
        assert (
            autosave(client, annex_a_audit, check, result="conforme", notes="").status_code == 200
        )
        url = reverse("audits:audit_transition", args=[org_a.slug, annex_a_audit.pk])
        assert client.post(url, {"status": "fieldwork"}).status_code == 403


class TestTenancy:
    def test_another_organisations_audit_is_a_404_everywhere(
        self, outsider_client, annex_a_audit, lead
    ):
        slug = annex_a_audit.organisation.slug
        check = annex_a_audit.checks.first()
        check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
        finding = Finding.objects.get()
        action = action_create(
            actor=lead, finding=finding, title="x", due_date=datetime.date(2030, 1, 1)
        )
        for url in [
            reverse("audits:audit_list", args=[slug]),
            reverse("audits:audit_detail", args=[slug, annex_a_audit.pk]),
            reverse("audits:checklist", args=[slug, annex_a_audit.pk]),
            reverse("audits:finding_detail", args=[slug, finding.pk]),
            reverse("audits:plan", args=[slug]),
            reverse("audits:action_edit", args=[slug, action.pk]),
        ]:
            assert outsider_client.get(url).status_code == 404, url
        assert autosave(outsider_client, annex_a_audit, check, result="conforme").status_code == 404

    def test_an_object_id_of_another_organisation_under_ones_own_slug_is_a_404(
        self, outsider_client, outsider, org_b, annex_a_audit
    ):
        for url in [
            reverse("audits:audit_detail", args=[org_b.slug, annex_a_audit.pk]),
            reverse("audits:checklist", args=[org_b.slug, annex_a_audit.pk]),
            reverse(
                "audits:check_detail",
                args=[org_b.slug, annex_a_audit.pk, annex_a_audit.checks.first().pk],
            ),
        ]:
            assert outsider_client.get(url).status_code == 404, url


class TestFindingsAndPlan:
    @pytest.fixture
    def finding(self, org_a, owner):
        return finding_create(
            actor=owner,
            organisation=org_a,
            title="Sauvegardes non testées",
            severity=FindingSeverity.MAJOR,
            root_cause="Pas de responsable",
        )

    def test_the_register_lists_findings_across_audits_and_outside_them(
        self, owner_client, org_a, finding, annex_a_audit, lead
    ):
        check_record(actor=lead, check=annex_a_audit.checks.first(), result=CheckResult.OBSERVATION)
        text = page_text(owner_client.get(reverse("audits:finding_list", args=[org_a.slug])))
        assert "Sauvegardes non testées" in text
        assert "A.5.1 " in text
        assert "Pas de responsable" in text

    def test_an_action_with_another_priority_and_no_reason_keeps_the_form(
        self, owner_client, org_a, finding
    ):
        url = reverse("audits:action_create", args=[org_a.slug, finding.pk])
        response = owner_client.post(
            url,
            {
                "title": "Tester",
                "due_date": "2030-01-31",
                "priority": "low",
                "priority_override_reason": "",
            },
        )
        assert response.status_code == 200
        text = page_text(response)
        assert 'value="Tester"' in text
        assert fr("Reason for another priority") in text
        assert not RemediationAction.objects.exists()

    def test_the_owner_is_told_another_person_must_verify(
        self, org_a, finding, owner, owner_client, evidence_item
    ):
        action = action_create(
            actor=owner,
            finding=finding,
            title="Tester",
            due_date=datetime.date(2030, 1, 1),
            owner=owner,
        )
        from audits.services import action_update

        action_update(actor=owner, action=action, status=ActionStatus.DONE)
        url = reverse("audits:action_verify", args=[org_a.slug, action.pk])
        response = owner_client.post(url, {"evidence": evidence_item.pk, "notes": ""})
        assert response.status_code == 200
        action.refresh_from_db()
        assert action.status == ActionStatus.DONE
        assert fr(
            "The owner of an action cannot verify it: another person must check the work."
        ) in page_text(response)

    @pytest.mark.parametrize("count", [1, 1000])
    def test_the_plan_runs_a_fixed_number_of_queries(
        self, owner_client, org_a, finding, owner, count, django_assert_num_queries
    ):
        today = datetime.date.today()
        RemediationAction.objects.bulk_create(
            RemediationAction(
                organisation=org_a,
                finding=finding,
                title=f"Action {i}",
                owner=owner,
                priority="high",
                due_date=today + datetime.timedelta(days=i - 20),
                status=["open", "in_progress", "done"][i % 3],
            )
            for i in range(count)
        )
        url = reverse("audits:plan", args=[org_a.slug])
        owner_client.get(url)
        # session, user, two-factor devices (2), two-factor role check, membership,
        # counts, overdue, due soon, page count, page rows, burn-down values, members
        # (owner filter), frameworks (framework filter), navigation
        with django_assert_num_queries(15):
            response = owner_client.get(url, {"owner": str(owner.pk)})
        assert response.status_code == 200
        assert page_text(response).count('<td><a href="/o/') >= min(count, 1)

    def test_the_plan_shows_overdue_and_due_soon_actions_and_a_chart_with_its_table(
        self, owner_client, org_a, finding, owner
    ):
        today = datetime.date.today()
        action_create(
            actor=owner,
            finding=finding,
            title="En retard",
            due_date=today - datetime.timedelta(days=3),
        )
        action_create(
            actor=owner,
            finding=finding,
            title="Bientôt",
            due_date=today + datetime.timedelta(days=10),
        )
        action_create(
            actor=owner,
            finding=finding,
            title="Plus tard",
            due_date=today + datetime.timedelta(days=90),
        )
        text = page_text(owner_client.get(reverse("audits:plan", args=[org_a.slug])))
        overdue_section = (
            text.split(fr("Nothing due in the coming days."))[0]
            if fr("Nothing due in the coming days.") in text
            else text
        )
        assert "En retard" in overdue_section
        assert '<svg viewBox="0 0 640 220" role="img"' in text
        assert fr("Values as a table") in text
        assert "3 " + fr("days late").split()[-1] in text or "3" in text

    def test_the_plan_filters_by_owner(self, owner_client, org_a, finding, owner, member):
        due = datetime.date(2030, 1, 1)
        action_create(
            actor=owner, finding=finding, title="Celle du gérant", due_date=due, owner=owner
        )
        action_create(
            actor=owner, finding=finding, title="Celle du lecteur", due_date=due, owner=member
        )
        text = page_text(
            owner_client.get(reverse("audits:plan", args=[org_a.slug]), {"owner": str(member.pk)})
        )
        assert "Celle du lecteur" in text
        assert "Celle du gérant" not in text


def test_every_change_made_in_the_browser_is_in_the_audit_trail(lead_client, annex_a_audit):
    check = annex_a_audit.checks.first()
    autosave(lead_client, annex_a_audit, check, result=CheckResult.NC_MINEURE, notes="x")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"audits.audit_create", "audits.check_record", "audits.finding_create"} <= actions


def test_an_unsaved_check_is_not_assessed(annex_a_audit):
    assert set(AuditCheck.objects.values_list("result", flat=True)) == {CheckResult.NON_EVALUE}


class TestCheckAndFindingPages:
    def test_evidence_is_attached_to_a_check_from_its_page(
        self, lead_client, annex_a_audit, evidence_item
    ):
        check = annex_a_audit.checks.first()
        url = reverse(
            "audits:check_detail",
            args=[annex_a_audit.organisation.slug, annex_a_audit.pk, check.pk],
        )
        response = lead_client.post(
            url, {"result": "conforme", "notes": "Vu la politique", "evidence": [evidence_item.pk]}
        )
        assert response.status_code == 302
        assert list(check.evidence.all()) == [evidence_item]
        assert "Politique de sécurité" in page_text(lead_client.get(url))

    def test_a_closed_audits_check_and_finding_pages_refuse_with_409(
        self, lead_client, annex_a_audit, lead
    ):
        check = annex_a_audit.checks.first()
        check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
        audit = close(annex_a_audit, lead)
        slug = audit.organisation.slug
        response = lead_client.post(
            reverse("audits:check_detail", args=[slug, audit.pk, check.pk]),
            {"result": "conforme", "notes": ""},
        )
        assert response.status_code == 409
        assert audit.title in page_text(response)
        finding = Finding.objects.get()
        response = lead_client.post(
            reverse("audits:finding_detail", args=[slug, finding.pk]),
            {"title": "Autre", "severity": "minor", "root_cause": "x"},
        )
        assert response.status_code == 409
        finding.refresh_from_db()
        assert finding.title != "Autre"


def test_a_checks_page_lists_the_evidence_kept_for_its_requirement(
    lead_client, annex_a_audit, org_a
):
    from evidence.models import Evidence

    check = annex_a_audit.checks.select_related("requirement").get(requirement__ref_id="A.5.1")
    current = Evidence.objects.create(organisation=org_a, title="Politique SSI 2026")
    old = Evidence.objects.create(
        organisation=org_a, title="Politique SSI 2019", expires_on=datetime.date(2020, 1, 1)
    )
    current.requirements.add(check.requirement)
    old.requirements.add(check.requirement)
    url = reverse("audits:check_detail", args=[org_a.slug, annex_a_audit.pk, check.pk])
    text = page_text(lead_client.get(url))
    section = text.split(fr("Evidence kept for this requirement"))[1].split("</section>")[0]
    assert "Politique SSI 2026" in section
    assert "Politique SSI 2019 <span" in section
    assert section.count(fr("expired or compromised: does not count")) == 1
