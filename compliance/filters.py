"""One FilterSet per listable model, shared by the HTML pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.choices import Role
from compliance.models import AuditEvent, Membership


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="istartswith")
    object_type = django_filters.CharFilter(label=_("Object type"))
    since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Since")
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("Until")
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "since", "until"]


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]


class IdFilter(django_filters.NumberFilter):
    """A filter on a row id: a whole number a database key can hold. Anything else (a
    fraction, 1e239) is a 400 with the field named, never an overflow in the database."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
