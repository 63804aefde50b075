"""The database restarting answers 503 with Retry-After, not a 500 (handler500)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from compliance.models import Organisation
from tests.factories import issue_api_key


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    from compliance.api import views

    monkeypatch.setattr(views.OrganisationView, "get_object", refuse)
    from compliance.views import organisations

    monkeypatch.setattr(organisations, "dashboard_context", refuse)


def test_api_answers_503_json(org_a: Organisation, database_down: None) -> None:
    key = issue_api_key(org_a).raw_key
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/organisation/", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "indisponible" in response.json()["detail"]


def test_pages_answer_503(owner_client: Client, org_a: Organisation, database_down: None) -> None:
    owner_client.raise_request_exception = False
    response = owner_client.get(f"/o/{org_a.slug}/")

    assert response.status_code == 503
    assert "indisponible" in response.content.decode()
