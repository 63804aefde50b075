"""One FilterSet per listable model, for the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from compliance.filters import UtcIsoDateTimeFilter
from incidents.choices import Regime
from incidents.models import Incident, Notification


class IncidentFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", label=_("Open")
    )
    aware_after = UtcIsoDateTimeFilter(
        field_name="aware_at", lookup_expr="gte", label=_("Aware after")
    )
    aware_before = UtcIsoDateTimeFilter(
        field_name="aware_at", lookup_expr="lt", label=_("Aware before")
    )
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))

    class Meta:
        model = Incident
        fields = ["personal_data_breach", "nis2_significant", "ongoing"]


class NotificationFilter(django_filters.FilterSet):
    regime = django_filters.ChoiceFilter(choices=Regime.choices, label=_("Regime"))
    sent = django_filters.BooleanFilter(method="filter_sent", label=_("Sent"))

    class Meta:
        model = Notification
        fields = ["regime"]

    def filter_sent(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return queryset.filter(sent_at__isnull=not value)
