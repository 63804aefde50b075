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


# --- What to do this week: panels of the feature apps -----------------------------------

SOON_DAYS = 30
LISTED = 5  # rows listed under a figure; the figure links to the full list


def _url(name: str, slug: str, query: str = "", *args: Any) -> str:
    url = reverse(name, args=[slug, *args])
    return f"{url}?{query}" if query else url


def findings_panel(membership: Membership) -> dict[str, Any] | None:
    """Open audit findings by severity (one query)."""
    if not membership.has_perm(Permission.VIEW_AUDITS):
        return None
    from django.db.models import Count

    from audits.choices import FindingSeverity, FindingStatus
    from audits.models import Finding

    counts = dict(
        Finding.objects.for_membership(membership)
        .filter(status=FindingStatus.OPEN)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    slug = membership.organisation.slug
    rows = [
        {
            "label": severity.label,
            "severity": severity.value,
            "count": counts.get(severity.value, 0),
            "url": _url("audits:finding_list", slug, f"status=open&severity={severity.value}"),
        }
        for severity in FindingSeverity
    ]
    return {
        "rows": rows,
        "total": sum(counts.values()),
        "url": _url("audits:finding_list", slug, "status=open"),
    }


def actions_panel(membership: Membership) -> dict[str, Any] | None:
    """Remediation actions overdue and due within 30 days, the first few of each listed
    (one query for the counts, one for the listed rows)."""
    if not membership.has_perm(Permission.VIEW_REMEDIATION):
        return None
    from django.db.models import Count, Q

    from audits.choices import ACTION_OPEN_STATUSES
    from audits.models import RemediationAction

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    open_actions = RemediationAction.objects.for_membership(membership).filter(
        status__in=ACTION_OPEN_STATUSES
    )
    counts = open_actions.aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=soon)),
    )
    upcoming = list(
        open_actions.filter(due_date__lte=soon)
        .select_related("owner", "finding")
        .order_by("due_date", "pk")[:LISTED]
    )
    slug = membership.organisation.slug
    plan = _url("audits:plan", slug)
    return {
        "overdue": counts["overdue"],
        "due_soon": counts["due_soon"],
        "overdue_url": f"{plan}#overdue",
        "due_soon_url": f"{plan}#due-soon",
        "rows": [
            {
                "action": action,
                "overdue": action.due_date < today,
                "url": _url("audits:action_edit", slug, "", action.pk),
            }
            for action in upcoming
        ],
        "url": plan,
    }


def clocks_panel(membership: Membership) -> dict[str, Any] | None:
    """Every breach notification still owed, soonest first (one query)."""
    if not membership.has_perm(Permission.VIEW_INCIDENTS):
        return None
    from incidents.selectors import running_clocks

    # The membership was resolved from the URL: its organisation is the scope.
    clocks = running_clocks(membership.organisation)
    slug = membership.organisation.slug
    return {
        "count": len(clocks),
        "overdue": sum(1 for clock in clocks if clock.overdue),
        "rows": [
            {"clock": clock, "url": _url("incident_detail", slug, "", clock.incident.pk)}
            for clock in clocks[:LISTED]
        ],
        "url": _url("incident_list", slug),
    }


def privacy_panel(membership: Membership) -> dict[str, Any] | None:
    """Article 66 and register findings by severity, authorisations and HDS certificates
    expiring within 90 days (privacy_alerts: five queries)."""
    if not membership.has_perm(Permission.VIEW_REGISTER):
        return None
    from privacy.choices import SEVERITY_ORDER
    from privacy.selectors import privacy_alerts

    alerts = privacy_alerts(membership.organisation)
    slug = membership.organisation.slug
    return {
        "alerts": alerts,
        "rows": [
            {
                "label": severity.label,
                "severity": severity.value,
                "count": alerts.findings_by_severity.get(severity.value, 0),
                "url": _url("register_list", slug, f"severity={severity.value}"),
            }
            for severity in SEVERITY_ORDER
        ],
        "routes": [
            {"route": route, "url": _url("register_processing", slug, "", route.processing_id)}
            for route in [*alerts.expired_routes, *alerts.expiring_routes][:LISTED]
        ],
        "certificates": [
            {"processor": processor, "url": _url("register_processor_edit", slug, "", processor.pk)}
            for processor in [*alerts.expired_certificates, *alerts.expiring_certificates][:LISTED]
        ],
        "url": _url("register_list", slug),
    }


def evidence_panel(membership: Membership) -> dict[str, Any] | None:
    """Evidence expired, expiring within 30 days, and compromised (one query)."""
    if not membership.has_perm(Permission.VIEW_EVIDENCE):
        return None
    from django.db.models import Count, Q

    from evidence.models import BAD_INTEGRITY, Evidence

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    items = Evidence.objects.for_membership(membership)
    counts = items.aggregate(
        expired=Count("pk", filter=Q(expires_on__lt=today), distinct=True),
        expiring=Count("pk", filter=Q(expires_on__gte=today, expires_on__lte=soon), distinct=True),
        compromised=Count(
            "pk", filter=Q(revisions__integrity_status__in=BAD_INTEGRITY), distinct=True
        ),
    )
    slug = membership.organisation.slug
    return {
        **counts,
        "expired_url": _url("evidence_list", slug, "state=expired"),
        "compromised_url": _url("evidence_list", slug, "state=compromised"),
        "expiring_rows": [
            {"item": item, "url": _url("evidence_detail", slug, "", item.pk)}
            for item in items.filter(expires_on__gte=today, expires_on__lte=soon).order_by(
                "expires_on", "pk"
            )[:LISTED]
        ],
        "url": _url("evidence_list", slug),
    }


def this_week_context(membership: Membership) -> dict[str, Any]:
    """The panels of what to do this week (refreshed every minute on the page)."""
    return {
        "findings": findings_panel(membership),
        "actions": actions_panel(membership),
        "clocks": clocks_panel(membership),
        "privacy": privacy_panel(membership),
        "evidence": evidence_panel(membership),
    }


def dashboard_context(membership: Membership) -> dict[str, Any]:
    """Every panel the member's role may see (None for the others)."""
    return {"compliance": compliance_panel(membership), **this_week_context(membership)}
