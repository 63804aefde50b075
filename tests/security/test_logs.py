"""Personal data and secrets never reach the logs (issue 10).

An incident full of personal data goes through the API and the pages, including a
refused request (400) and a failing one; every log record emitted meanwhile, at every
level and by every logger, is searched for the data and for the API key.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from compliance.choices import ApiKeyScope
from compliance.models import Organisation
from tests.factories import issue_api_key

PATIENT = "Mme Josiane Dubreuil"
NIR = "2 85 05 75 123 456 78"
DIAGNOSIS = "séropositivité VIH"
SECRETS = (PATIENT, NIR, DIAGNOSIS)


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.extend(str(value) for value in record.__dict__.values())
    return "\n".join(parts)


def test_an_incident_with_personal_data_leaves_no_trace_in_the_logs(
    client: Client, org_a: Organisation, owner_client: Client, everything_logged: Any
) -> None:
    key = issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key
    headers = {"Authorization": f"Bearer {key}"}
    description = f"Dossier de {PATIENT} (NIR {NIR}) exfiltré : {DIAGNOSIS}."

    created = client.post(
        "/api/v1/incidents/",
        {
            "title": "Fuite du dossier patient",
            "description": description,
            "aware_at": "2026-11-28T08:00:00+01:00",
            "personal_data_breach": True,
            "high_risk": True,
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    refused = client.post(  # a 400 that echoes nothing into the logs either
        "/api/v1/incidents/",
        {"title": description, "aware_at": "not a date"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400
    incident_id = created.json()["id"]
    assert owner_client.get(f"/o/{org_a.slug}/incidents/{incident_id}/").status_code == 200

    text = logged_text(everything_logged)
    assert everything_logged.records, "the request log should have written something"
    leaked = [secret for secret in (*SECRETS, key) if secret in text]
    assert not leaked, f"found in the logs: {leaked}"
