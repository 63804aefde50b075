"""The organisation's dashboard: where it stands and what to do this week.

Each panel is a function of the (resolved) membership that returns plain data for the
template, or None when the member's role may not see it. Every figure comes with the URL
of the filtered list behind it. Panels of feature apps read those apps' selectors.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from compliance.models import Membership
from compliance.permissions import Permission
from controls.choices import ImplementationStatus
from controls.models import Framework, ScoreSnapshot
from controls.selectors import (
    ScopedRows,
    compliance_scores,
    is_soa_control,
    row_of,
    scored_requirements,
    scores_by_framework,
)

TREND_DAYS = 90
# Stacked-bar order and colours (CSS classes in egide.css) of implementation statuses.
STATUS_SEGMENTS = [
    (ImplementationStatus.IMPLEMENTED, "seg-ok"),
    (ImplementationStatus.PARTIAL, "seg-partial"),
    (ImplementationStatus.PLANNED, "seg-planned"),
    (ImplementationStatus.NOT_STARTED, "seg-none"),
]


@dataclass
class FrameworkPosition:
    framework: Framework
    percent: int | None
    counted: int
    url: str
    trend: list[tuple[str, int | None]] = field(default_factory=list)


@dataclass
class ThemeStatus:
    name: str
    total: int
    segments: list[dict[str, Any]]  # label, count, css, url

    @property
    def segments_tuples(self) -> list[tuple[str, int, str]]:
        return [(s["label"], s["count"], s["css"]) for s in self.segments]


def compliance_panel(membership: Membership) -> dict[str, Any] | None:
    """Score per framework with its trend, and the SoA by theme and status (five queries
    whatever the number of frameworks: requirements, attributes, SoA lines, statuses and
    snapshots)."""
    if not membership.has_perm(Permission.VIEW_COMPLIANCE):
        return None
    slug = membership.organisation.slug
    requirements = list(scored_requirements(ScopedRows.for_membership(membership)))
    scores = scores_by_framework(requirements)
    frameworks = {r.framework_id: r.framework for r in requirements}
    since = timezone.localdate() - datetime.timedelta(days=TREND_DAYS)
    trends: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for snapshot in ScoreSnapshot.objects.for_membership(membership).filter(day__gte=since):
        trends[snapshot.framework_id].append(
            (date_format(snapshot.day, "SHORT_DATE_FORMAT"), snapshot.percent)
        )

    positions = []
    for framework_id, framework in sorted(frameworks.items(), key=lambda item: item[1].code):
        framework_scores = scores.get(framework_id) or compliance_scores([])
        url = (
            reverse("soa", args=[slug])
            if framework.has_statement_of_applicability
            else reverse("framework_detail", args=[slug, framework.code])
        )
        positions.append(
            FrameworkPosition(
                framework=framework,
                percent=framework_scores.overall.percent,
                counted=framework_scores.overall.counted,
                url=url,
                trend=trends.get(framework_id, []),
            )
        )
    return {"frameworks": positions, "soa_themes": _soa_by_theme(requirements, slug)}


def _soa_by_theme(requirements: list[Any], slug: str) -> list[ThemeStatus]:
    """Applicable (or undecided) Annex A controls of each theme, counted by status; each
    count links to the SoA filtered on that theme and status."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for requirement in requirements:
        if not is_soa_control(requirement) or requirement.theme is None:
            continue
        row = row_of(requirement)
        if row is not None and row.applicable is False:
            continue
        status = row.status if row is not None else ImplementationStatus.NOT_STARTED
        key = (requirement.theme.code, requirement.theme.name)
        counts.setdefault(key, defaultdict(int))[status] += 1
    soa_url = reverse("soa", args=[slug])
    themes = []
    for (code, name), by_status in counts.items():
        segments = [
            {
                "label": status.label,
                "count": by_status.get(status, 0),
                "css": css,
                "url": f"{soa_url}?theme={code}&status={status.value}",
            }
            for status, css in STATUS_SEGMENTS
        ]
        themes.append(ThemeStatus(name=name, total=sum(by_status.values()), segments=segments))
    return themes
