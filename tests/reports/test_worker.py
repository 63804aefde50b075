"""Real Celery workers against real Redis and PostgreSQL (the CI topology): a requested
document is rendered by another process, a task delivered three times renders once, and
a worker killed (SIGKILL) mid-render leaves its job to be completed by the next worker.

Skipped on the embedded default (SQLite in memory cannot be shared with a worker).
Locally: ``DATABASE_URL=postgres://root@127.0.0.1:5432/egide_reports
REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/pytest tests/reports/test_worker.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from compliance.celery import app
from compliance.models import AuditEvent
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.services import jobs_requeue_stale, report_request, report_verify
from reports.tasks import render_report_task
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")),
    reason="needs REDIS_URL and DATABASE_URL (CI sets both)",
)

LEASE_SECONDS = 3


@pytest.fixture
def start_worker(
    transactional_db: None, tmp_path: Path, settings: object
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `celery worker` processes on a queue of their own, pointed at the test
    database and at this test's media and signing directories."""
    queue = f"egide-reports-test-{uuid.uuid4().hex[:8]}"
    settings.EGIDE_REPORT_QUEUE = queue  # type: ignore[attr-defined]
    settings.EGIDE_REPORT_LEASE_SECONDS = LEASE_SECONDS  # type: ignore[attr-defined]
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,  # type: ignore[attr-defined]
        "EGIDE_VAR_DIR": str(tmp_path),
        "EGIDE_REPORT_QUEUE": queue,
        "EGIDE_REPORT_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []

    def start(*, ping: bool = True) -> subprocess.Popen[bytes]:
        hostname = f"{queue}-{len(processes)}@localhost"
        # A file, not a pipe: nobody reads a pipe while the test waits, and a worker
        # whose pipe fills up blocks on its next log line.
        log = tmp_path / f"worker-{len(processes)}.log"
        logs.append(log)
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
            stderr=log.open("wb"),
        )
        processes.append(process)
        if not ping:  # a solo worker busy with a task cannot answer a ping
            return process
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[hostname], timeout=0.5):
                return process
            assert process.poll() is None, log.read_text(errors="replace")
        pytest.fail(f"the Celery worker did not answer within 30 s:\n{describe()}")

    def describe() -> str:
        """Each worker's state and the end of its log, for a failure message."""
        return "\n".join(
            f"worker {n} ({'running' if process.poll() is None else f'exit {process.returncode}'}):"
            f" {log.read_text(errors='replace')[-2000:] if log.exists() else ''}"
            for n, (process, log) in enumerate(zip(processes, logs, strict=True))
        )

    start.describe = describe  # type: ignore[attr-defined]
    # Whatever ran before in this process, this test's jobs go to the broker.
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        yield start
    finally:
        app.conf.task_always_eager = eager
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def wait_for(
    job: ReportJob,
    condition: Callable[[ReportJob], bool],
    workers: Callable[..., object],
    timeout: float = 90,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return
        time.sleep(0.05)
    pytest.fail(
        f"job {job.pk} stayed {job.status} ({job.progress} %, {job.attempts} attempts):"
        f" {job.error}\n{workers.describe()}"  # type: ignore[attr-defined]
    )


def test_a_real_worker_renders_the_requested_document(start_worker, org_a, owner, make_soa):
    start_worker()
    make_soa(org_a)

    job = report_request(actor=owner, organisation=org_a, kind="soa", language="fr")
    wait_for(job, lambda job: job.is_finished, start_worker)

    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        assert "Déclaration d'applicabilité" in pdf_text(handle.read())
    assert report_verify(job).ok
    assert job.worker.startswith(settings.EGIDE_REPORT_QUEUE)


def test_a_task_delivered_three_times_renders_once(start_worker, org_a, owner, make_soa):
    make_soa(org_a)
    job = report_request(actor=owner, organisation=org_a, kind="soa")  # queued once here
    for _ in range(2):  # and delivered twice more, before any worker runs
        render_report_task.apply_async((job.pk,), queue=settings.EGIDE_REPORT_QUEUE)
    start_worker(ping=False)

    wait_for(job, lambda job: job.is_finished, start_worker)
    time.sleep(1)  # let the duplicates be consumed

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert AuditEvent.objects.filter(action="reports.render").count() == 1


def test_a_worker_killed_mid_render_leaves_its_job_to_the_next_worker(
    start_worker, org_a, owner, make_soa
):
    make_soa(org_a)
    first = start_worker()
    job = report_request(actor=owner, organisation=org_a, kind="soa")
    wait_for(job, lambda job: job.status == JobStatus.RUNNING, start_worker)

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not job.file

    start_worker()  # re-queues stale jobs when it starts, if the lease has already expired
    time.sleep(LEASE_SECONDS + 1)  # the dead worker's heartbeat is now older than the lease
    jobs_requeue_stale()  # what beat does every minute
    wait_for(job, lambda job: job.is_finished, start_worker)

    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2
    assert report_verify(job).ok
