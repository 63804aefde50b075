"""Fixtures of the audits tests: catalogues (loaded once per module), people with each
role in organisation A, an Annex A audit and evidence items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from audits.models import Audit
from audits.services import audit_create
from compliance.choices import Role
from compliance.models import Membership, Organisation, User
from controls.models import Framework, Theme
from evidence.models import Evidence
from tests.controls.conftest import catalogues, iso, requirement  # noqa: F401
from tests.factories import MembershipFactory
from tests.helpers import logged_in

ANNEX_A_THEMES = ("organizational", "people", "physical", "technological")


@pytest.fixture
def member_with_role(org_a: Organisation) -> Callable[..., User]:
    def make(role: str, organisation: Organisation | None = None, **kwargs: Any) -> User:
        return MembershipFactory.create(
            organisation=organisation or org_a, role=role, **kwargs
        ).user

    return make


@pytest.fixture
def lead(member_with_role: Callable[..., User]) -> User:
    return member_with_role(Role.LEAD_AUDITOR, user__email="lead@audit.example")


@pytest.fixture
def lead_client(lead: User) -> Client:
    return logged_in(lead)


@pytest.fixture
def annex_a_themes(iso: Framework) -> list[Theme]:  # noqa: F811
    return list(Theme.objects.filter(framework=iso, code__in=ANNEX_A_THEMES))


@pytest.fixture
def make_audit(
    lead: User, annex_a_themes: list[Theme], org_a: Organisation
) -> Callable[..., Audit]:
    def make(organisation: Organisation | None = None, **kwargs: Any) -> Audit:
        organisation = organisation or org_a
        kwargs.setdefault("title", "Audit flash Annexe A")
        kwargs.setdefault("themes", annex_a_themes)
        if Membership.objects.filter(organisation=organisation, user=lead).exists():
            kwargs.setdefault("lead_auditor", lead)
        return audit_create(actor=lead, organisation=organisation, **kwargs)

    return make


@pytest.fixture
def annex_a_audit(make_audit: Callable[..., Audit]) -> Audit:
    return make_audit()


@pytest.fixture
def evidence_item(org_a: Organisation, owner: User) -> Evidence:
    return Evidence.objects.create(
        organisation=org_a, title="Politique de sécurité", created_by=owner
    )
