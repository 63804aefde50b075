"""Reads of the evidence app with fixed query counts, for pages, the API and other apps.

``evidence_counts`` and ``valid_evidence_counts`` are what the SoA and the audits app use
to say how much valid evidence supports a requirement: an item counts while it is not
past its expiry date and none of its files was found changed or missing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from compliance.models import Organisation
from controls.models import Requirement
from evidence.models import BAD_INTEGRITY, Evidence, EvidenceRevision


@dataclass(frozen=True)
class EvidenceCount:
    """Evidence linked to one requirement: ``valid`` counts, ``expired`` and
    ``compromised`` are shown beside it and do not."""

    valid: int = 0
    expired: int = 0
    compromised: int = 0

    @property
    def total(self) -> int:
        return self.valid + self.expired + self.compromised


NO_EVIDENCE = EvidenceCount()


def evidence_counts(
    organisation: Organisation | int,
    requirement_ids: Iterable[int] | None = None,
    *,
    today: datetime.date | None = None,
) -> dict[int, EvidenceCount]:
    """``{requirement id: EvidenceCount}`` for one organisation, in one query whatever the
    number of requirements and links. Requirements without evidence are absent: read with
    ``.get(pk, NO_EVIDENCE)``."""
    today = today or timezone.localdate()
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    links = Evidence.requirements.through.objects.filter(evidence__organisation_id=organisation_id)
    if requirement_ids is not None:
        links = links.filter(requirement_id__in=list(requirement_ids))
    bad = Exists(
        EvidenceRevision.objects.filter(
            evidence_id=OuterRef("evidence_id"), integrity_status__in=BAD_INTEGRITY
        )
    )
    expired = Q(evidence__expires_on__lt=today)
    rows = (
        links.values("requirement_id")
        .annotate(
            compromised=Count("pk", filter=Q(bad)),
            expired=Count("pk", filter=expired & ~Q(bad)),
            valid=Count("pk", filter=~expired & ~Q(bad)),
        )
        .order_by()
    )
    return {
        row["requirement_id"]: EvidenceCount(row["valid"], row["expired"], row["compromised"])
        for row in rows
    }


def valid_evidence_counts(
    organisation: Organisation | int,
    requirement_ids: Iterable[int] | None = None,
    *,
    today: datetime.date | None = None,
) -> dict[int, int]:
    """``{requirement id: number of valid evidence items}`` (absent means none)."""
    return {
        pk: count.valid
        for pk, count in evidence_counts(organisation, requirement_ids, today=today).items()
        if count.valid
    }


def integrity_summary(revisions: QuerySet[EvidenceRevision]) -> dict[str, Any]:
    """When ``verify_evidence`` last ran over these revisions and how many it found bad:
    one query."""
    return revisions.aggregate(
        last_verified=Max("verified_at"),
        bad=Count("pk", filter=Q(integrity_status__in=BAD_INTEGRITY)),
        total=Count("pk"),
    )


def with_list_details(items: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Items with what the list shows: revision counts and integrity problems (in the same
    query), and the requirements they support (one more query)."""
    bad = EvidenceRevision.objects.filter(
        evidence_id=OuterRef("pk"), integrity_status__in=BAD_INTEGRITY
    )
    return (
        items.select_related("created_by")
        .annotate(
            revision_count=Count("revisions", distinct=True),
            has_bad_revision=Exists(bad),
        )
        # Meta.ordering is not applied to a GROUP BY query: without this, pages of the
        # list could repeat or skip items.
        .order_by("-created_at", "-pk")
        .prefetch_related(
            Prefetch(
                "requirements",
                # Only what a badge shows: decoding every requirement's and framework's
                # JSON columns cost more than the rest of a 100-item API page.
                queryset=Requirement.objects.select_related("framework")
                .only(*LINKED_REQUIREMENT_FIELDS)
                .order_by("framework_id", "order"),
                # A plain list per item: prefetching into the related manager builds a
                # manager and a queryset per row, a third of a 100-item API page.
                to_attr="linked_requirements",
            )
        )
    )


LINKED_REQUIREMENT_FIELDS = (
    "id",
    "ref_id",
    "title_fr",
    "title_en",
    "order",
    "framework__id",
    "framework__code",
    "framework__name_fr",
    "framework__name_en",
)


def with_detail(items: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Items with their revisions (``revision_list``, newest first, with uploaders) and
    requirements (``linked_requirements``): three queries."""
    return with_list_details(items).prefetch_related(
        Prefetch(
            "revisions",
            queryset=EvidenceRevision.objects.select_related("uploaded_by").order_by("-number"),
            to_attr="revision_list",
        )
    )
