"""A real Celery worker against real Redis and PostgreSQL (the CI topology).

Skipped on the embedded default (SQLite in memory cannot be shared with a worker process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection

from compliance.celery import app
from compliance.services.audit_trail import SystemActor
from compliance.services.organisations import organisation_create
from compliance.tasks import verify_audit_trail_task

pytestmark = pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")),
    reason="needs REDIS_URL and DATABASE_URL (CI sets both)",
)


@pytest.fixture
def worker(transactional_db: None) -> Iterator[tuple[str, str]]:
    """Start `celery worker` on a queue of its own, pointed at the test database."""
    queue = f"egide-test-{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@localhost"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "compliance",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-n",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[hostname], timeout=0.5):
                break
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        else:
            pytest.fail("the Celery worker did not answer within 30 s")
        yield queue, hostname
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_real_worker_verifies_the_audit_trail_written_by_the_web_process(worker, client):
    queue, hostname = worker
    organisation_create(
        actor=SystemActor("test"),
        name="Clinique Worker",
        slug="clinique-worker",
        kind="health_establishment",
    )

    result = verify_audit_trail_task.apply_async(queue=queue).get(timeout=30)

    assert result == {"chains": 1, "events": 1, "broken": []}
    health = client.get("/healthz").json()
    assert health["checks"]["redis"]["ok"] is True
    assert hostname in health["checks"]["workers"]["names"]
