"""Every page of the audits app renders for a lead auditor (smoke test; the behaviour
is tested in the other modules)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.choices import CheckResult
from audits.services import action_create, check_record

pytestmark = pytest.mark.django_db


def test_every_page_renders(lead_client, lead, annex_a_audit, org_a):
    check = annex_a_audit.checks.first()
    check_record(actor=lead, check=check, result=CheckResult.NC_MAJEURE, notes="Pas de politique")
    finding = check.finding
    import datetime

    action = action_create(
        actor=lead,
        finding=finding,
        title="Rédiger la politique",
        due_date=datetime.date(2026, 1, 1),
    )
    slug = org_a.slug
    urls = [
        reverse("audits:audit_list", args=[slug]),
        reverse("audits:audit_create", args=[slug]),
        reverse("audits:audit_detail", args=[slug, annex_a_audit.pk]),
        reverse("audits:audit_edit", args=[slug, annex_a_audit.pk]),
        reverse("audits:audit_transition", args=[slug, annex_a_audit.pk]) + "?status=closed",
        reverse("audits:checklist", args=[slug, annex_a_audit.pk]),
        reverse("audits:check_detail", args=[slug, annex_a_audit.pk, check.pk]),
        reverse("audits:finding_list", args=[slug]),
        reverse("audits:finding_create", args=[slug]),
        reverse("audits:finding_detail", args=[slug, finding.pk]),
        reverse("audits:action_create", args=[slug, finding.pk]),
        reverse("audits:plan", args=[slug]),
        reverse("audits:action_edit", args=[slug, action.pk]),
        reverse("audits:action_verify", args=[slug, action.pk]),
        reverse("audits_portfolio"),
    ]
    for url in urls:
        response = lead_client.get(url)
        assert response.status_code == 200, url
