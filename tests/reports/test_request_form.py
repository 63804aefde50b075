"""The request button other apps include on their pages."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory


def test_the_include_posts_the_kind_its_parameter_and_comes_back(org_a, owner):
    request = RequestFactory().get("/o/clinique-des-tilleuls/audits/7/")
    request.user = owner

    html = render_to_string(
        "reports/_request_form.html",
        {
            "kind": "evidence_pack",
            "param_name": "audit",
            "param_value": 7,
            "button": "Dossier de preuves",
            "current_organisation": org_a,
        },
        request=request,
    )

    assert f'action="/o/{org_a.slug}/reports/request/"' in html
    assert 'name="kind" value="evidence_pack"' in html
    assert 'name="param_audit" value="7"' in html
    assert 'name="next" value="/o/clinique-des-tilleuls/audits/7/"' in html
    assert "Dossier de preuves" in html
    assert "include" not in html


def version_framework():
    from controls.models import Framework

    return Framework.objects.get(code="iso27001-2022")


def test_the_pages_offer_their_documents(org_a, owner, make_soa):
    """The audit page offers its evidence pack, the plan its PDF, an issued SoA its PDF."""
    from audits.services import audit_create
    from controls.models import Requirement
    from tests.helpers import logged_in

    version = make_soa(org_a)
    control = Requirement.objects.create(
        framework=version_framework(),
        ref_id="A.5.1",
        kind="control",
        assessable=True,
        title_fr="Politiques de sécurité",
        title_en="Policies for information security",
        order=1,
    )
    audit = audit_create(
        actor=owner,
        organisation=org_a,
        title="Audit flash",
        kind="flash",
        requirements=[control],
        lead_auditor=owner,
    )
    client = logged_in(owner)

    audit_page = client.get(f"/o/{org_a.slug}/audits/{audit.pk}/").content.decode()
    plan_page = client.get(f"/o/{org_a.slug}/plan/").content.decode()
    soa_page = client.get(f"/o/{org_a.slug}/soa/versions/{version.number}/").content.decode()

    assert (
        'value="evidence_pack"' in audit_page
        and f'name="param_audit" value="{audit.pk}"' in audit_page
    )
    assert 'value="remediation_plan"' in plan_page
    assert (
        'value="soa"' in soa_page and f'name="param_version" value="{version.number}"' in soa_page
    )
