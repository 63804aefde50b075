"""The audit documents: the evidence pack of an audit and the remediation plan.

Both read the audits and evidence apps' models (never write them). Everything the
template needs is gathered here into plain rows with a fixed number of queries, so that
rendering a pack of a thousand evidence revisions costs template and layout time only.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.choices import (
    ACTION_OPEN_STATUSES,
    ActionStatus,
    CheckResult,
    FindingSeverity,
    FindingStatus,
    Priority,
)
from audits.models import Audit, AuditCheck, Finding, RemediationAction
from compliance.models import Organisation
from controls.models import SoaVersion
from evidence.models import EvidenceRevision
from evidence.services.files import hash_stored, open_stored
from reports.charts import month_ticks, stacked_bars
from reports.documents.soa import soa_manifest_item, soa_section
from reports.registry import BuildRequest, Built, BundleFile, ManifestItem

EVIDENCE_PACK_LABEL = gettext_lazy("Audit evidence pack")
REMEDIATION_PLAN_LABEL = gettext_lazy("Remediation plan")

RESULT_COLOURS = {
    CheckResult.CONFORME: "#4c9a63",
    CheckResult.PISTE_DE_PROGRES: "#7ea6d8",
    CheckResult.OBSERVATION: "#e0b13a",
    CheckResult.NC_MINEURE: "#e67e22",
    CheckResult.NC_MAJEURE: "#c0392b",
    CheckResult.NON_EVALUE: "#c9d2dc",
}
SEVERITY_CLASS: dict[str, str] = {
    FindingSeverity.MAJOR: "major",
    FindingSeverity.MINOR: "minor",
    FindingSeverity.OBSERVATION: "observation",
    FindingSeverity.OPPORTUNITY: "opportunity",
}
PRIORITY_ORDER = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


# --- Parameters -----------------------------------------------------------------------


def clean_evidence_pack(organisation: Organisation, parameters: dict[str, Any]) -> dict[str, Any]:
    try:
        audit_id = int(parameters.get("audit") or 0)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose an audit.")) from error
    # Another organisation's audit is refused exactly like a missing one.
    if not audit_id or not Audit.objects.filter(organisation=organisation, pk=audit_id).exists():
        raise ValidationError(_("Choose an audit of this organisation."))
    return {"audit": audit_id}


def clean_remediation_plan(
    organisation: Organisation, parameters: dict[str, Any]
) -> dict[str, Any]:
    return {}


# --- Evidence pack --------------------------------------------------------------------


@dataclass
class EvidenceRow:
    id: int
    evidence_id: int
    evidence_title: str
    number: int
    file_name: str
    size: int
    sha256: str
    collected_on: datetime.date | None
    storage_name: str

    def manifest_item(self) -> ManifestItem:
        return {
            "type": "evidence_revision",
            "id": self.id,
            "evidence": self.evidence_id,
            "revision": self.number,
            "file_name": self.file_name,
            "size": self.size,
            "collected_on": self.collected_on.isoformat() if self.collected_on else None,
            "sha256": self.sha256,
        }


@dataclass
class ThemeChecks:
    name: str
    checks: list[dict[str, Any]] = field(default_factory=list)


def _result_labels() -> dict[str, str]:
    return {code: str(label) for code, label in CheckResult.choices}


def _theme_name(requirement: Any, language: str) -> str:
    theme = requirement.theme
    if theme is not None:
        return str(theme.name_fr if language == "fr" else theme.name_en)
    framework = requirement.framework
    return str(framework.name_fr if language == "fr" else framework.name_en)


def _soa_as_of(audit: Audit) -> SoaVersion | None:
    """The SoA the audit was performed against: the latest version issued before the
    audit closed (or now, for an audit still open)."""
    moment = audit.closed_at or timezone.now()
    return (
        SoaVersion.objects.filter(organisation_id=audit.organisation_id, issued_at__lte=moment)
        .select_related("framework")
        .order_by("-number")
        .first()
    )


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120] or "file"


def _finding_rows(findings: Sequence[Finding], today: datetime.date) -> list[dict[str, Any]]:
    severity_labels = dict(FindingSeverity.choices)
    status_labels = dict(FindingStatus.choices)
    action_labels = dict(ActionStatus.choices)
    priority_labels = dict(Priority.choices)
    rows = []
    for finding in findings:
        requirement = finding.requirement
        rows.append(
            {
                "reference": finding.reference,
                "title": finding.title,
                "severity": finding.severity,
                "severity_label": severity_labels.get(finding.severity, finding.severity),
                "css": SEVERITY_CLASS.get(finding.severity, ""),
                "status_label": status_labels.get(finding.status, finding.status),
                "requirement": f"{requirement.ref_id} {requirement.title}" if requirement else "",
                "description": finding.description,
                "root_cause": finding.root_cause,
                "actions": [
                    {
                        "title": action.title,
                        "owner": (action.owner.get_full_name() or action.owner.email)
                        if action.owner
                        else "",
                        "due_date": action.due_date,
                        "priority_label": priority_labels.get(action.priority, action.priority),
                        "status_label": action_labels.get(action.status, action.status),
                        "overdue": action.status in ACTION_OPEN_STATUSES
                        and action.due_date < today,
                    }
                    for action in finding.actions.all()
                ],
            }
        )
    return rows


def build_evidence_pack(request: BuildRequest) -> Built:
    language = request.language
    audit = (
        Audit.objects.select_related("lead_auditor")
        .prefetch_related("frameworks")
        .get(organisation=request.organisation, pk=request.parameters["audit"])
    )
    checks = list(
        AuditCheck.objects.filter(audit=audit)
        .select_related("requirement__theme", "requirement__framework")
        .prefetch_related(Prefetch("evidence", to_attr="linked_evidence"))
        .order_by("order", "pk")
    )
    request.progress(30)
    findings = list(
        Finding.objects.filter(audit=audit)
        .exclude(status=FindingStatus.WITHDRAWN)
        .select_related("requirement__framework")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=RemediationAction.objects.select_related("owner").order_by(
                    "due_date", "pk"
                ),
            ),
            Prefetch("evidence", to_attr="linked_evidence"),
        )
        .order_by("number")
    )
    request.progress(50)
    evidence_ids: set[int] = set()
    for check in checks:
        evidence_ids.update(item.pk for item in check.linked_evidence)
    for finding in findings:
        evidence_ids.update(item.pk for item in finding.linked_evidence)
        evidence_ids.update(
            action.verification_evidence_id
            for action in finding.actions.all()
            if action.verification_evidence_id
        )
    revisions = [
        EvidenceRow(
            id=row["pk"],
            evidence_id=row["evidence_id"],
            evidence_title=row["evidence__title"],
            number=row["number"],
            file_name=row["original_name"],
            size=row["size"],
            sha256=row["sha256"],
            collected_on=row["collected_on"],
            storage_name=row["storage_name"],
        )
        for row in EvidenceRevision.objects.filter(
            evidence_id__in=evidence_ids, evidence__organisation=request.organisation
        )
        .order_by("evidence__title", "evidence_id", "number")
        .values(
            "pk",
            "evidence_id",
            "evidence__title",
            "number",
            "original_name",
            "size",
            "sha256",
            "collected_on",
            "storage_name",
        )
    ]
    request.progress(70)
    soa_version = _soa_as_of(audit)
    soa = soa_section(soa_version, language) if soa_version else None

    labels = _result_labels()
    themes: dict[str, ThemeChecks] = {}
    per_theme: dict[str, Counter[str]] = defaultdict(Counter)
    for check in checks:
        name = _theme_name(check.requirement, language)
        theme = themes.setdefault(name, ThemeChecks(name=name))
        theme.checks.append(
            {
                "ref_id": check.requirement.ref_id,
                "title": check.requirement.title,
                "result": check.result,
                "result_label": labels.get(check.result, check.result),
                "notes": check.notes,
                "evidence": ", ".join(item.title for item in check.linked_evidence),
            }
        )
        per_theme[name][check.result] += 1
    series = [(colour, labels[code]) for code, colour in RESULT_COLOURS.items()]
    chart = stacked_bars(
        [(name, [per_theme[name][code] for code in RESULT_COLOURS]) for name in themes],
        series,
    )
    result_totals = Counter(check.result for check in checks)
    severity_totals = Counter(finding.severity for finding in findings)
    today = timezone.localdate()
    finding_rows = _finding_rows(findings, today)
    manifest_items = [row.manifest_item() for row in revisions]
    if soa_version is not None:
        manifest_items.insert(0, soa_manifest_item(soa_version))
    lead = audit.lead_auditor
    return Built(
        title=_("Audit evidence pack: %(audit)s") % {"audit": audit.title},
        subtitle=EVIDENCE_PACK_LABEL,
        template="reports/pdf/evidence_pack.html",
        context={
            "audit": audit,
            "audit_kind": audit.get_kind_display(),
            "frameworks": [
                framework.name_fr if language == "fr" else framework.name_en
                for framework in audit.frameworks.all()
            ],
            "lead_auditor": (lead.get_full_name() or lead.email) if lead else "",
            "themes": list(themes.values()),
            "chart": chart,
            "checks_total": len(checks),
            "results": [
                (labels[code], result_totals.get(code, 0), colour)
                for code, colour in RESULT_COLOURS.items()
            ],
            "severities": [
                (label, severity_totals.get(code, 0)) for code, label in FindingSeverity.choices
            ],
            "findings": finding_rows,
            "open_actions": sum(
                1 for row in finding_rows for action in row["actions"] if action["overdue"]
            ),
            "revisions": revisions,
            "revisions_size": sum(row.size for row in revisions),
            "soa": soa,
        },
        manifest_items=manifest_items,
        bundle_files=[
            BundleFile(
                name=f"evidence/{row.evidence_id}-r{row.number}-{_safe_name(row.file_name)}",
                open=_opener(row.storage_name),
            )
            for row in revisions
        ],
    )


def _opener(storage_name: str) -> Callable[[], Any]:
    return lambda: open_stored(storage_name)


def check_evidence_revision(organisation: Organisation, item: ManifestItem) -> str | None:
    """The revision still exists in this organisation, still records the same SHA-256,
    and its stored bytes still hash to it."""
    revision = (
        EvidenceRevision.objects.filter(
            evidence__organisation=organisation, pk=int(item.get("id") or 0)
        )
        .only("sha256", "storage_name", "original_name")
        .first()
    )
    name = item.get("file_name") or item.get("id")
    if revision is None:
        return _("Evidence revision %(name)s no longer exists.") % {"name": name}
    if revision.sha256 != item.get("sha256"):
        return _("Evidence revision %(name)s records another SHA-256.") % {"name": name}
    stored = hash_stored(revision.storage_name)
    if stored is None:
        return _("The file of evidence revision %(name)s is missing.") % {"name": name}
    if stored != item.get("sha256"):
        return _("The file of evidence revision %(name)s no longer matches its SHA-256.") % {
            "name": name
        }
    return None


# --- Remediation plan -----------------------------------------------------------------


def build_remediation_plan(request: BuildRequest) -> Built:
    today = timezone.localdate()
    actions = list(
        RemediationAction.objects.filter(organisation=request.organisation)
        .select_related("owner", "finding__audit")
        .order_by("due_date", "pk")
    )
    request.progress(50)
    status_labels = dict(ActionStatus.choices)
    priority_labels = dict(Priority.choices)
    severity_labels = dict(FindingSeverity.choices)
    nobody = _("No owner")
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for action in actions:
        owner = (action.owner.get_full_name() or action.owner.email) if action.owner else nobody
        key = (PRIORITY_ORDER.get(action.priority, 9), owner)
        group = groups.setdefault(
            key,
            {
                "priority_label": priority_labels.get(action.priority, action.priority),
                "owner": owner,
                "actions": [],
            },
        )
        overdue = action.status in ACTION_OPEN_STATUSES and action.due_date < today
        group["actions"].append(
            {
                "finding": action.finding.reference,
                "finding_title": action.finding.title,
                "severity_label": severity_labels.get(
                    action.finding.severity, action.finding.severity
                ),
                "audit": action.finding.audit.title if action.finding.audit else "",
                "title": action.title,
                "due_date": action.due_date,
                "status_label": status_labels.get(action.status, action.status),
                "overdue": overdue,
                "days_late": (today - action.due_date).days if overdue else 0,
            }
        )
    ordered = [groups[key] for key in sorted(groups, key=lambda k: (k[0], k[1].lower()))]
    open_actions = [a for a in actions if a.status in ACTION_OPEN_STATUSES]
    overdue_count = sum(1 for a in open_actions if a.due_date < today)
    return Built(
        title=_("Remediation plan"),
        subtitle=request.organisation.name,
        template="reports/pdf/remediation_plan.html",
        context={
            "groups": ordered,
            "total": len(actions),
            "open_count": len(open_actions),
            "overdue_count": overdue_count,
            "done_count": len(actions) - len(open_actions),
            "timeline": timeline(actions, today),
            "today": today,
        },
        manifest_items=[],
    )


@dataclass
class TimelineColumn:
    label: str
    x: float
    segments: list[tuple[float, float, str]]  # (y, height, colour)
    total: int


@dataclass
class Timeline:
    columns: list[TimelineColumn]
    width: int
    height: int
    today_x: float | None
    legend: list[tuple[str, str]]
    column_width: float
    baseline: int


def timeline(actions: list[RemediationAction], today: datetime.date) -> Timeline | None:
    """Actions per month of their due date, stacked: done, open on time, overdue."""
    if not actions:
        return None
    first = min(action.due_date for action in actions).toordinal()
    last = max(max(action.due_date for action in actions), today).toordinal()
    months = month_ticks(datetime.date.fromordinal(first).replace(day=1).toordinal(), last)
    keys = [datetime.date.fromordinal(day).strftime("%Y-%m") for day in months]
    if len(keys) > 36:  # keep the chart legible: the 36 months around today
        index = keys.index(today.strftime("%Y-%m")) if today.strftime("%Y-%m") in keys else 0
        start = max(0, min(index - 18, len(keys) - 36))
        keys = keys[start : start + 36]
    counts: dict[str, Counter[str]] = {key: Counter() for key in keys}
    for action in actions:
        key = action.due_date.strftime("%Y-%m")
        if key not in counts:
            continue
        if action.status not in ACTION_OPEN_STATUSES:
            counts[key]["done"] += 1
        elif action.due_date < today:
            counts[key]["overdue"] += 1
        else:
            counts[key]["open"] += 1
    colours = {"done": "#4c9a63", "open": "#7ea6d8", "overdue": "#c0392b"}
    width, height, baseline, left = 600, 190, 160, 30
    column_width = (width - left - 10) / max(1, len(keys))
    peak = max((sum(counter.values()) for counter in counts.values()), default=1) or 1
    columns = []
    for index, key in enumerate(keys):
        y = float(baseline)
        segments = []
        for name in ("done", "open", "overdue"):
            value = counts[key][name]
            if value:
                h = (baseline - 10) * value / peak
                y -= h
                segments.append((y, h, colours[name]))
        columns.append(
            TimelineColumn(
                label=key[2:].replace("-", "/") if len(keys) > 12 else key,
                x=left + index * column_width,
                segments=segments,
                total=sum(counts[key].values()),
            )
        )
    today_key = today.strftime("%Y-%m")
    today_x = (
        left + keys.index(today_key) * column_width + column_width / 2
        if today_key in keys
        else None
    )
    return Timeline(
        columns=columns,
        width=width,
        height=height,
        today_x=today_x,
        legend=[
            (colours["done"], _("Done or verified")),
            (colours["open"], _("Open, on time")),
            (colours["overdue"], _("Overdue")),
        ],
        column_width=column_width,
        baseline=baseline,
    )
