"""The broker is down: a request answers 503 with Retry-After and says why; the job is
marked failed (retryable), and queued jobs whose message was lost are published again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from compliance.choices import ApiKeyScope
from compliance.queue import QueueUnavailable
from reports import services
from reports.choices import JobStatus
from reports.models import ReportJob
from tests.factories import issue_api_key
from tests.helpers import logged_in, page_text


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task: Any, args: tuple[Any, ...] = (), **options: Any) -> None:
        raise QueueUnavailable(task.name)

    monkeypatch.setattr(services, "enqueue", refuse)


def test_api_request_answers_503_and_the_job_says_why(
    transactional_db: None, client: Any, org_a: Any, make_soa: Any, broker_down: None
) -> None:
    # No test transaction around the request: the job is published when the request's
    # own transaction commits, as in production.
    make_soa(org_a)
    key = issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE])

    response = client.post(
        "/api/v1/reports/",
        {"kind": "soa", "version": 1, "language": "fr"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key.raw_key}",
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["detail"]
    job = ReportJob.objects.get(organisation=org_a)
    assert job.status == JobStatus.FAILED
    assert job.error


def test_page_request_answers_the_503_page(
    transactional_db: None, org_a: Any, owner: Any, make_soa: Any, broker_down: None
) -> None:
    make_soa(org_a)
    client = logged_in(owner)

    response = client.post(
        f"/o/{org_a.slug}/reports/request/", {"kind": "soa", "version": 1, "language": "fr"}
    )

    assert response.status_code == 503
    assert "Rien n’a été perdu" in page_text(response)  # noqa: RUF001 - French typography


def test_a_queued_job_whose_message_was_lost_is_published_again(
    org_a: Any, owner: Any, make_soa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_soa(org_a)
    published: list[tuple[Any, ...]] = []
    monkeypatch.setattr(services, "enqueue", lambda task, args=(), **o: published.append(args))
    job = ReportJob.objects.create(
        organisation=org_a, kind="soa", parameters={"version": 1}, language="fr", title="DdA"
    )
    ReportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = ReportJob.objects.create(
        organisation=org_a, kind="soa", parameters={"version": 1}, language="fr", title="DdA"
    )

    requeued = services.jobs_requeue_stale(lease_seconds=120)

    assert job.pk in requeued
    assert fresh.pk not in requeued  # its message may still be on its way
    assert published == [(job.pk,)]
