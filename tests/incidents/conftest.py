from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from compliance.choices import ApiKeyScope, Nis2Classification
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from incidents.models import Incident
from incidents.services import incident_create
from tests.factories import issue_api_key


def api(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE="fr")


@pytest.fixture
def essential_org(org_a: Organisation) -> Organisation:
    org_a.nis2_classification = Nis2Classification.ESSENTIAL
    org_a.save(update_fields=["nis2_classification"])
    return org_a


@pytest.fixture
def writer(essential_org: Organisation) -> Client:
    return api(issue_api_key(essential_org, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)


@pytest.fixture
def reader(essential_org: Organisation) -> Client:
    return api(issue_api_key(essential_org, [ApiKeyScope.READ]).raw_key)


@pytest.fixture
def other_writer(org_b: Organisation) -> Client:
    return api(issue_api_key(org_b, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)


def make_incident(
    organisation: Organisation,
    *,
    aware_at: datetime | None = None,
    owner: User | None = None,
    title: str = "Rançongiciel sur le DPI",
    **qualification: object,
) -> Incident:
    return incident_create(
        actor=SystemActor("tests"),
        organisation=organisation,
        title=title,
        aware_at=aware_at or timezone.now(),
        owner=owner,
        **qualification,
    )


@pytest.fixture
def ransomware(essential_org: Organisation, owner: User) -> Incident:
    return make_incident(
        essential_org,
        owner=owner,
        aware_at=timezone.now() - timedelta(hours=5),
        nis2_significant=True,
        personal_data_breach=True,
        high_risk=True,
        health_establishment_serious=True,
    )
