"""Helpers shared by the audits pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from compliance.models import Membership
from evidence.models import Evidence, EvidenceQuerySet


def members_of(membership: Membership) -> list[Membership]:
    return list(
        Membership.objects.for_membership(membership).select_related("user").order_by("user__email")
    )


def evidence_of(membership: Membership) -> EvidenceQuerySet:
    """The organisation's evidence items a check, finding or action can point at."""
    return Evidence.objects.for_membership(membership).order_by("title", "pk")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
