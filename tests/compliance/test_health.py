"""GET /healthz for the load balancer and the monitoring."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from compliance.views import health


def test_healthy_without_redis(client: Client, db: None, settings: Any) -> None:
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"ok": True, "mode": "not configured"}


def test_never_cached(client: Client, db: None, settings: Any) -> None:
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert "no-store" in response["Cache-Control"]


def test_redis_down_is_503(client: Client, db: None, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["workers"]["ok"] is False


def test_database_down_is_503(
    client: Client, db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REDIS_URL = ""

    def unreachable() -> None:
        raise OSError("could not connect to server")

    monkeypatch.setattr(health, "_database", unreachable)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "OSError",
        "ms": response.json()["checks"]["database"]["ms"],
    }


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a running Redis)")
def test_healthy_with_a_running_redis(client: Client, db: None, settings: Any) -> None:
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get("/healthz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is True
    # Workers are reported but never fail the check: pages work without them.
    assert "workers" in checks


def test_only_answers_get(client: Client, db: None) -> None:
    assert client.post("/healthz").status_code == 405


def test_needs_no_login_even_when_two_factor_is_required(
    client: Client, db: None, settings: Any
) -> None:
    settings.REDIS_URL = ""
    settings.EGIDE_TWO_FACTOR_ROLES = ["manager"]

    assert client.get("/healthz").status_code == 200
