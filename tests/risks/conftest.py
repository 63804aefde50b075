"""Fixtures of the risk tests: the catalogues (for controls), a methodology, risks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from risks.models import Risk, RiskMethod
from risks.services.method import default_labels, method_save
from risks.services.risks import risk_create
from tests.controls.conftest import catalogues, client_as, iso, requirement, user_with_role

__all__ = ["catalogues", "client_as", "iso", "requirement", "user_with_role"]

ACTOR = SystemActor("tests")


def make_method(organisation: Organisation, size: int = 4, threshold: int = 4) -> RiskMethod:
    return method_save(
        actor=ACTOR,
        organisation=organisation,
        likelihood_labels=default_labels("likelihood", size),
        impact_labels=default_labels("impact", size),
        acceptance_threshold=threshold,
        acceptor_roles=["manager"],
    )


@pytest.fixture
def method_a(org_a: Organisation) -> RiskMethod:
    return make_method(org_a)


@pytest.fixture
def make_risk(method_a: RiskMethod) -> Callable[..., Risk]:
    def make(organisation: Organisation | None = None, **fields: Any) -> Risk:
        organisation = organisation or method_a.organisation
        fields.setdefault("title", "Rançongiciel sur le DPI")
        return risk_create(actor=ACTOR, organisation=organisation, **fields)

    return make


@pytest.fixture
def risk_b(org_b: Organisation, outsider: User) -> Risk:
    make_method(org_b)
    return risk_create(actor=ACTOR, organisation=org_b, title="Risque de B")
