"""Acceptance of residual risk (ISO/IEC 27001:2022 6.1.3 f): only the risk owner or a
role the methodology names; above the threshold, only with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compliance.choices import Role
from compliance.models import AuditEvent, Organisation, User
from controls.models import Requirement
from risks.models import Risk
from risks.services.risks import risk_accept, risk_update
from tests.factories import MembershipFactory, issue_api_key
from tests.helpers import logged_in, page_text
from tests.risks.conftest import ACTOR

MakeRisk = Callable[..., Risk]
Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk_owner(org_a: Organisation) -> User:
    return MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user


@pytest.fixture
def treated(make_risk: MakeRisk, risk_owner: User) -> Risk:
    return make_risk(
        current_likelihood=3,
        current_impact=3,
        treatment="reduce",
        residual_likelihood=1,
        residual_impact=2,
        owner=risk_owner,
    )


def test_the_risk_owner_accepts_a_residual_risk_within_the_threshold(
    treated: Risk, risk_owner: User
) -> None:
    risk = risk_accept(actor=risk_owner, risk=treated)

    assert risk.accepted_by == risk_owner
    assert risk.accepted_at is not None
    assert AuditEvent.objects.filter(action="risks.risk_accepted").count() == 1


def test_a_manager_may_accept_for_the_owner(treated: Risk, owner: User) -> None:
    assert risk_accept(actor=owner, risk=treated).accepted_by == owner


def test_another_contributor_may_not_accept(org_a: Organisation, treated: Risk) -> None:
    other = MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user

    with pytest.raises(PermissionDenied):
        risk_accept(actor=other, risk=treated)
    treated.refresh_from_db()
    assert treated.accepted_at is None


def test_an_api_key_may_not_accept(org_a: Organisation, treated: Risk) -> None:
    key = issue_api_key(org_a, ["read", "write"]).api_key
    with pytest.raises(PermissionDenied):
        risk_accept(actor=key, risk=treated)


def test_above_the_threshold_acceptance_needs_a_reason(treated: Risk, risk_owner: User) -> None:
    risk = risk_update(actor=ACTOR, risk=treated, residual_likelihood=3, residual_impact=3)

    with pytest.raises(ValidationError) as error:
        risk_accept(actor=risk_owner, risk=risk, reason="  ")
    assert "acceptance_reason" in error.value.message_dict

    accepted = risk_accept(actor=risk_owner, risk=risk, reason="Budget 2027, plan de reprise.")
    assert accepted.acceptance_reason == "Budget 2027, plan de reprise."


def test_accepting_without_a_treatment_or_residual_level_is_refused(
    make_risk: MakeRisk, risk_owner: User
) -> None:
    risk = make_risk(owner=risk_owner, current_likelihood=2, current_impact=2)
    with pytest.raises(ValidationError) as error:
        risk_accept(actor=risk_owner, risk=risk)
    assert "treatment" in error.value.message_dict

    risk = risk_update(actor=ACTOR, risk=risk, treatment="reduce")
    with pytest.raises(ValidationError) as error:
        risk_accept(actor=risk_owner, risk=risk)
    assert "residual_likelihood" in error.value.message_dict


def test_accepting_as_is_takes_the_current_level_as_residual(
    make_risk: MakeRisk, risk_owner: User
) -> None:
    risk = make_risk(owner=risk_owner, current_likelihood=1, current_impact=3, treatment="accept")

    risk = risk_accept(actor=risk_owner, risk=risk)

    assert (risk.residual_likelihood, risk.residual_impact) == (1, 3)


def test_a_level_change_voids_the_acceptance(treated: Risk, risk_owner: User) -> None:
    risk = risk_accept(actor=risk_owner, risk=treated)

    risk = risk_update(actor=ACTOR, risk=risk, residual_likelihood=2)

    assert risk.accepted_at is None
    assert risk.accepted_by is None


def test_a_text_change_keeps_the_acceptance(treated: Risk, risk_owner: User) -> None:
    risk = risk_accept(actor=risk_owner, risk=treated)

    risk = risk_update(actor=ACTOR, risk=risk, description="Précisé.")

    assert risk.accepted_at is not None


def test_the_page_asks_for_the_reason_next_to_the_field(
    org_a: Organisation, treated: Risk, risk_owner: User
) -> None:
    risk_update(actor=ACTOR, risk=treated, residual_likelihood=4, residual_impact=4)
    client = logged_in(risk_owner)
    url = reverse("risk_accept", args=[org_a.slug, treated.pk])

    response = client.post(url, {"acceptance_reason": ""})

    assert response.status_code == 400
    assert "au-dessus du seuil" in page_text(response)
    assert client.post(url, {"acceptance_reason": "Assumé."}).status_code == 302


def test_a_lead_auditor_gets_403_on_accept(org_a: Organisation, treated: Risk) -> None:
    auditor = MembershipFactory.create(organisation=org_a, role=Role.LEAD_AUDITOR).user

    response = logged_in(auditor).post(reverse("risk_accept", args=[org_a.slug, treated.pk]))

    assert response.status_code == 403


def test_a_contributor_who_is_not_the_owner_gets_403(org_a: Organisation, treated: Risk) -> None:
    other = MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user

    response = logged_in(other).post(reverse("risk_accept", args=[org_a.slug, treated.pk]))

    assert response.status_code == 403


def test_the_methodology_names_who_may_accept_besides_the_owner(
    org_a: Organisation, treated: Risk, owner: User
) -> None:
    from risks.services.method import default_labels, method_save
    from risks.services.risks import risk_reassess

    contributor = MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user
    method_save(
        actor=ACTOR,
        organisation=org_a,
        likelihood_labels=default_labels("likelihood", 4),
        impact_labels=default_labels("impact", 4),
        acceptance_threshold=4,
        acceptor_roles=["contributor"],
    )
    risk = risk_reassess(actor=ACTOR, risk=treated)
    risk = risk_update(actor=ACTOR, risk=risk, current_likelihood=1, current_impact=1)
    risk = risk_update(actor=ACTOR, risk=risk, residual_likelihood=1, residual_impact=1)

    with pytest.raises(PermissionDenied):
        risk_accept(actor=owner, risk=risk)  # a manager, no longer named
    assert risk_accept(actor=contributor, risk=risk).accepted_by == contributor
