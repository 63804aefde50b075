from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.models import Membership, User
from controls.choices import ImplementationStatus

APPLICABLE_CHOICES = [("", _("not decided")), ("yes", _("applicable")), ("no", _("excluded"))]


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


def owner_field(memberships: Any) -> OwnerChoiceField:
    users = User.objects.filter(pk__in=[m.user_id for m in memberships]).order_by(
        "last_name", "email"
    )
    return OwnerChoiceField(
        queryset=users, required=False, label=_("Owner"), empty_label=_("nobody")
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(memberships)


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
        self.fields["owner"] = owner_field(memberships)


class SoaIssueForm(forms.Form):
    note = forms.CharField(label=_("Note for this version"), required=False, max_length=300)
