"""Background work of the evidence app. Tasks take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor
from evidence.services import evidence_verify

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60)
def verify_evidence_task(organisation_id: int | None = None) -> dict[str, object]:
    """Nightly (Celery beat): re-hash every stored evidence file, mark changed or missing
    ones and log an error for each. Safe to run twice: a second run finds the same."""
    organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
    report = evidence_verify(actor=SystemActor("verify_evidence"), organisation=organisation)
    for check in report.bad:
        logger.error(
            "evidence file %s",
            check.status,
            extra={
                "organisation": check.organisation_slug,
                "evidence_id": check.evidence_id,
                "revision": check.number,
                "expected_sha256": check.expected_sha256,
                "found_sha256": check.found_sha256,
            },
        )
    return {
        "revisions": len(report.checks),
        "files": report.files_hashed,
        "bad": [check.revision_id for check in report.bad],
    }
