"""Treatment actions in the remediation plan, review reminders, the PDF documents."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.choices import FindingSource, Priority
from audits.models import Finding, RemediationAction
from compliance.models import AuditEvent, Organisation, User
from controls.models import Requirement
from reports.registry import BuildRequest, get_document
from risks.documents import check_risk
from risks.models import Risk
from risks.services.actions import risk_action_create
from risks.services.risks import risk_update
from risks.tasks import risk_review_reminders_task
from tests.risks.conftest import ACTOR

MakeRisk = Callable[..., Risk]
Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.django_db


def test_a_treatment_action_lands_in_the_remediation_plan(make_risk: MakeRisk, owner: User) -> None:
    risk = make_risk(current_likelihood=4, current_impact=4, treatment="reduce")
    due = timezone.localdate() + datetime.timedelta(days=30)

    first = risk_action_create(actor=ACTOR, risk=risk, title="Sauvegardes hors ligne", due_date=due)
    second = risk_action_create(
        actor=ACTOR, risk=risk, title="Test de restauration", due_date=due, owner=owner
    )

    finding = Finding.objects.get()
    assert finding.source == FindingSource.RISK
    assert risk.reference in finding.title
    assert first.finding == second.finding == finding
    # Above the threshold: high priority, with the reason written down.
    assert first.priority == Priority.HIGH
    assert risk.reference in first.priority_override_reason
    assert set(risk.actions.all()) == {first, second}


def test_the_risk_page_adds_an_action(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk
) -> None:
    risk = make_risk(current_likelihood=1, current_impact=1, treatment="reduce")
    url = reverse("risk_action_new", args=[org_a.slug, risk.pk])

    bad = owner_client.post(url, {"title": "Sans date"})
    good = owner_client.post(url, {"title": "Chiffrer les portables", "due_date": "2027-01-31"})

    assert bad.status_code == 400
    assert good.status_code == 302
    action = RemediationAction.objects.get()
    assert action.title == "Chiffrer les portables"
    assert action.priority == Priority.LOW
    page = owner_client.get(reverse("risk_treatment_plan", args=[org_a.slug])).content.decode()
    assert "Chiffrer les portables" in page


def test_a_viewer_cannot_add_an_action(
    org_a: Organisation, member_client: Client, make_risk: MakeRisk
) -> None:
    risk = make_risk()
    url = reverse("risk_action_new", args=[org_a.slug, risk.pk])
    assert member_client.post(url, {"title": "x", "due_date": "2027-01-31"}).status_code == 403


def test_linking_another_organisations_action_is_refused(make_risk: MakeRisk, risk_b: Risk) -> None:
    from django.core.exceptions import ValidationError

    theirs = risk_action_create(
        actor=ACTOR, risk=risk_b, title="Leur action", due_date=datetime.date(2027, 1, 1)
    )
    with pytest.raises(ValidationError):
        risk_update(actor=ACTOR, risk=make_risk(), actions=[theirs])


def test_review_reminders_go_once_per_review_date(
    make_risk: MakeRisk, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    due = make_risk(title="À revoir", owner=owner, review_date=today)
    make_risk(title="Plus tard", owner=owner, review_date=today + datetime.timedelta(days=3))
    make_risk(title="Sans propriétaire", review_date=today)

    with django_capture_on_commit_callbacks(execute=True):
        assert risk_review_reminders_task() == {"due": 1, "sent": 1}
        assert risk_review_reminders_task() == {"due": 0, "sent": 0}
    assert len(mail.outbox) == 1
    assert due.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == [owner.email]
    assert AuditEvent.objects.filter(action="risks.review_reminded").count() == 1

    # A new review date is reminded again when it comes.
    risk_update(actor=ACTOR, risk=due, review_date=today - datetime.timedelta(days=1))
    assert risk_review_reminders_task()["sent"] == 1


def test_the_beat_schedule_runs_the_reminders() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["risks-review-reminders"]
    assert entry["task"] == "risks.tasks.risk_review_reminders_task"


def test_the_register_and_plan_documents_build(org_a: Organisation, make_risk: MakeRisk) -> None:
    risk = make_risk(
        title="Rançongiciel",
        current_likelihood=3,
        current_impact=4,
        treatment="reduce",
        residual_likelihood=1,
        residual_impact=4,
    )
    register = get_document("risk_register")
    plan = get_document("risk_treatment_plan")
    assert register is not None and plan is not None

    built = register.build(BuildRequest(organisation=org_a, parameters={}, language="fr"))
    planned = plan.build(BuildRequest(organisation=org_a, parameters={}, language="fr"))

    assert [row["risk"].pk for row in built.context["rows"]] == [risk.pk]
    assert len(built.context["maps"]) == 2
    assert [item["reference"] for item in planned.manifest_items] == [risk.reference]
    item = built.manifest_items[0]
    assert check_risk(org_a, item) is None
    risk_update(actor=ACTOR, risk=risk, title="Rançongiciel sur le DPI")
    assert "R-001" in (check_risk(org_a, item) or "")


def test_the_register_pdf_renders(org_a: Organisation, make_risk: MakeRisk) -> None:
    from django.template.loader import render_to_string

    make_risk(title="Panne <b>DPI</b>", current_likelihood=2, current_impact=2, treatment="accept")
    plan = get_document("risk_register")
    assert plan is not None
    built = plan.build(BuildRequest(organisation=org_a, parameters={}, language="fr"))
    html = render_to_string(
        built.template,
        {**built.context, "organisation": org_a, "title": built.title, "subtitle": built.subtitle},
    )
    assert "Panne &lt;b&gt;DPI&lt;/b&gt;" in html
    assert "<svg" in html


def test_the_register_and_plan_render_as_pdf_through_the_report_machinery(
    org_a: Organisation,
    owner: User,
    make_risk: MakeRisk,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.test import override_settings

    from reports.choices import JobStatus
    from reports.services import report_request
    from tests.reports.conftest import pdf_text

    make_risk(
        title="Rançongiciel sur le DPI <script>",
        current_likelihood=4,
        current_impact=4,
        treatment="reduce",
        treatment_description="Sauvegardes hors ligne",
        residual_likelihood=1,
        residual_impact=2,
    )
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", EGIDE_REPORT_SIGNING_DIR=tmp_path / "signing"
    ):
        for kind in ("risk_register", "risk_treatment_plan"):
            with django_capture_on_commit_callbacks(execute=True):
                job = report_request(actor=owner, organisation=org_a, kind=kind)
            job.refresh_from_db()
            assert job.status == JobStatus.DONE, job.error
            with job.file.open("rb") as handle:
                text = " ".join(pdf_text(handle.read()).split())
            assert "Rançongiciel sur le DPI <script>" in text, text
            assert "R-001" in text
