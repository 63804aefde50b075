"""One FilterSet per listable model, shared by the register page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from compliance.filters import IdFilter
from privacy.choices import (
    Methodology,
    ProcessingRole,
    RouteKind,
    Severity,
    SpecialCategory,
)
from privacy.models import Article66Route, ComplianceFinding, ProcessingActivity


class ProcessingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Text"))
    role = django_filters.ChoiceFilter(choices=ProcessingRole.choices, label=_("Role"))
    special_category = django_filters.ChoiceFilter(
        choices=SpecialCategory.choices, method="filter_category", label=_("Special category")
    )
    route = django_filters.ChoiceFilter(
        choices=[("none", _("No route")), *RouteKind.choices],
        method="filter_route",
        label=_("Article 66 route"),
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices,
        field_name="findings__severity",
        distinct=True,
        label=_("Finding severity"),
    )
    rule = django_filters.CharFilter(
        field_name="findings__rule_code", distinct=True, label=_("Rule")
    )

    class Meta:
        model = ProcessingActivity
        fields = ["q", "role", "special_category", "route", "severity", "rule"]

    def filter_text(
        self, queryset: QuerySet[ProcessingActivity], name: str, value: str
    ) -> QuerySet[ProcessingActivity]:
        return queryset.filter(
            Q(reference__icontains=value) | Q(name__icontains=value) | Q(purposes__icontains=value)
        )

    def filter_category(
        self, queryset: QuerySet[ProcessingActivity], name: str, value: str
    ) -> QuerySet[ProcessingActivity]:
        # A JSON list of codes: match the quoted code in its text (works on SQLite and
        # PostgreSQL alike; codes never contain one another between quotes).
        return queryset.filter(special_categories__icontains=f'"{value}"')

    def filter_route(
        self, queryset: QuerySet[ProcessingActivity], name: str, value: str
    ) -> QuerySet[ProcessingActivity]:
        if value == "none":
            return queryset.filter(route__isnull=True)
        return queryset.filter(route__kind=value)


class RouteFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RouteKind.choices, label=_("Route"))
    methodology = django_filters.ChoiceFilter(choices=Methodology.choices, label=_("Methodology"))
    expires_before = django_filters.DateFilter(
        field_name="expires_on", lookup_expr="lt", label=_("Expires before")
    )
    processing = IdFilter(field_name="processing_id", label=_("Processing"))

    class Meta:
        model = Article66Route
        fields = ["kind", "methodology", "expires_before", "processing"]


class FindingFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    rule = django_filters.CharFilter(field_name="rule_code", label=_("Rule"))
    processing = IdFilter(field_name="processing_id", label=_("Processing"))

    class Meta:
        model = ComplianceFinding
        fields = ["severity", "rule", "processing"]
