"""The lead auditor's portfolio across organisations, without leaking anyone else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.choices import CheckResult
from audits.services import audit_create, check_record
from compliance.choices import Role
from controls.models import Requirement
from tests.factories import MembershipFactory, OrganisationFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

URL = "/audits/portfolio/"


def test_the_url_is_stable():
    assert reverse("audits_portfolio") == URL


def test_audits_of_every_organisation_the_lead_works_for_with_progress(
    lead, lead_client, org_a, annex_a_themes, make_audit
):
    other = OrganisationFactory.create(name="Hôpital Nord")
    MembershipFactory.create(organisation=other, user=lead, role=Role.LEAD_AUDITOR)
    first = make_audit(title="Audit des Tilleuls")
    check_record(actor=lead, check=first.checks.first(), result=CheckResult.NC_MAJEURE)
    make_audit(organisation=other, title="Audit de l'hôpital", lead_auditor=lead)
    text = page_text(lead_client.get(URL))
    assert "Audit des Tilleuls" in text and "Audit de l'hôpital" in text
    assert "Clinique des Tilleuls" in text and "Hôpital Nord" in text
    assert "1/93" in text


def test_audits_of_organisations_the_user_does_not_belong_to_never_show(
    lead, lead_client, org_b, outsider, annex_a_themes
):
    audit_create(
        actor=outsider, organisation=org_b, title="Audit secret de Santé Sud", themes=annex_a_themes
    )
    assert "Audit secret" not in page_text(lead_client.get(URL))


def test_a_viewer_of_an_organisation_does_not_get_its_audits(annex_a_audit, member_client):
    assert annex_a_audit.title not in page_text(member_client.get(URL))


def test_anonymous_visitors_are_sent_to_login():
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("organisations", [1, 6])
def test_the_portfolio_runs_a_fixed_number_of_queries(
    lead, lead_client, make_audit, organisations, django_assert_num_queries
):
    requirement = Requirement.objects.get(framework__code="iso27001-2022", ref_id="A.5.1")
    organisations_ = [OrganisationFactory.create() for _ in range(organisations)]
    for organisation in organisations_:
        MembershipFactory.create(organisation=organisation, user=lead, role=Role.LEAD_AUDITOR)
        audit = audit_create(
            actor=lead,
            organisation=organisation,
            title=f"Audit {organisation.name}",
            requirements=[requirement],
            lead_auditor=lead,
        )
        check_record(actor=lead, check=audit.checks.get(), result=CheckResult.OBSERVATION)
    lead_client.get(URL)
    # session, user, two-factor devices (2), two-factor role check, audits with progress
    # and open findings, navigation memberships
    with django_assert_num_queries(7):
        response = lead_client.get(URL)
    assert page_text(response).count("<progress") == organisations
