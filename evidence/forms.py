"""Forms of the evidence pages. They check shape; the services enforce the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from controls.models import Requirement


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def requirement_choices(requirements: Sequence[Requirement]) -> list[tuple[str, Any]]:
    """``<optgroup>`` per framework, written from one query."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for requirement in requirements:
        label = f"{requirement.ref_id} · {requirement.title}"[:140]
        groups.setdefault(requirement.framework.name, []).append((requirement.pk, label))
    return list(groups.items())


class RequirementsField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, required=False, label=_("Requirements supported"), **kwargs)


def _linkable() -> list[Requirement]:
    return list(
        Requirement.objects.filter(assessable=True)
        .select_related("framework")
        .order_by("framework_id", "order")
    )


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The field shadows Form.files only in the class body: the metaclass moves it to
    # base_fields, so the instance keeps its uploaded-files dict.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Files"),
        required=False,
        help_text=_(
            "One or several files. Documents, images, archives and text only; the type is "
            "checked from the content."
        ),
    )
    url = forms.URLField(
        label=_("Or a link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("A page of an intranet or a supplier's portal, instead of files."),
    )
    collected_on = forms.DateField(label=_("Collected on"), required=False, widget=DateInput())
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("After this date the evidence no longer counts towards its requirements."),
    )
    requirements = RequirementsField()

    def __init__(
        self, *args: Any, requirements: Sequence[Requirement] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.requirement_objects = {r.pk: r for r in (requirements or _linkable())}
        field = self.fields["requirements"]
        assert isinstance(field, RequirementsField)
        field.choices = requirement_choices(list(self.requirement_objects.values()))
        field.widget.attrs["size"] = 10

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("url") and data.get("files"):
            self.add_error("url", _("Give either files or a link, not both."))
        elif not data.get("url") and not data.get("files") and not self.errors.get("files"):
            self.add_error("files", _("Add at least one file, or a link."))
        return data

    def selected_requirements(self) -> list[Requirement]:
        return [self.requirement_objects[pk] for pk in self.cleaned_data.get("requirements", [])]


class RevisionForm(forms.Form):
    files = MultipleFileField(label=_("Files"))  # type: ignore[assignment]
    collected_on = forms.DateField(label=_("Collected on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())


class LinkForm(forms.Form):
    url = forms.URLField(label=_("Link"), max_length=1000, assume_scheme="https")
    collected_on = forms.DateField(label=_("Collected on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())


class RequirementLinkForm(forms.Form):
    requirements = RequirementsField()

    def __init__(
        self, *args: Any, requirements: Sequence[Requirement] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.requirement_objects = {r.pk: r for r in (requirements or _linkable())}
        field = self.fields["requirements"]
        assert isinstance(field, RequirementsField)
        field.choices = requirement_choices(list(self.requirement_objects.values()))
        field.required = True
        field.widget.attrs["size"] = 8

    def selected_requirements(self) -> list[Requirement]:
        return [self.requirement_objects[pk] for pk in self.cleaned_data.get("requirements", [])]
