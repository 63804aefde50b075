"""One FilterSet per listable model, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from audits.choices import (
    ActionStatus,
    AuditKind,
    AuditStatus,
    CheckResult,
    FindingSeverity,
    FindingSource,
    FindingStatus,
    Priority,
)
from audits.models import Audit, AuditCheck, Finding, RemediationAction
from compliance.filters import IdFilter


class AuditFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AuditStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=AuditKind.choices, label=_("Kind"))

    class Meta:
        model = Audit
        fields = ["status", "kind"]


class AuditCheckFilter(django_filters.FilterSet):
    audit = IdFilter(field_name="audit_id", label=_("Audit"))
    result = django_filters.ChoiceFilter(choices=CheckResult.choices, label=_("Result"))
    theme = django_filters.CharFilter(field_name="requirement__theme__code", label=_("Theme"))
    ref_id = django_filters.CharFilter(field_name="requirement__ref_id", label=_("Reference"))

    class Meta:
        model = AuditCheck
        fields = ["audit", "result", "theme", "ref_id"]


class FindingFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(choices=FindingSeverity.choices, label=_("Severity"))
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("Status"))
    source = django_filters.ChoiceFilter(choices=FindingSource.choices, label=_("Source"))
    audit = IdFilter(field_name="audit_id", label=_("Audit"))
    framework = django_filters.CharFilter(
        field_name="requirement__framework__code", label=_("Framework")
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Text"))

    class Meta:
        model = Finding
        fields = ["severity", "status", "source", "audit", "framework", "q"]

    def filter_text(self, queryset: QuerySet[Finding], name: str, text: str) -> QuerySet[Finding]:
        return queryset.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(root_cause__icontains=text)
            | Q(requirement__ref_id__iexact=text)
        )


class RemediationActionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    finding = IdFilter(field_name="finding_id", label=_("Finding"))
    owner = django_filters.CharFilter(
        field_name="owner__email", lookup_expr="iexact", label=_("Owner e-mail")
    )
    framework = django_filters.CharFilter(
        field_name="finding__requirement__framework__code", label=_("Framework")
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due on or before")
    )
    due_after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due on or after")
    )

    class Meta:
        model = RemediationAction
        fields = ["status", "priority", "finding", "owner", "framework", "due_before", "due_after"]
