"""Forms of the anonymity pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anonymity.choices import ColumnRole
from anonymity.uploads import max_upload_bytes


def processing_choices(organisation: Any) -> list[tuple[str, Any]]:
    """The organisation's processing activities, when the privacy register exists."""
    from privacy.models import ProcessingActivity

    rows = ProcessingActivity.objects.filter(organisation=organisation).order_by("reference")
    return [("", _("(none)"))] + [(str(p.pk), f"{p.reference} · {p.name}") for p in rows]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Dataset extract"),
        help_text=_("CSV (UTF-8 or Latin-1), XLSX or Parquet; the file is not kept."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(mb)s MB.")
                % {"mb": limit // (1024 * 1024)}
            )
        return upload


class RolesForm(forms.Form):
    k_threshold = forms.IntegerField(
        label=_("k threshold"),
        min_value=1,
        max_value=1000,
        initial=5,
        help_text=_("Smallest acceptable size of an equivalence class."),
    )
    t_closeness = forms.BooleanField(label=_("Also measure t-closeness"), required=False)

    def __init__(
        self,
        *args: Any,
        columns: dict[str, dict[str, str]],
        organisation: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        for index, (column, suggestion) in enumerate(columns.items()):
            self.fields[f"role_{index}"] = forms.ChoiceField(
                label=column,
                choices=ColumnRole.choices,
                initial=suggestion["role"],
                help_text=suggestion.get("why", ""),
            )
        self.fields["processing"] = forms.ChoiceField(
            label=_("Processing activity"),
            choices=processing_choices(organisation),
            required=False,
            help_text=_("The register line whose data this extract comes from."),
        )

    def role_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("role_")]

    def roles(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[f"role_{index}"] for index, column in enumerate(self.columns)
        }


class ScanForm(forms.Form):
    text = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One note per paragraph (separate notes with an empty line)."),
        max_length=200_000,
    )
    file = forms.FileField(label=_("Or a file"), required=False)
    column = forms.CharField(
        label=_("Column of the notes"),
        required=False,
        max_length=200,
        help_text=_("For a CSV, XLSX or Parquet file; leave empty for a plain-text file."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError(_("Paste notes or choose a file."))
        upload = data.get("file")
        if upload is not None and upload.size > max_upload_bytes():
            self.add_error("file", _("The file is too large."))
        return data
