"""One FilterSet for the document list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from reports.choices import JobStatus
from reports.models import ReportJob


class ReportJobFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(label=_("Document"))
    status = django_filters.ChoiceFilter(choices=JobStatus.choices, label=_("Status"))

    class Meta:
        model = ReportJob
        fields = ["kind", "status"]
