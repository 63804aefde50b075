"""Record today's compliance score of each framework, for the dashboard's trend."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from compliance.models import Organisation
from controls.models import Applicability, ControlStatus, Framework, ScoreSnapshot
from controls.selectors import ScopedRows, scored_requirements, scores_by_framework


def score_snapshots_record(
    *, organisation: Organisation, day: datetime.date | None = None
) -> list[ScoreSnapshot]:
    """Compute every framework's score now and store it as the snapshot of ``day``
    (today in the project's time zone by default). Running it twice on one day keeps the
    latest figures. Read-only towards statuses, so not in the audit trail: it records a
    measurement, not a decision."""
    day = day or timezone.localdate()
    # A system job, not a person: it reads one organisation's rows by their key.
    rows = ScopedRows(
        Applicability.objects.filter(organisation=organisation),
        ControlStatus.objects.filter(organisation=organisation),
    )
    scores = scores_by_framework(scored_requirements(rows))
    frameworks = Framework.objects.in_bulk(list(scores))
    snapshots = []
    with transaction.atomic():
        for framework_id, framework_scores in scores.items():
            overall = framework_scores.overall
            snapshot, _created = ScoreSnapshot.objects.update_or_create(
                organisation=organisation,
                framework=frameworks[framework_id],
                day=day,
                defaults={
                    "percent": overall.percent,
                    "counted": overall.counted,
                    "by_status": dict(overall.by_status),
                },
            )
            snapshots.append(snapshot)
    return snapshots
