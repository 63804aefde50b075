"""Background work of the compliance core. Tasks take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from compliance.models import Organisation
from compliance.services.audit_trail import audit_trail_verify

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def verify_audit_trail_task(organisation_id: int | None = None) -> dict[str, object]:
    """Recompute the audit trail's hash chains (nightly through Celery beat) and log an
    error naming the first broken event of every tampered chain. Read-only, so safe to
    run twice."""
    organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
    reports = audit_trail_verify(organisation=organisation)
    broken = [report for report in reports if not report.intact]
    for report in broken:
        assert report.first_break is not None
        logger.error(
            "audit trail broken",
            extra={
                "chain": report.chain_key,
                "event_id": report.first_break.event_id,
                "sequence": report.first_break.sequence,
                "reason": report.first_break.reason,
            },
        )
    return {
        "chains": len(reports),
        "events": sum(report.events_checked for report in reports),
        "broken": [report.chain_key for report in broken],
    }
