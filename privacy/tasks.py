"""Background work of the register. Thin tasks that call the services."""

from __future__ import annotations

from celery import shared_task

from privacy.reminders import expiry_reminders_send
from privacy.services import findings_recompute_all


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def privacy_daily_task() -> dict[str, int]:
    """Daily (Celery beat): re-run the rules (an expiry date passes without any write),
    then send the 90/30/7-day warnings. Both steps are safe to run twice."""
    return {
        "processings": findings_recompute_all(),
        "reminders": expiry_reminders_send(),
    }
