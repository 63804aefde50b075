"""Reads of the anonymity app (and the hook the privacy rules call)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from anonymity.choices import Verdict
from anonymity.models import AnonymityAssessment


def assessments_list(queryset: QuerySet[AnonymityAssessment]) -> QuerySet[AnonymityAssessment]:
    """Newest first, with what the list shows in the same query (one query)."""
    related = ["created_by"]
    if _has_processing_link():
        related.append("processing")
    return queryset.select_related(*related).defer("results")


def _has_processing_link() -> bool:
    return any(f.name == "processing" for f in AnonymityAssessment._meta.get_fields())


def passing_assessment_exists(processing: Any) -> bool:
    """Hook for ``privacy.rules.anonymity_assessment_passed``: a processing that claims
    its data are anonymised passes only when its latest linked assessment says
    ``anonymous`` (a later ``pseudonymised`` result withdraws an earlier pass)."""
    if not _has_processing_link():
        return False
    latest = (
        AnonymityAssessment.objects.filter(
            **{"processing": processing, "organisation_id": processing.organisation_id}
        )
        .order_by("-created_at", "-id")
        .values_list("verdict", flat=True)
        .first()
    )
    return latest == Verdict.ANONYMOUS
