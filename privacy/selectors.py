"""Reads of the processing register with a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from compliance.models import Organisation
from privacy.choices import SEVERITY_ORDER, RouteKind, Severity
from privacy.models import (
    Article66Route,
    ComplianceFinding,
    ProcessingActivity,
    Processor,
    Recipient,
)


def register_queryset(processings: QuerySet[ProcessingActivity]) -> QuerySet[ProcessingActivity]:
    """Processing lines with their route, recipients (and processors) and findings:
    three queries whatever the number of lines (lines + route join, recipients,
    findings)."""
    return processings.select_related("route").prefetch_related(
        Prefetch("recipients", queryset=Recipient.objects.select_related("processor")),
        Prefetch("findings", queryset=ComplianceFinding.objects.order_by("id")),
    )


def worst_severity(findings: list[ComplianceFinding]) -> str | None:
    if not findings:
        return None
    return min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER.index(Severity(s)))


def sorted_findings(findings: list[ComplianceFinding]) -> list[ComplianceFinding]:
    return sorted(findings, key=lambda f: (f.severity_rank, f.rule_code))


def route_of(processing: ProcessingActivity) -> Article66Route | None:
    try:
        return processing.route
    except Article66Route.DoesNotExist:
        return None


@dataclass
class PrivacyAlerts:
    """What the dashboard shows about the register (see ``privacy_alerts``)."""

    findings_by_severity: dict[str, int]
    processings: int
    flagged_processings: int
    expiring_routes: list[Article66Route] = field(default_factory=list)
    expired_routes: list[Article66Route] = field(default_factory=list)
    expiring_certificates: list[Processor] = field(default_factory=list)
    expired_certificates: list[Processor] = field(default_factory=list)

    @property
    def total_findings(self) -> int:
        return sum(self.findings_by_severity.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings_by_severity": self.findings_by_severity,
            "processings": self.processings,
            "flagged_processings": self.flagged_processings,
            "expiring_routes": [r.pk for r in self.expiring_routes],
            "expired_routes": [r.pk for r in self.expired_routes],
            "expiring_certificates": [p.pk for p in self.expiring_certificates],
            "expired_certificates": [p.pk for p in self.expired_certificates],
        }


def privacy_alerts(
    organisation: Organisation, *, within_days: int = 90, today: datetime.date | None = None
) -> PrivacyAlerts:
    """For the organisation dashboard: findings counted by severity, and the Article 66
    authorisations and HDS certificates that expire within ``within_days`` (or have
    expired). Five queries."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    counts = Counter(
        ComplianceFinding.objects.filter(organisation=organisation).values_list(
            "severity", flat=True
        )
    )
    flagged = (
        ComplianceFinding.objects.filter(organisation=organisation)
        .values("processing_id")
        .distinct()
        .count()
    )
    routes = list(
        Article66Route.objects.filter(
            processing__organisation=organisation,
            kind=RouteKind.AUTHORISATION,
            expires_on__lte=horizon,
        )
        .select_related("processing")
        .order_by("expires_on")
    )
    processors = list(
        Processor.objects.filter(
            organisation=organisation, hds_certificate_expires_on__lte=horizon
        ).order_by("hds_certificate_expires_on")
    )
    return PrivacyAlerts(
        findings_by_severity={s.value: counts.get(s.value, 0) for s in SEVERITY_ORDER},
        processings=ProcessingActivity.objects.filter(organisation=organisation).count(),
        flagged_processings=flagged,
        expiring_routes=[r for r in routes if r.expires_on and r.expires_on >= today],
        expired_routes=[r for r in routes if r.expires_on and r.expires_on < today],
        expiring_certificates=[
            p
            for p in processors
            if p.hds_certificate_expires_on and p.hds_certificate_expires_on >= today
        ],
        expired_certificates=[
            p
            for p in processors
            if p.hds_certificate_expires_on and p.hds_certificate_expires_on < today
        ],
    )
