"""One FilterSet per listable model, for the register page and the API alike."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from risks.choices import AssetKind, Classification, Treatment
from risks.models import Asset, Risk


class RiskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Text"))
    treatment = django_filters.ChoiceFilter(choices=Treatment.choices, label=_("Treatment"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Risk owner"))
    asset = django_filters.NumberFilter(field_name="assets", label=_("Asset"), distinct=True)
    control = django_filters.CharFilter(
        field_name="control_links__requirement__ref_id",
        label=_("Control reference"),
        distinct=True,
    )
    accepted = django_filters.BooleanFilter(
        field_name="accepted_at", lookup_expr="isnull", exclude=True, label=_("Accepted")
    )
    review_due = django_filters.BooleanFilter(method="filter_review_due", label=_("Review due"))

    class Meta:
        model = Risk
        fields = ["q", "treatment", "owner", "asset", "control", "accepted", "review_due"]

    def filter_text(self, queryset: QuerySet[Risk], name: str, text: str) -> QuerySet[Risk]:
        return queryset.filter(
            Q(title__icontains=text) | Q(threat__icontains=text) | Q(vulnerability__icontains=text)
        )

    def filter_review_due(self, queryset: QuerySet[Risk], name: str, due: bool) -> QuerySet[Risk]:
        today = timezone.localdate()
        if due:
            return queryset.filter(review_date__lte=today)
        return queryset.filter(Q(review_date__isnull=True) | Q(review_date__gt=today))


class AssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices, label=_("Kind"))
    classification = django_filters.ChoiceFilter(
        choices=Classification.choices, label=_("Classification")
    )
    health_data = django_filters.BooleanFilter(label=_("Holds health data"))

    class Meta:
        model = Asset
        fields = ["q", "kind", "classification", "health_data"]
