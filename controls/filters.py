"""Requirement filters for the catalogue API (theme, attribute, text, assessable)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from controls.models import Requirement


class RequirementFilter(django_filters.FilterSet):
    theme = django_filters.CharFilter(field_name="theme__code", label=_("Theme"))
    assessable = django_filters.BooleanFilter(label=_("Assessable"))
    q = django_filters.CharFilter(method="filter_text", label=_("Text"))
    attribute = django_filters.CharFilter(
        method="filter_attribute",
        label=_("Attribute"),
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]{0,59}:.+$",
                _("Use family:value, for example control_type:preventive or new_in_2022:true."),
            )
        ],
    )

    class Meta:
        model = Requirement
        fields = ["theme", "assessable", "q", "attribute"]

    def filter_text(
        self, queryset: QuerySet[Requirement], name: str, text: str
    ) -> QuerySet[Requirement]:
        return queryset.filter(
            Q(ref_id__icontains=text)
            | Q(title_fr__icontains=text)
            | Q(title_en__icontains=text)
            | Q(description_fr__icontains=text)
            | Q(description_en__icontains=text)
        )

    def filter_attribute(
        self, queryset: QuerySet[Requirement], name: str, value: str
    ) -> QuerySet[Requirement]:
        """``family:value``: a 27002 attribute row (``control_type:preventive``) or a
        yes/no attribute of the catalogue (``new_in_2022:true``)."""
        family, _sep, wanted = value.partition(":")  # shape checked by the field's validator
        scalar: Any = {"true": True, "false": False}.get(wanted, wanted)
        return queryset.filter(
            Q(attribute_values__family=family, attribute_values__value=wanted)
            | Q(**{f"attributes__{family}": scalar})
        ).distinct()
