"""One FilterSet per listable model, shared by the HTML pages and the API."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from compliance.choices import Role
from compliance.models import AuditEvent, Membership


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, handed to the database in UTC.

    Python accepts offsets up to ±23:59 and PostgreSQL only ±15:59, so an offset such as
    ``+17:54`` reached the database as written and failed there (a 500). Converting to UTC
    makes every offset valid, and an instant that falls outside the years 1 to 9999 once
    converted is a 400 with the field named."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        try:
            parsed = super().to_python(value)
            return None if parsed is None else parsed.astimezone(datetime.UTC)
        except OverflowError as error:
            raise ValidationError(
                _("Enter a date and time between the years 1 and 9999."), code="invalid"
            ) from error


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """``IsoDateTimeFilter`` through :class:`UtcIsoDateTimeField`: use it for every
    date-and-time filter."""

    field_class = UtcIsoDateTimeField


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="istartswith")
    object_type = django_filters.CharFilter(label=_("Object type"))
    since = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("Since"))
    until = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("Until"))

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
