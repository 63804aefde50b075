"""Redis down: the cache answers "miss", queueing answers 503, nothing hangs or crashes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery import Celery
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from rest_framework.views import exception_handler

from compliance.models import Organisation
from compliance.queue import (
    QueueUnavailable,
    QueueUnavailableMiddleware,
    ServiceUnavailable,
    enqueue,
)
from tests.factories import issue_api_key
from tests.helpers import page_text

# Nothing listens on port 1: every connection is refused at once, as with Redis stopped.
DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_CACHE = {
    "default": {
        "BACKEND": "compliance.cache.ResilientRedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@override_settings(CACHES=DEAD_CACHE)
def test_cache_without_redis_is_a_miss_not_an_error() -> None:
    cache = caches["default"]

    cache.set("k", "v")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", "v") is False
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache.incr("counter")


@override_settings(CACHES=DEAD_CACHE)
def test_api_reads_go_on_without_redis(client: Client, org_a: Organisation) -> None:
    """API throttling keeps its counters in the cache; without Redis it lets reads through."""
    key = issue_api_key(org_a)

    response = client.get(
        "/api/v1/organisation/", headers={"Authorization": f"Bearer {key.raw_key}"}
    )

    assert response.status_code == 200
    assert response.json()["slug"] == org_a.slug


@override_settings(CACHES=DEAD_CACHE)
def test_pages_go_on_without_redis(owner_client: Client, org_a: Organisation) -> None:
    assert owner_client.get(f"/o/{org_a.slug}/").status_code == 200


def test_enqueue_answers_quickly_when_the_broker_is_down() -> None:
    app = Celery("outage", broker=DEAD_REDIS, backend=None)
    app.conf.broker_connection_timeout = 1
    app.conf.broker_transport_options = {"socket_connect_timeout": 1}

    @app.task(name="outage.noop")
    def noop() -> None:
        return None

    started = time.monotonic()
    with pytest.raises(QueueUnavailable):
        enqueue(noop)

    assert time.monotonic() - started < 10


def test_html_request_that_cannot_queue_gets_the_503_page(rf: RequestFactory, db: None) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        raise QueueUnavailable("reports.render")

    request = rf.post("/o/x/reports/request/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    middleware = QueueUnavailableMiddleware(view)
    response = middleware.process_exception(request, QueueUnavailable("reports.render"))

    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Rien n’a été perdu" in page_text(response)  # noqa: RUF001 - French typography


def test_api_request_that_cannot_queue_gets_503_with_retry_after() -> None:
    response: Any = exception_handler(ServiceUnavailable(), {})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
