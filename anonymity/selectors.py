"""Reads of the anonymity app (and the hook the privacy rules call)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from anonymity.choices import AssessmentStatus, Verdict
from anonymity.models import AnonymityAssessment


def assessments_list(queryset: QuerySet[AnonymityAssessment]) -> QuerySet[AnonymityAssessment]:
    """Newest first, with what the list shows in the same query (one query)."""
    return queryset.select_related("created_by", "processing").defer("results")


def passing_assessment_exists(processing: Any) -> bool:
    """Hook for ``privacy.rules.anonymity_assessment_passed``: a processing that claims
    its data are anonymised passes only when its latest linked assessment says
    ``anonymous`` (a later ``pseudonymised`` result withdraws an earlier pass). Only
    finished measures count: one still queued, or failed, says nothing either way."""
    latest = (
        AnonymityAssessment.objects.filter(
            processing=processing,
            organisation_id=processing.organisation_id,
            status=AssessmentStatus.DONE,
        )
        .order_by("-created_at", "-id")
        .values_list("verdict", flat=True)
        .first()
    )
    return latest == Verdict.ANONYMOUS
