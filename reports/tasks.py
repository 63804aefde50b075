"""Celery tasks of the reports app: thin wrappers around ``reports.services``."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.utils.translation import gettext as _

from reports.services import ClaimLost, job_claim, job_fail, job_release, job_render
from reports.services import jobs_requeue_stale as _requeue

logger = logging.getLogger(__name__)

MAX_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    time_limit=settings.EGIDE_REPORT_TIME_LIMIT,
    soft_time_limit=settings.EGIDE_REPORT_TIME_LIMIT - 30,
)
def render_report_task(self, job_id: int) -> str:  # type: ignore[no-untyped-def]
    """Render ``ReportJob`` ``job_id``. Safe to deliver twice: only the worker whose
    conditional UPDATE claims the queued job renders it; the other returns at once."""
    worker = f"{self.request.hostname or socket.gethostname()}:{self.request.id or '-'}"
    token = job_claim(job_id, worker=worker)
    if token is None:
        return "not-claimed"
    try:
        job_render(job_id, token, heartbeat=not self.request.is_eager)
    except ClaimLost:
        # Our lease expired and the job went to someone else: their result stands.
        return "claim-lost"
    except SoftTimeLimitExceeded:
        job_fail(job_id, token, _("The document took too long to render."))
        return "failed"
    except Exception as error:
        logger.exception("report rendering failed", extra={"job": job_id})
        message = f"{type(error).__name__}: {error}"
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            job_release(job_id, token, message)
            raise self.retry(countdown=5 * (self.request.retries + 1)) from error
        job_fail(job_id, token, message)
        return "failed"
    return "done"


@shared_task(acks_late=True, time_limit=120)
def requeue_stale_jobs() -> list[int]:
    """Every minute (beat) and when a worker starts: give the jobs of dead workers to
    live ones."""
    return _requeue()


@worker_ready.connect
def _requeue_on_start(**kwargs: object) -> None:
    try:
        _requeue()
    except Exception:  # the worker must start even if the database is not there yet
        logger.exception("could not re-queue stale report jobs at worker start")
