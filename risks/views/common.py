"""Helpers shared by the risk pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from compliance.models import Membership


def members(membership: Membership) -> list[Membership]:
    return list(Membership.objects.for_membership(membership).select_related("user"))


def errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown next to the field it names."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)
