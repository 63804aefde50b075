"""One FilterSet per listable model, for the register page and the API alike."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import ApiKey, User
from risks.choices import AssetKind, Classification, Treatment
from risks.models import Asset, Risk


def _organisation_id(request: Any) -> int | None:
    """The organisation of the page (membership) or of the API key."""
    membership = getattr(request, "membership", None)
    if membership is not None:
        return int(membership.organisation_id)
    api_key = getattr(request, "auth", None)
    if isinstance(api_key, ApiKey):
        return int(api_key.organisation_id)
    return None


def _owners(request: Any) -> QuerySet[User]:
    organisation_id = _organisation_id(request)
    if organisation_id is None:
        return User.objects.none()
    return User.objects.filter(memberships__organisation_id=organisation_id).order_by(
        "first_name", "last_name", "email"
    )


def _assets(request: Any) -> QuerySet[Asset]:
    organisation_id = _organisation_id(request)
    if organisation_id is None:
        return Asset.objects.none()
    return Asset.objects.filter(organisation_id=organisation_id)


class RiskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Text"))
    treatment = django_filters.ChoiceFilter(choices=Treatment.choices, label=_("Treatment"))
    # Choices limited to the caller's organisation: an id of another one is refused.
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Risk owner"))
    asset = django_filters.ModelChoiceFilter(
        field_name="assets", queryset=_assets, label=_("Asset"), distinct=True
    )
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
