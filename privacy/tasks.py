"""Background work of the register. Thin tasks that call the services."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from privacy.imports import (
    TOO_LONG,
    UNEXPECTED,
    register_import_fail,
    register_import_run,
    register_imports_sweep,
)
from privacy.models import import_time_limit
from privacy.reminders import expiry_reminders_send
from privacy.services import findings_recompute_all

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def privacy_daily_task() -> dict[str, int]:
    """Daily (Celery beat): re-run the rules (an expiry date passes without any write),
    then send the 90/30/7-day warnings. Both steps are safe to run twice."""
    return {
        "processings": findings_recompute_all(),
        "reminders": expiry_reminders_send(),
    }


@shared_task(
    bind=True,
    acks_late=True,
    # A file that kills its worker must not come back again and again: the page shows
    # the import as stopped once the time limit has passed.
    reject_on_worker_lost=False,
    time_limit=import_time_limit(),
    soft_time_limit=import_time_limit() - 30,
)
def register_import_task(self, import_id: int) -> str:  # type: ignore[no-untyped-def]
    """Check and apply ``RegisterImport`` ``import_id``, all or nothing. Safe to deliver
    twice: only the delivery whose conditional UPDATE claims the queued row imports."""
    try:
        # In-process (no broker) the request's own transaction may still hold the row:
        # progress is then written directly, not from a thread with its own connection.
        return register_import_run(import_id, threaded=not self.request.is_eager)
    except SoftTimeLimitExceeded:
        register_import_fail(import_id, TOO_LONG)
        return "failed"
    except Exception:
        logger.exception("register import failed", extra={"register_import": import_id})
        register_import_fail(import_id, UNEXPECTED)
        return "failed"


@shared_task(acks_late=True, time_limit=120)
def sweep_register_imports_task() -> dict[str, list[int]]:
    """Every five minutes (beat): lost messages published again, dead workers' imports
    recorded as failed (``privacy.imports.register_imports_sweep``)."""
    return register_imports_sweep()
