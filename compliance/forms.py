from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.choices import ApiKeyScope, Role
from compliance.models import Organisation


class InviteMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        error_messages={"invalid": _("Enter a valid e-mail address, such as name@clinic.fr.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who or what uses this key, e.g. “HDS Exemple: monitoring”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiKeyScope.choices,
        initial=[ApiKeyScope.READ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        initial=365,
        help_text=_("Leave empty for a key that never expires (not recommended)."),
    )


class OrganisationSettingsForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = (
            "name",
            "kind",
            "nis2_classification",
            "staff_count",
            "siret",
            "finess",
            "require_two_factor",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["siret"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
