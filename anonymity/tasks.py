"""Celery tasks of the anonymity app: thin wrappers around ``anonymity.services``."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from anonymity.models import task_time_limit
from anonymity.services import (
    TOO_LONG,
    UNEXPECTED,
    assessment_fail,
    assessment_run,
    assessments_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    # A file that kills its worker (out of memory) must not be delivered again and again:
    # the page shows the assessment as stopped once the time limit has passed.
    reject_on_worker_lost=False,
    time_limit=task_time_limit(),
    soft_time_limit=task_time_limit() - 30,
)
def assess_task(assessment_id: int) -> str:
    """Measure ``AnonymityAssessment`` ``assessment_id``. Safe to deliver twice: only the
    delivery whose conditional UPDATE claims the queued row measures it."""
    try:
        return assessment_run(assessment_id)
    except SoftTimeLimitExceeded:
        assessment_fail(assessment_id, TOO_LONG)
        return "failed"
    except Exception:
        logger.exception("anonymity assessment failed", extra={"assessment": assessment_id})
        assessment_fail(assessment_id, UNEXPECTED)
        return "failed"


@shared_task(acks_late=True, time_limit=120)
def sweep_assessments_task() -> dict[str, list[int]]:
    """Every five minutes (beat): lost messages published again, dead workers' jobs
    recorded as failed (``anonymity.services.assessments_sweep``)."""
    return assessments_sweep()
