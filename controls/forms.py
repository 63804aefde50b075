from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.models import Membership, User
from controls.choices import ImplementationStatus

APPLICABLE_CHOICES = [("", _("not decided")), ("yes", _("applicable")), ("no", _("excluded"))]


def owner_field(memberships: list[Membership]) -> forms.TypedChoiceField:
    """Owner among the organisation's members. Plain choices built once from the members
    already loaded, so a page of 93 rows runs no query per row."""
    members = sorted(((m.user_id, str(m.user)) for m in memberships), key=lambda c: c[1])
    return forms.TypedChoiceField(
        label=_("Owner"),
        choices=[("", _("nobody")), *members],
        coerce=int,
        required=False,
        empty_value=None,
    )


def owner_from_choice(memberships: list[Membership], user_id: int | None) -> User | None:
    by_id = {m.user_id: m.user for m in memberships}
    return by_id.get(user_id) if user_id is not None else None


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        self.fields["owner"] = owner_field(memberships)

    def clean_owner(self) -> User | None:
        return owner_from_choice(self.memberships, self.cleaned_data.get("owner"))


class SoaLineForm(StatusForm):
    applicable = forms.ChoiceField(
        label=_("Applicability"), choices=APPLICABLE_CHOICES, required=False
    )
    inclusion_justification = forms.CharField(
        label=_("Justification for inclusion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    exclusion_justification = forms.CharField(
        label=_("Justification for exclusion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_applicable(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("applicable") or "")


class SoaBulkForm(forms.Form):
    ACTIONS = [
        ("applicable", _("Mark applicable")),
        ("owner", _("Assign the owner")),
        ("status", _("Set the status")),
    ]
    theme = forms.CharField(label=_("Theme"))
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    status = forms.ChoiceField(
        label=_("Status"), choices=ImplementationStatus.choices, required=False
    )
    inclusion_justification = forms.CharField(
        label=_("Justification for inclusion"), required=False
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        self.fields["owner"] = owner_field(memberships)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "status" and not cleaned.get("status"):
            self.add_error("status", _("Choose the status to set."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The fields the chosen action sets on every control of the theme."""
        action = self.cleaned_data["action"]
        if action == "owner":
            return {"owner": owner_from_choice(self.memberships, self.cleaned_data["owner"])}
        if action == "status":
            return {"status": self.cleaned_data["status"]}
        changes: dict[str, Any] = {"applicable": True}
        if self.cleaned_data["inclusion_justification"]:
            changes["inclusion_justification"] = self.cleaned_data["inclusion_justification"]
        return changes


class SoaIssueForm(forms.Form):
    note = forms.CharField(label=_("Note for this version"), required=False, max_length=300)
