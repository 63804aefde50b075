"""Fixtures of the register tests: a way to build processings through the real services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compliance.choices import ApiKeyScope, Role
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from privacy import services
from privacy.models import ProcessingActivity, Processor
from tests.factories import MembershipFactory, issue_api_key
from tests.helpers import logged_in

ACTOR = SystemActor("tests")

# A complete, compliant care processing: every rule passes on it.
CARE: dict[str, Any] = {
    "name": "Dossier patient",
    "controller_name": "Clinique des Tilleuls",
    "dpo_contact": "dpo@tilleuls.example",
    "purposes": "Prise en charge des patients",
    "uses": ["care"],
    "data_subject_categories": "Patients",
    "personal_data_categories": "Identité, antécédents, prescriptions",
    "special_categories": ["health"],
    "legal_basis": "c",
    "article9_condition": "h",
    "retention": "20 ans",
    "security_measures": "Authentification forte, journalisation",
}


@pytest.fixture(autouse=True)
def _own_media_root(settings: Any, tmp_path: Any) -> None:
    # Imported register files go to the default storage: each test keeps its own.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_processing(org_a: Organisation) -> Callable[..., ProcessingActivity]:
    counter = iter(range(1, 10_000))

    def make(organisation: Organisation | None = None, **fields: Any) -> ProcessingActivity:
        data = {**CARE, "reference": f"T-{next(counter):03d}", **fields}
        return services.processing_create(actor=ACTOR, organisation=organisation or org_a, **data)

    return make


@pytest.fixture
def make_processor(org_a: Organisation) -> Callable[..., Processor]:
    def make(organisation: Organisation | None = None, **fields: Any) -> Processor:
        data = {"name": "Hébergeur", "hosts_data": True, "location": "eea", **fields}
        return services.processor_create(actor=ACTOR, organisation=organisation or org_a, **data)

    return make


def rule_codes(processing: ProcessingActivity) -> set[str]:
    return set(processing.findings.values_list("rule_code", flat=True))


@pytest.fixture
def contributor_client(org_a: Organisation) -> Client:
    return logged_in(MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user)


@pytest.fixture
def auditor(org_a: Organisation) -> User:
    return MembershipFactory.create(organisation=org_a, role=Role.AUDITOR).user


def api(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE="fr")


@pytest.fixture
def reader(org_a: Organisation) -> Client:
    return api(issue_api_key(org_a, [ApiKeyScope.READ]).raw_key)


@pytest.fixture
def writer(org_a: Organisation) -> Client:
    return api(issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)


@pytest.fixture
def other_writer(org_b: Organisation) -> Client:
    return api(issue_api_key(org_b, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)
