"""Background work of the catalogues and statuses. Tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task

from compliance.models import Organisation
from controls.services.history import score_snapshots_record


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def record_score_snapshots_task() -> int:
    """Nightly: today's score of every framework of every active organisation (safe to
    run twice: the day's snapshot is replaced)."""
    recorded = 0
    for organisation in Organisation.objects.filter(is_active=True).iterator():
        recorded += len(score_snapshots_record(organisation=organisation))
    return recorded
