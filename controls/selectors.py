"""Reads for the SoA and status pages and the API, with fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from compliance.models import Membership
from controls.choices import STATUS_SCORE, ImplementationStatus
from controls.models import Applicability, ControlStatus, Framework, Requirement


def soa_framework() -> Framework | None:
    """The framework whose Annex A controls form the SoA (the newest loaded version)."""
    return (
        Framework.objects.filter(has_statement_of_applicability=True).order_by("-version").first()
    )


def requirements_with_rows(
    framework: Framework,
    *,
    soa_rows: QuerySet[Applicability],
    status_rows: QuerySet[ControlStatus],
    assessable_only: bool = True,
) -> QuerySet[Requirement]:
    """Requirements of a framework with the organisation's SoA line (``soa_rows``) or
    status (``status_rows``) prefetched: callers pass querysets already scoped to one
    organisation (``for_membership`` / ``for_api_key``). Five queries whatever the size:
    requirements with their theme, attribute values, SoA lines, statuses, and nothing
    per row."""
    requirements = (
        Requirement.objects.filter(framework=framework)
        .select_related("theme", "framework")
        .prefetch_related(Prefetch("attribute_values", to_attr="prefetched_attributes"))
    )
    if assessable_only:
        requirements = requirements.filter(assessable=True)
    related = ("owner", "suggested_from__framework")
    return requirements.prefetch_related(
        Prefetch(
            "applicability_rows", queryset=soa_rows.select_related(*related), to_attr="soa_rows"
        ),
        Prefetch(
            "controlstatus_rows",
            queryset=status_rows.select_related(*related),
            to_attr="status_rows",
        ),
    )


def row_of(requirement: Requirement) -> Any:
    """The organisation's SoA line or status of a requirement from requirements_with_rows."""
    soa_rows = getattr(requirement, "soa_rows", None) or []
    status_rows = getattr(requirement, "status_rows", None) or []
    rows = soa_rows or status_rows
    return rows[0] if rows else None


@dataclass
class Score:
    label: str
    counted: int = 0
    points: float = 0.0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def percent(self) -> int | None:
        return round(100 * self.points / self.counted) if self.counted else None

    def add(self, status: str) -> None:
        self.counted += 1
        self.points += STATUS_SCORE[ImplementationStatus(status)]
        self.by_status[status] += 1


@dataclass
class Scores:
    overall: Score
    by_theme: list[Score]
    by_attribute: list[Score]


def compliance_scores(requirements: list[Requirement]) -> Scores:
    """Score = (implemented + ½ partial) / requirements counted. An SoA control counts
    when it is applicable or not yet decided; an excluded control does not count."""
    overall = Score("overall")
    themes: dict[str, Score] = {}
    attributes: dict[str, Score] = {}
    for requirement in requirements:
        row = row_of(requirement)
        if row is not None and getattr(row, "applicable", None) is False:
            continue
        status = row.status if row is not None else ImplementationStatus.NOT_STARTED
        overall.add(status)
        theme_label = requirement.theme.name if requirement.theme else "—"
        themes.setdefault(theme_label, Score(theme_label)).add(status)
        for attribute in getattr(requirement, "prefetched_attributes", []):
            label = f"{attribute.family}:{attribute.value}"
            attributes.setdefault(label, Score(label)).add(status)
    return Scores(
        overall, list(themes.values()), sorted(attributes.values(), key=lambda s: s.label)
    )


def organisation_owners(membership: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.for_membership(membership)
        .select_related("user")
        .order_by("user__last_name")
    )
