"""The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d): deciding the 93 Annex A
controls, issuing numbered immutable versions, the page each role sees, the exports an
auditor receives, and the implementation score."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from compliance.choices import Role
from compliance.models import AuditEvent, Organisation, User
from compliance.services.audit_trail import Actor
from controls.models import Applicability, ControlStatus, Framework, Requirement, SoaVersion
from controls.selectors import ScopedRows, compliance_scores, soa_lines
from controls.services.soa import (
    LineChange,
    lines_sha256,
    soa_current_lines,
    soa_diff,
    soa_issue,
)
from controls.services.statuses import requirement_status_update, soa_bulk_update
from tests.helpers import page_text

Find = Callable[[str, str], Requirement]
ISO = "iso27001-2022"
THEMES = ("organizational", "people", "physical", "technological")
EXCLUSION_NEEDS_A_REASON = "Une mesure exclue doit avoir une justification de son exclusion."

pytestmark = pytest.mark.usefixtures("catalogues", "db")


# --- Helpers --------------------------------------------------------------------------


def controls(iso: Framework, theme: str | None = None) -> list[Requirement]:
    requirements = Requirement.objects.soa_controls().filter(framework=iso).order_by("order")
    if theme:
        requirements = requirements.filter(theme__code=theme)
    return list(requirements)


def decide_every_control(iso: Framework, organisation: Organisation, actor: Actor) -> None:
    """What a manager does with the bulk form: every theme applicable, with a reason."""
    for theme in THEMES:
        soa_bulk_update(
            actor=actor,
            organisation=organisation,
            requirements=controls(iso, theme),
            applicable=True,
            inclusion_justification=f"Retenue par l'appréciation des risques ({theme}).",
        )


def scoped(organisation: Organisation) -> ScopedRows:
    return ScopedRows(
        Applicability.objects.filter(organisation=organisation),
        ControlStatus.objects.filter(organisation=organisation),
    )


def current_lines(iso: Framework, organisation: Organisation) -> list[dict[str, Any]]:
    return soa_current_lines(iso, scoped(organisation))


def issue(iso: Framework, organisation: Organisation, actor: Actor) -> SoaVersion:
    return soa_issue(
        actor=actor,
        organisation=organisation,
        framework=iso,
        lines=current_lines(iso, organisation),
    )


def line_of(organisation: Organisation, control: Requirement) -> Applicability:
    return Applicability.objects.get(organisation=organisation, requirement=control)


def soa_url(organisation: Organisation) -> str:
    return reverse("soa", args=[organisation.slug])


def save_url(organisation: Organisation, requirement: Requirement) -> str:
    return reverse("requirement_save", args=[organisation.slug, requirement.pk])


def row_post(requirement: Requirement, **fields: str) -> dict[str, str]:
    """The fields one row of the SoA page posts, under its prefix."""
    values = {"status": "not_started", "notes": "", "owner": ""}
    if requirement.kind == "control":
        values |= {"applicable": "", "inclusion_justification": "", "exclusion_justification": ""}
    values |= fields
    return {f"r{requirement.pk}-{name}": value for name, value in values.items()}


def score_shown(page: str) -> str:
    """The overall score, the first figure of the page's score strip."""
    match = re.search(r'<span class="score"[^>]*>([^<]*)</span>', page)
    assert match, "no score on the page"
    return match.group(1).strip()


@pytest.fixture
def decided(iso: Framework, org_a: Organisation, owner: User) -> None:
    decide_every_control(iso, org_a, owner)


@pytest.fixture
def control(requirement: Find) -> Requirement:
    """A.8.24, use of cryptography: the control the examples change."""
    return requirement(ISO, "A.8.24")


# --- Deciding lines -------------------------------------------------------------------


def test_excluding_a_control_without_a_justification_is_refused_in_french(
    org_a: Organisation, owner: User, control: Requirement
) -> None:
    with pytest.raises(ValidationError) as error:
        requirement_status_update(
            actor=owner, organisation=org_a, requirement=control, applicable=False
        )

    assert error.value.message_dict == {"exclusion_justification": [EXCLUSION_NEEDS_A_REASON]}
    assert not Applicability.objects.exists()
    assert not AuditEvent.objects.filter(organisation=org_a).exists()


def test_a_blank_exclusion_justification_is_no_justification(
    org_a: Organisation, owner: User, control: Requirement
) -> None:
    with pytest.raises(ValidationError, match="justification"):
        requirement_status_update(
            actor=owner,
            organisation=org_a,
            requirement=control,
            applicable=False,
            exclusion_justification="   ",
        )

    assert not Applicability.objects.exists()


def test_excluding_with_a_justification_is_recorded(
    org_a: Organisation, owner: User, control: Requirement
) -> None:
    requirement_status_update(
        actor=owner,
        organisation=org_a,
        requirement=control,
        applicable=False,
        exclusion_justification="Aucune donnée chiffrée : tout est hébergé chez un HDS.",
    )

    line = line_of(org_a, control)
    assert line.applicable is False
    event = AuditEvent.objects.get(organisation=org_a)
    assert event.action == "soa_line.update"
    assert event.changes["applicable"] == [None, False]


# --- Issuing --------------------------------------------------------------------------


def test_the_soa_cannot_be_issued_while_controls_are_undecided(
    iso: Framework, org_a: Organisation, owner: User
) -> None:
    with pytest.raises(ValidationError) as error:
        issue(iso, org_a, owner)

    assert len(error.value.messages) == 93
    assert error.value.messages[0] == "A.5.1 : indiquez si la mesure est applicable."
    assert not SoaVersion.objects.exists()


@pytest.mark.usefixtures("decided")
def test_issuing_lists_exactly_the_controls_still_missing_something(
    iso: Framework, org_a: Organisation, owner: User, requirement: Find
) -> None:
    requirement_status_update(
        actor=owner,
        organisation=org_a,
        requirement=requirement(ISO, "A.5.1"),
        inclusion_justification="",
    )
    Applicability.objects.filter(requirement=requirement(ISO, "A.7.4")).update(applicable=None)

    with pytest.raises(ValidationError) as error:
        issue(iso, org_a, owner)

    assert error.value.messages == [
        "A.5.1 : donnez la justification de son inclusion.",
        "A.7.4 : indiquez si la mesure est applicable.",
    ]
    assert not SoaVersion.objects.exists()


@pytest.mark.usefixtures("decided")
def test_a_complete_soa_is_issued_as_v1_with_its_fingerprint(
    iso: Framework, org_a: Organisation, owner: User
) -> None:
    version = issue(iso, org_a, owner)

    assert version.number == 1
    assert len(version.lines) == 93
    assert re.fullmatch(r"[0-9a-f]{64}", version.sha256)
    assert version.sha256 == lines_sha256(SoaVersion.objects.get(pk=version.pk).lines)
    assert version.issued_by == owner
    event = AuditEvent.objects.filter(organisation=org_a, action="soa.issue").get()
    assert event.changes["sha256"] == [None, version.sha256]


@pytest.mark.usefixtures("decided")
def test_a_change_and_a_second_issue_give_v2_and_the_diff_names_only_that_change(
    iso: Framework, org_a: Organisation, owner: User, control: Requirement
) -> None:
    v1 = issue(iso, org_a, owner)
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=control, status="implemented"
    )

    v2 = issue(iso, org_a, owner)

    assert v2.number == 2
    assert v2.sha256 != v1.sha256
    assert soa_diff(v1.lines, v2.lines) == [
        LineChange("A.8.24", "status", "not_started", "implemented")
    ]
    # v1 still says what it said when it was issued.
    frozen = SoaVersion.objects.get(pk=v1.pk)
    assert next(line for line in frozen.lines if line["ref_id"] == "A.8.24")["status"] == (
        "not_started"
    )
    assert frozen.sha256 == lines_sha256(frozen.lines)


@pytest.mark.usefixtures("decided")
def test_version_numbers_belong_to_each_organisation(
    iso: Framework, org_a: Organisation, org_b: Organisation, owner: User, outsider: User
) -> None:
    issue(iso, org_a, owner)
    decide_every_control(iso, org_b, outsider)

    assert issue(iso, org_b, outsider).number == 1


class TestAnIssuedVersionIsImmutable:
    @pytest.fixture
    def version(self, iso: Framework, org_a: Organisation, owner: User, decided: None) -> Any:
        return issue(iso, org_a, owner)

    def test_save(self, version: SoaVersion) -> None:
        version.note = "changed afterwards"

        with pytest.raises(ValueError, match="cannot be changed"):
            version.save()

    def test_queryset_update(self, version: SoaVersion) -> None:
        with pytest.raises(ValueError, match="cannot be changed"):
            SoaVersion.objects.filter(pk=version.pk).update(note="changed afterwards")

    def test_bulk_update(self, version: SoaVersion) -> None:
        version.note = "changed afterwards"

        with pytest.raises(ValueError, match="cannot be changed"):
            SoaVersion.objects.bulk_update([version], ["note"])

    def test_queryset_delete(self, version: SoaVersion) -> None:
        with pytest.raises(ValueError, match="cannot be deleted"):
            SoaVersion.objects.filter(pk=version.pk).delete()

    def test_instance_delete(self, version: SoaVersion) -> None:
        with pytest.raises(ValueError, match="cannot be deleted"):
            version.delete()

        assert SoaVersion.objects.filter(pk=version.pk).exists()

    def test_content_is_unchanged_after_the_refusals(self, version: SoaVersion) -> None:
        for attempt in (
            lambda: SoaVersion.objects.filter(pk=version.pk).update(lines=[]),
            lambda: SoaVersion.objects.all().delete(),
        ):
            with pytest.raises(ValueError):
                attempt()

        stored = SoaVersion.objects.get(pk=version.pk)
        assert lines_sha256(stored.lines) == version.sha256


# --- The page, by role ----------------------------------------------------------------


EDITS_THE_SOA = {
    Role.VIEWER: False,
    Role.CONTRIBUTOR: False,
    Role.AUDITOR: False,
    Role.LEAD_AUDITOR: True,
    Role.MANAGER: True,
}


@pytest.mark.parametrize(("role", "can_edit"), EDITS_THE_SOA.items())
def test_every_role_sees_the_93_controls_and_only_editors_get_live_fields(
    client_as: Callable[[str], Client], org_a: Organisation, role: str, can_edit: bool
) -> None:
    response = client_as(role).get(soa_url(org_a))

    page = page_text(response)
    assert response.status_code == 200
    assert "Déclaration d'applicabilité" in page
    assert "93 mesures affichées sur 93." in page
    fieldsets = re.findall(r'<fieldset class="req-fields"( disabled)?>', page)
    assert len(fieldsets) == 93
    assert all(disabled == ("" if can_edit else " disabled") for disabled in fieldsets)
    assert (reverse("soa_bulk", args=[org_a.slug]) in page) is can_edit


@pytest.mark.parametrize(("role", "can_edit"), EDITS_THE_SOA.items())
def test_only_lead_auditors_and_managers_may_save_an_soa_line(
    client_as: Callable[[str], Client],
    org_a: Organisation,
    control: Requirement,
    role: str,
    can_edit: bool,
) -> None:
    response = client_as(role).post(
        save_url(org_a, control),
        row_post(control, applicable="yes", inclusion_justification="Données de santé."),
    )

    if can_edit:
        assert response.status_code == 302
        assert line_of(org_a, control).applicable is True
    else:
        assert response.status_code == 403
        assert not Applicability.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, False),
        (Role.CONTRIBUTOR, True),
        (Role.AUDITOR, True),
        (Role.LEAD_AUDITOR, True),
        (Role.MANAGER, True),
    ],
)
def test_contributors_and_up_record_nis2_statuses(
    client_as: Callable[[str], Client],
    org_a: Organisation,
    requirement: Find,
    role: str,
    allowed: bool,
) -> None:
    point = requirement("nis2", "21.2.e")

    response = client_as(role).post(save_url(org_a, point), row_post(point, status="planned"))

    if allowed:
        assert response.status_code == 302
        assert ControlStatus.objects.get(organisation=org_a, requirement=point).status == (
            "planned"
        )
    else:
        assert response.status_code == 403
        assert not ControlStatus.objects.exists()


def test_the_nis2_page_gives_a_contributor_live_fields(
    client_as: Callable[[str], Client], org_a: Organisation
) -> None:
    page = page_text(
        client_as(Role.CONTRIBUTOR).get(reverse("framework_detail", args=[org_a.slug, "nis2"]))
    )

    assert "21.2.b" in page
    assert '<fieldset class="req-fields">' in page
    assert '<fieldset class="req-fields" disabled>' not in page


# --- Another organisation's SoA -------------------------------------------------------


@pytest.mark.usefixtures("decided")
def test_an_outsider_gets_404_on_every_soa_and_framework_url(
    iso: Framework,
    org_a: Organisation,
    owner: User,
    outsider_client: Client,
    control: Requirement,
    requirement: Find,
) -> None:
    issue(iso, org_a, owner)
    point = requirement("nis2", "21.2.b")
    slug = org_a.slug
    gets = [
        reverse("soa", args=[slug]),
        reverse("soa_export", args=[slug]) + "?format=xlsx",
        reverse("soa_export", args=[slug]) + "?format=csv&version=1",
        reverse("soa_versions", args=[slug]),
        reverse("soa_version", args=[slug, 1]),
        reverse("framework_list", args=[slug]),
        reverse("framework_detail", args=[slug, "nis2"]),
    ]
    posts = [
        (
            reverse("soa_bulk", args=[slug]),
            {"theme": "people", "action": "status", "status": "implemented"},
        ),
        (reverse("soa_issue", args=[slug]), {"note": "forged"}),
        (save_url(org_a, control), row_post(control, status="implemented")),
        (save_url(org_a, point), row_post(point, status="implemented")),
        (reverse("suggestion_decide", args=[slug, point.pk]), {"decision": "confirm"}),
    ]
    events_before = AuditEvent.objects.filter(organisation=org_a).count()

    for url in gets:
        assert outsider_client.get(url).status_code == 404, url
    for url, data in posts:
        assert outsider_client.post(url, data).status_code == 404, url

    assert SoaVersion.objects.filter(organisation=org_a).count() == 1
    assert line_of(org_a, control).status == "not_started"
    assert not ControlStatus.objects.exists()
    assert AuditEvent.objects.filter(organisation=org_a).count() == events_before


# --- Saving a row inline (htmx) --------------------------------------------------------

HTMX = {"HX-Request": "true"}


def row_of_response(response: Any, requirement: Requirement) -> str:
    """The row htmx swaps in: one form, the page around it is not sent again."""
    text = page_text(response)
    assert "<html" not in text
    assert text.count("<form ") == 1
    assert f'id="req-{requirement.ref_id.lower().replace(".", "")}"' in text
    return text


def test_an_inline_save_answers_the_row_rendered_again_with_saved(
    owner_client: Client, org_a: Organisation, control: Requirement, owner: User
) -> None:
    response = owner_client.post(
        save_url(org_a, control),
        row_post(
            control,
            applicable="yes",
            inclusion_justification="Chiffrement des sauvegardes.",
            status="partial",
            owner=str(owner.pk),
        ),
        headers=HTMX,
    )

    assert response.status_code == 200
    row = row_of_response(response, control)
    assert '<span class="save-state ok">Enregistré</span>' in row
    assert '<option value="yes" selected>' in row
    assert '<option value="partial" selected>' in row
    assert f'<option value="{owner.pk}" selected>' in row
    assert "Chiffrement des sauvegardes.</textarea>" in row
    assert 'hx-post="' + save_url(org_a, control) + '"' in row
    line = line_of(org_a, control)
    assert (line.applicable, line.status, line.owner) == (True, "partial", owner)


def test_a_refused_inline_save_answers_400_with_the_row_as_typed_and_the_message(
    owner_client: Client, org_a: Organisation, control: Requirement
) -> None:
    response = owner_client.post(
        save_url(org_a, control),
        row_post(control, applicable="no", status="planned", notes="Revue en juin."),
        headers=HTMX,
    )

    assert response.status_code == 400
    row = row_of_response(response, control)
    assert f"Non enregistré : {EXCLUSION_NEEDS_A_REASON}" in row
    # What the person typed is still there, and the field to fill is pointed at and shown.
    assert '<option value="no" selected>' in row
    assert '<option value="planned" selected>' in row
    assert "Revue en juin.</textarea>" in row
    assert re.search(r'name="r\d+-exclusion_justification"[^>]*aria-invalid="true"', row)
    assert '<details class="req-more" open>' in row
    assert not Applicability.objects.exists()


def test_a_nis2_point_saved_inline_comes_back_as_its_row(
    client_as: Callable[[str], Client], org_a: Organisation, requirement: Find
) -> None:
    point = requirement("nis2", "21.2.e")

    response = client_as(Role.CONTRIBUTOR).post(
        save_url(org_a, point),
        row_post(point, status="planned", notes="Audit fournisseur."),
        headers=HTMX,
    )

    assert response.status_code == 200
    row = row_of_response(response, point)
    assert "Enregistré" in row
    assert "-applicable" not in row  # a status, not an SoA line
    assert "Audit fournisseur.</textarea>" in row
    assert ControlStatus.objects.get(organisation=org_a, requirement=point).status == "planned"


def test_an_unknown_status_is_refused_in_the_row(
    owner_client: Client, org_a: Organisation, requirement: Find
) -> None:
    point = requirement("nis2", "21.2.e")

    response = owner_client.post(
        save_url(org_a, point), row_post(point, status="done", notes="Presque."), headers=HTMX
    )

    assert response.status_code == 400
    row = row_of_response(response, point)
    assert "Non enregistré : Sélectionnez un choix valide." in row
    assert "Presque.</textarea>" in row
    assert not ControlStatus.objects.exists()


def test_an_inline_save_shows_the_controls_evidence_in_its_row(
    iso: Framework, owner_client: Client, org_a: Organisation, control: Requirement, owner: User
) -> None:
    link_evidence_to_every_control(iso, org_a, owner)  # one valid, one expired on each

    response = owner_client.post(
        save_url(org_a, control), row_post(control, status="partial"), headers=HTMX
    )

    row = row_of_response(response, control)
    assert "1 preuve valide" in row
    assert '<span class="badge warning">1 périmée</span>' in row


def test_an_inline_save_for_another_organisation_is_a_404(
    outsider_client: Client, org_a: Organisation, control: Requirement
) -> None:
    response = outsider_client.post(
        save_url(org_a, control), row_post(control, status="implemented"), headers=HTMX
    )

    assert response.status_code == 404
    assert not Applicability.objects.exists()


def test_a_viewer_inline_save_is_a_403(
    member_client: Client, org_a: Organisation, control: Requirement
) -> None:
    response = member_client.post(
        save_url(org_a, control), row_post(control, status="implemented"), headers=HTMX
    )

    assert response.status_code == 403
    assert not Applicability.objects.exists()


@pytest.mark.parametrize("decided_before", [False, True])
def test_an_inline_save_runs_a_fixed_number_of_queries(
    iso: Framework,
    org_a: Organisation,
    owner: User,
    owner_client: Client,
    control: Requirement,
    django_assert_num_queries: Any,
    decided_before: bool,
) -> None:
    if decided_before:  # every line decided and owned, two evidence items on each
        decide_every_control(iso, org_a, owner)
        soa_bulk_update(actor=owner, organisation=org_a, requirements=controls(iso), owner=owner)
        link_evidence_to_every_control(iso, org_a, owner)
    # The line, its audit trail and the statuses offered to the two NIS2 points mapped to
    # A.8.24 exist already: the save below changes them, as most saves do.
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=control, applicable=True, status="partial"
    )
    data = row_post(
        control, applicable="yes", inclusion_justification="Chiffrement.", status="planned"
    )
    owner_client.get(soa_url(org_a))

    # 1. the session, 2. the user, 3-5. the two-factor middleware, 6. the membership,
    # 7. the control with its framework, 8. the members (owner choices and the form);
    # the save, in one transaction: 9. savepoint, 10. the SoA line locked, 11. its update,
    # 12-15. its audit event (chain head, the line's requirement for the label, insert,
    # head update), 16. the mappings of A.8.24, 17-28. for each of the two NIS2 points:
    # its status locked, the offer written, its audit event (4), 29. savepoint released;
    # the row read back as the page reads it: 30. the control with theme and framework,
    # 31. its attribute values, 32. its SoA line with owner and suggestion origin (and
    # treated risks), 33. its status, 34. the linked evidence counts.
    # Nothing grows with the lines decided, the members or the evidence linked.
    with django_assert_num_queries(34):
        response = owner_client.post(save_url(org_a, control), data, headers=HTMX)

    assert response.status_code == 200
    assert "Enregistré" in row_of_response(response, control)
    assert line_of(org_a, control).status == "planned"


def test_a_refused_save_without_script_comes_back_with_the_message(
    owner_client: Client, org_a: Organisation, control: Requirement
) -> None:
    response = owner_client.post(
        save_url(org_a, control),
        row_post(control, applicable="no") | {"next": soa_url(org_a)},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == soa_url(org_a)
    assert f"A.8.24: {EXCLUSION_NEEDS_A_REASON}" in page_text(response)
    assert not Applicability.objects.exists()


def test_a_save_never_sends_the_browser_to_another_site(
    owner_client: Client, org_a: Organisation, control: Requirement
) -> None:
    response = owner_client.post(
        save_url(org_a, control),
        row_post(control, status="planned") | {"next": "https://evil.example/phish"},
    )

    assert response.status_code == 302
    assert not response["Location"].startswith(("http://", "https://", "//"))
    assert line_of(org_a, control).status == "planned"


# --- Query count ----------------------------------------------------------------------


@pytest.fixture
def soa_page_queries(
    iso: Framework, org_a: Organisation, owner: User, owner_client: Client, control: Requirement
) -> tuple[int, int]:
    """Queries of the SoA page with 1 decided line, then with all 93 decided and owned."""
    requirement_status_update(
        actor=owner,
        organisation=org_a,
        requirement=control,
        applicable=True,
        inclusion_justification="Chiffrement.",
        owner=owner,
    )
    owner_client.get(soa_url(org_a))
    with CaptureQueriesContext(connection) as one:
        owner_client.get(soa_url(org_a))
    decide_every_control(iso, org_a, owner)
    soa_bulk_update(actor=owner, organisation=org_a, requirements=controls(iso), owner=owner)
    assert Applicability.objects.filter(organisation=org_a, applicable=True).count() == 93
    link_evidence_to_every_control(iso, org_a, owner)

    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(soa_url(org_a))

    assert response.status_code == 200
    return len(one), len(many)


def test_the_soa_page_query_count_does_not_grow_with_decided_lines(
    soa_page_queries: tuple[int, int],
) -> None:
    one, many = soa_page_queries

    assert one == many


def test_the_soa_page_runs_a_fixed_number_of_queries(
    soa_page_queries: tuple[int, int],
) -> None:
    # 1. the session, 2. the user, 3-5. the two-factor middleware (TOTP devices, backup
    # codes, memberships requiring two-factor), 6. the membership of this organisation,
    # 7. the SoA framework, 8. the members with their users (owner choices),
    # 9. the controls with their themes, 10. their attribute values, 11. the SoA lines
    # with owners and suggestion origins, 12. the requirement statuses, 13. the linked
    # evidence counts (valid, expired, compromised), 14. the latest issued version,
    # 15. the organisation switcher, 16. the themes of the filters and the bulk form.
    # Nothing per row, however many evidence links.
    assert soa_page_queries == (16, 16)


def link_evidence_to_every_control(
    iso: Framework, organisation: Organisation, actor: Actor
) -> None:
    """Two evidence items on every control, one of them expired."""
    import datetime
    import tempfile

    from django.core.files.base import ContentFile
    from django.test import override_settings
    from django.utils import timezone

    from evidence.services import evidence_create

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    # The page reads no file: store them in a directory thrown away at once.
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        for title, expires_on in (("Politique", None), ("Ancien audit", yesterday)):
            evidence_create(
                actor=actor,
                organisation=organisation,
                title=title,
                requirements=controls(iso),
                files=[ContentFile(title.encode(), name=f"{title}.txt")],
                expires_on=expires_on,
            )


def test_the_soa_page_shows_linked_evidence_with_expired_apart(
    iso: Framework, org_a: Organisation, owner: User, owner_client: Client
) -> None:
    link_evidence_to_every_control(iso, org_a, owner)

    text = page_text(owner_client.get(soa_url(org_a)))

    assert text.count("1 preuve valide") == 93
    assert text.count("1 périmée") == 93


def test_the_soa_page_query_count_does_not_depend_on_how_many_controls_are_shown(
    org_a: Organisation, owner_client: Client
) -> None:
    owner_client.get(soa_url(org_a))
    with CaptureQueriesContext(connection) as eight:
        owner_client.get(soa_url(org_a), {"theme": "people"})
    with CaptureQueriesContext(connection) as all_93:
        owner_client.get(soa_url(org_a))

    assert len(eight) == len(all_93)


# --- Exports --------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture
def with_injection(org_a: Organisation, owner: User, requirement: Find) -> Requirement:
    """A.5.1 with an inclusion justification that a spreadsheet would run as a formula."""
    first = requirement(ISO, "A.5.1")
    requirement_status_update(
        actor=owner,
        organisation=org_a,
        requirement=first,
        applicable=True,
        inclusion_justification=INJECTION,
    )
    return first


def export(client: Client, organisation: Organisation, **params: str) -> Any:
    return client.get(reverse("soa_export", args=[organisation.slug]), params)


def read_csv(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel in French opens it with its accents
    delimiter = ";" if response["Content-Disposition"].endswith('-fr.csv"') else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def read_xlsx(response: Any) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.usefixtures("with_injection")
def test_the_csv_export_downloads_with_french_headers(
    owner_client: Client, org_a: Organisation
) -> None:
    response = export(owner_client, org_a, format="csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="soa-clinique-des-tilleuls-draft-fr.csv"'
    )
    header, *rows = read_csv(response)
    assert header == [
        "Mesure",
        "Titre",
        "Applicable",
        "Justification de l'inclusion",
        "Justification de l'exclusion",
        "État de mise en œuvre",
        "Responsable",
    ]
    assert len(rows) == 93
    assert rows[0][:3] == ["5.1", "Politiques de sécurité de l'information", "oui"]
    assert rows[1][2] == "non décidé"
    assert rows[1][5] == "Non commencé"


@pytest.mark.usefixtures("with_injection")
def test_the_english_csv_export_has_english_headers_and_titles(
    owner_client: Client, org_a: Organisation
) -> None:
    response = export(owner_client, org_a, format="csv", lang="en")

    assert response["Content-Disposition"].endswith('-draft-en.csv"')
    header, *rows = read_csv(response)
    assert header == [
        "Control",
        "Title",
        "Applicable",
        "Justification for inclusion",
        "Justification for exclusion",
        "Implementation status",
        "Owner",
    ]
    assert rows[0][:3] == ["5.1", "Policies for information security", "yes"]
    assert rows[1][5] == "Not started"


@pytest.mark.usefixtures("with_injection")
def test_a_formula_in_a_justification_is_neutralised_in_the_csv(
    owner_client: Client, org_a: Organisation
) -> None:
    _header, first, *_rest = read_csv(export(owner_client, org_a, format="csv"))

    assert first[3] == "'" + INJECTION


@pytest.mark.usefixtures("with_injection")
def test_the_xlsx_export_has_the_93_controls_and_no_formula(
    owner_client: Client, org_a: Organisation
) -> None:
    response = export(owner_client, org_a, format="xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="soa-clinique-des-tilleuls-draft-fr.xlsx"'
    )
    title, header, *rows = read_xlsx(response)
    assert title[0] == "Clinique des Tilleuls — SoA draft"
    assert header[:2] == ("Mesure", "Titre")
    assert len(rows) == 93
    assert [row[0] for row in rows][:2] == ["5.1", "5.2"]
    assert rows[0][3] == "'" + INJECTION
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["D3"].data_type == "s"  # text, never a formula


@pytest.mark.usefixtures("with_injection")
def test_the_english_xlsx_export_has_english_headers_and_titles(
    owner_client: Client, org_a: Organisation
) -> None:
    response = export(owner_client, org_a, format="xlsx", lang="en")

    assert response["Content-Disposition"].endswith('-draft-en.xlsx"')
    _title, header, first, *_rest = read_xlsx(response)
    assert header[:2] == ("Control", "Title")
    assert first[1] == "Policies for information security"


@pytest.mark.usefixtures("decided")
def test_an_issued_version_exports_what_was_issued(
    iso: Framework,
    org_a: Organisation,
    owner: User,
    member_client: Client,
    control: Requirement,
) -> None:
    issue(iso, org_a, owner)
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=control, status="implemented"
    )

    response = export(member_client, org_a, format="xlsx", version="1")

    assert response["Content-Disposition"].endswith('-v1-fr.xlsx"')
    rows = read_xlsx(response)[2:]
    assert next(row for row in rows if row[0] == "8.24")[5] == "Non commencé"


# --- Issuing and comparing from the pages ---------------------------------------------


@pytest.mark.usefixtures("decided")
def test_issuing_from_the_page_leads_to_the_new_version(
    owner_client: Client, org_a: Organisation
) -> None:
    response = owner_client.post(
        reverse("soa_issue", args=[org_a.slug]), {"note": "Revue de direction"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("soa_version", args=[org_a.slug, 1])
    page = page_text(response)
    assert "La version 1 de la DdA est émise." in page
    assert SoaVersion.objects.get(organisation=org_a).note == "Revue de direction"


def test_issuing_an_incomplete_soa_from_the_page_lists_the_problems(
    owner_client: Client, org_a: Organisation
) -> None:
    owner_client.raise_request_exception = False

    response = owner_client.post(reverse("soa_issue", args=[org_a.slug]), {"note": ""})

    assert response.status_code in (200, 400)
    page = page_text(response)
    assert "La DdA ne peut pas encore être émise :" in page
    assert "A.5.1 : indiquez si la mesure est applicable." in page
    assert not SoaVersion.objects.exists()


def test_a_viewer_cannot_issue(member_client: Client, org_a: Organisation) -> None:
    response = member_client.post(reverse("soa_issue", args=[org_a.slug]), {"note": ""})

    assert response.status_code == 403


@pytest.mark.usefixtures("decided")
def test_the_version_page_compares_two_versions(
    iso: Framework, org_a: Organisation, owner: User, member_client: Client, control: Requirement
) -> None:
    v1 = issue(iso, org_a, owner)
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=control, status="implemented"
    )
    issue(iso, org_a, owner)

    response = member_client.get(reverse("soa_version", args=[org_a.slug, 2]), {"compare": "1"})

    page = page_text(response)
    assert response.status_code == 200
    assert "DdA version 2" in page
    assert "Différences entre v1 et v2" in page
    changes = re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S)[0]  # the table of changes
    assert re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", changes) == [("A.8.24", "status")]
    assert v1.sha256 in page_text(member_client.get(reverse("soa_version", args=[org_a.slug, 1])))


@pytest.mark.usefixtures("decided")
def test_the_version_page_shows_statuses_as_words(
    iso: Framework, org_a: Organisation, owner: User, member_client: Client
) -> None:
    issue(iso, org_a, owner)

    page = page_text(member_client.get(reverse("soa_version", args=[org_a.slug, 1])))

    assert "<td>Non commencé</td>" in page
    assert "<td>not_started</td>" not in page


# --- Scores ---------------------------------------------------------------------------


@pytest.fixture
def half_done(iso: Framework, org_a: Organisation, owner: User) -> None:
    """Only the 8 people controls apply: 3 implemented, 2 partial, 3 planned, so the
    score is (3 + 2 * 0.5) / 8 = 50 %. The 85 excluded controls are marked implemented:
    were they counted, the score would be far higher."""
    for theme in ("organizational", "physical", "technological"):
        soa_bulk_update(
            actor=owner,
            organisation=org_a,
            requirements=controls(iso, theme),
            applicable=False,
            exclusion_justification="Hors périmètre du SMSI.",
            status="implemented",
        )
    people = controls(iso, "people")
    statuses = ["implemented"] * 3 + ["partial"] * 2 + ["planned"] * 3
    for control, status in zip(people, statuses, strict=True):
        requirement_status_update(
            actor=owner,
            organisation=org_a,
            requirement=control,
            applicable=True,
            inclusion_justification="Personnel soignant.",
            status=status,
        )


def scores_of(iso: Framework, organisation: Organisation) -> Any:
    return compliance_scores(soa_lines(iso, scoped(organisation)))


@pytest.mark.usefixtures("half_done")
def test_excluded_controls_are_not_counted_and_partial_counts_half(
    iso: Framework, org_a: Organisation
) -> None:
    overall = scores_of(iso, org_a).overall

    assert overall.counted == 8
    assert overall.points == 4.0
    assert overall.percent == 50
    assert dict(overall.by_status) == {"implemented": 3, "partial": 2, "planned": 3}


@pytest.mark.usefixtures("half_done")
def test_themes_with_only_excluded_controls_have_no_score(
    iso: Framework, org_a: Organisation
) -> None:
    by_theme = {score.label: score.percent for score in scores_of(iso, org_a).by_theme}

    assert by_theme == {"Mesures liées aux personnes": 50}


def test_undecided_controls_count_as_not_started(
    iso: Framework, org_a: Organisation, owner: User, control: Requirement
) -> None:
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=control, status="implemented"
    )

    overall = scores_of(iso, org_a).overall

    assert (overall.counted, overall.points, overall.percent) == (93, 1.0, 1)


@pytest.mark.usefixtures("half_done")
def test_the_soa_page_shows_the_same_score(owner_client: Client, org_a: Organisation) -> None:
    page = page_text(owner_client.get(soa_url(org_a)))

    assert score_shown(page) == "50 %"
    assert "Score de mise en œuvre" in page
