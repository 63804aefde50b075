"""Reads that feed the audits pages, the API and the PDF reports. Each returns plain
objects built from a fixed number of queries (the numbers are pinned in the tests)."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from audits.choices import ACTION_OPEN_STATUSES, AuditStatus, CheckResult, FindingStatus
from audits.models import Audit, AuditCheck, Finding, RemediationAction
from compliance.choices import Role
from compliance.models import Membership

DUE_SOON_DAYS = 30


# --- Audits and checks -----------------------------------------------------------------


def audits_with_progress(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Audits annotated with ``checks_total``, ``checks_done`` and ``open_findings``
    (one query, whatever the number of audits)."""
    return audits.select_related("organisation", "lead_auditor").annotate(
        checks_total=Count("checks", distinct=True),
        checks_done=Count(
            "checks", filter=~Q(checks__result=CheckResult.NON_EVALUE), distinct=True
        ),
        open_findings=Count(
            "findings", filter=Q(findings__status=FindingStatus.OPEN), distinct=True
        ),
    )


def progress_percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def audit_checks(audit: Audit) -> QuerySet[AuditCheck]:
    """The audit's checks in scope order with their requirement, theme, finding and the
    number of evidence items (one query)."""
    return (
        AuditCheck.objects.filter(audit=audit)
        .select_related("requirement__theme", "requirement__framework", "finding")
        .annotate(evidence_count=Count("evidence"))
        .order_by("order", "pk")
    )


@dataclass
class ThemeChecks:
    key: str
    label: str
    theme_code: str
    checks: list[AuditCheck] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def nonconformities(self) -> int:
        return self.counts[CheckResult.NC_MAJEURE] + self.counts[CheckResult.NC_MINEURE]


@dataclass
class AuditSummary:
    """An audit with its checks grouped by theme and the result counts, what the
    evidence pack and the audit detail page show."""

    audit: Audit
    themes: list[ThemeChecks]
    counts: dict[str, int]
    total: int
    done: int

    @property
    def percent(self) -> int:
        return progress_percent(self.done, self.total)

    @property
    def result_rows(self) -> list[tuple[str, str, int]]:
        return [
            (value, str(label), self.counts.get(value, 0)) for value, label in CheckResult.choices
        ]


def audit_summary(audit: Audit, *, with_evidence: bool = False) -> AuditSummary:
    """Checks by theme (catalogue theme, or framework for requirements without one)
    and counts per result. ``with_evidence`` prefetches each check's evidence items
    (``check.evidence.all()``) for the evidence pack."""
    checks = audit_checks(audit)
    if with_evidence:
        checks = checks.prefetch_related("evidence")
    themes: dict[str, ThemeChecks] = {}
    counts: Counter[str] = Counter()
    for check in checks:
        requirement = check.requirement
        theme = requirement.theme
        key = f"{requirement.framework.code}:{theme.code if theme else '-'}"
        if key not in themes:
            label = theme.name if theme else requirement.framework.name
            themes[key] = ThemeChecks(key, label, theme.code if theme else "-")
        themes[key].checks.append(check)
        themes[key].counts[check.result] += 1
        counts[check.result] += 1
    total = sum(counts.values())
    done = total - counts.get(CheckResult.NON_EVALUE, 0)
    return AuditSummary(audit, list(themes.values()), dict(counts), total, done)


def filter_checks(
    checks: Iterable[AuditCheck], *, theme: str = "", result: str = ""
) -> list[AuditCheck]:
    """The checklist's filters, applied in memory so that counts stay on all checks.
    ``result`` also takes "todo" (not assessed) and "done" (any other result)."""
    shown = []
    for check in checks:
        requirement = check.requirement
        if theme and (requirement.theme.code if requirement.theme else "-") != theme:
            continue
        if result == "todo" and check.is_done:
            continue
        if result == "done" and not check.is_done:
            continue
        if result not in ("", "todo", "done") and check.result != result:
            continue
        shown.append(check)
    return shown


# --- Findings --------------------------------------------------------------------------


def findings_with_actions(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Findings with their audit, requirement and actions (with owners): two queries."""
    return findings.select_related(
        "audit", "requirement__framework", "audit_check"
    ).prefetch_related(
        Prefetch(
            "actions",
            queryset=RemediationAction.objects.select_related("owner", "verified_by").order_by(
                "due_date", "pk"
            ),
        )
    )


# --- Remediation plan ------------------------------------------------------------------


@dataclass
class PlanRow:
    action: RemediationAction
    overdue: bool
    due_soon: bool
    days_left: int

    @property
    def days_late(self) -> int:
        return -self.days_left


def plan_actions(
    actions: QuerySet[RemediationAction],
    *,
    owner: str = "",
    framework: str = "",
    status: str = "",
) -> QuerySet[RemediationAction]:
    """The plan's actions with their finding, audit, requirement and owner (one query).
    ``owner`` is a user id or "none"; ``framework`` a framework code; ``status`` an
    action status or "open" (open or in progress)."""
    if owner == "none":
        actions = actions.filter(owner__isnull=True)
    elif owner.isdigit():
        actions = actions.filter(owner_id=int(owner))
    if framework:
        actions = actions.filter(finding__requirement__framework__code=framework)
    if status == "open":
        actions = actions.filter(status__in=ACTION_OPEN_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    return actions.select_related(
        "owner",
        "verified_by",
        "finding__audit",
        "finding__requirement__framework",
    ).order_by("due_date", "pk")


def plan_rows(
    actions: Iterable[RemediationAction], *, today: datetime.date | None = None
) -> list[PlanRow]:
    """Each action with whether it is overdue or due in the next 30 days (only open or
    in-progress actions are ever late: done work waits for verification, not the owner)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    rows = []
    for action in actions:
        open_ = action.status in ACTION_OPEN_STATUSES
        rows.append(
            PlanRow(
                action=action,
                overdue=open_ and action.due_date < today,
                due_soon=open_ and today <= action.due_date <= soon,
                days_left=(action.due_date - today).days,
            )
        )
    return rows


@dataclass
class BurnPoint:
    day: datetime.date
    open_actions: int
    planned: int  # open actions whose due date is still ahead: the line to follow


def burn_down(
    actions: QuerySet[RemediationAction],
    *,
    today: datetime.date | None = None,
    weeks: int = 12,
) -> list[BurnPoint]:
    """Open actions at the end of each of the last ``weeks`` weeks and today (one query).
    An action counts as open from its creation until it is marked done (or verified);
    ``planned`` counts those whose due date is not yet past, i.e. the plan if every
    action were finished on its due date."""
    today = today or timezone.localdate()
    rows = list(actions.values_list("created_at", "completed_at", "verified_at", "due_date"))
    days = [today - datetime.timedelta(weeks=w) for w in range(weeks, 0, -1)] + [today]
    points = []
    for day in days:
        open_count = planned = 0
        for created_at, completed_at, verified_at, due_date in rows:
            if timezone.localtime(created_at).date() > day:
                continue
            finished = completed_at or verified_at
            if finished is not None and timezone.localtime(finished).date() <= day:
                continue
            open_count += 1
            if due_date > day:
                planned += 1
        points.append(BurnPoint(day, open_count, planned))
    return points


@dataclass
class Chart:
    """A line chart laid out for an inline SVG (coordinates in the viewBox)."""

    width: int
    height: int
    actual: str
    planned: str
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, datetime.date]]
    points: list[BurnPoint]

    @property
    def first_open(self) -> int:
        return self.points[0].open_actions if self.points else 0

    @property
    def last_open(self) -> int:
        return self.points[-1].open_actions if self.points else 0


def burn_down_chart(points: list[BurnPoint], *, width: int = 640, height: int = 220) -> Chart:
    left, right, top, bottom = 40, 10, 10, 30
    top_value = max([p.open_actions for p in points] + [p.planned for p in points] + [1])
    step = (width - left - right) / max(len(points) - 1, 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / top_value), 1)

    def line(values: list[int]) -> str:
        return " ".join(f"{round(left + i * step, 1)},{y(v)}" for i, v in enumerate(values))

    tick_values = sorted({0, top_value // 2, top_value})
    return Chart(
        width=width,
        height=height,
        actual=line([p.open_actions for p in points]),
        planned=line([p.planned for p in points]),
        y_ticks=[(y(v), v) for v in tick_values],
        x_ticks=[
            (round(left + i * step, 1), p.day)
            for i, p in enumerate(points)
            if i % 3 == 0 or i == len(points) - 1
        ],
        points=points,
    )


# --- Portfolio -------------------------------------------------------------------------

PORTFOLIO_ROLES = (Role.LEAD_AUDITOR, Role.AUDITOR)
STATUS_ORDER = Case(
    When(status=AuditStatus.FIELDWORK, then=Value(0)),
    When(status=AuditStatus.REPORTING, then=Value(1)),
    When(status=AuditStatus.PLANNED, then=Value(2)),
    default=Value(3),
)


def portfolio_audits(user: Any) -> QuerySet[Audit]:
    """The lead auditor's portfolio: across every organisation the user is an active
    member of, the audits of those where they are (lead) auditor, and any audit that
    names them lead auditor or auditor. One query, with progress and open findings."""
    memberships = Membership.objects.of_user(user)
    organisations = memberships.values("organisation_id")
    auditing = memberships.filter(role__in=PORTFOLIO_ROLES).values("organisation_id")
    audits = Audit.objects.filter(organisation__in=organisations).filter(
        Q(organisation__in=auditing) | Q(lead_auditor=user) | Q(auditors=user)
    )
    return audits_with_progress(audits.distinct()).order_by(STATUS_ORDER, "-planned_start", "-pk")
