"""One FilterSet per listable model (API list)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anonymity.choices import AssessmentStatus, Verdict
from anonymity.models import AnonymityAssessment
from compliance.filters import UtcIsoDateTimeFilter


class AssessmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices, label=_("Status"))
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("Verdict"))
    file_sha256 = django_filters.CharFilter(label=_("SHA-256 of the file"))
    created_after = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Run at or after")
    )

    class Meta:
        model = AnonymityAssessment
        fields = ["status", "verdict", "file_sha256", "created_after"]
