"""One FilterSet for the evidence list page and the API list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.filters import IdFilter
from evidence.choices import EvidenceState
from evidence.models import BAD_INTEGRITY, Evidence


class EvidenceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    requirement = IdFilter(label=_("Requirement (id)"), field_name="requirements", distinct=True)
    ref_id = django_filters.CharFilter(
        label=_("Requirement reference"), field_name="requirements__ref_id", distinct=True
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=EvidenceState.choices, method="filter_state"
    )

    class Meta:
        model = Evidence
        fields = ["q", "requirement", "ref_id", "state"]

    def filter_q(self, queryset: QuerySet[Evidence], name: str, value: str) -> QuerySet[Evidence]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == EvidenceState.EXPIRED:
            return queryset.filter(expires_on__lt=today)
        if value == EvidenceState.COMPROMISED:
            return queryset.filter(
                pk__in=Evidence.objects.filter(
                    revisions__integrity_status__in=BAD_INTEGRITY
                ).values("pk")
            )
        if value == EvidenceState.VALID:
            return queryset.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today)).exclude(
                pk__in=Evidence.objects.filter(
                    revisions__integrity_status__in=BAD_INTEGRITY
                ).values("pk")
            )
        return queryset
