"""Forms of the audits pages: they check shape; the services enforce the rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from audits.choices import ActionStatus, AuditKind, CheckResult, FindingSeverity, Priority
from compliance.models import Membership, User
from controls.models import Framework, Requirement, Theme
from evidence.models import Evidence


def member_choices(memberships: list[Membership]) -> list[tuple[int, str]]:
    return sorted(((m.user_id, str(m.user)) for m in memberships), key=lambda c: c[1])


class MemberChoiceField(forms.TypedChoiceField):
    """A member of the organisation, from memberships already loaded (no query per field)."""

    def __init__(self, memberships: list[Membership], **kwargs: Any) -> None:
        self.users = {m.user_id: m.user for m in memberships}
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[("", "—"), *member_choices(memberships)],
            coerce=lambda value: self.users[int(value)],
            empty_value=None,
            **kwargs,
        )


class MembersChoiceField(forms.TypedMultipleChoiceField):
    def __init__(self, memberships: list[Membership], **kwargs: Any) -> None:
        self.users = {m.user_id: m.user for m in memberships}
        super().__init__(
            choices=member_choices(memberships),
            coerce=lambda value: self.users[int(value)],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.name} — {obj.name}"


class AuditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AuditKind.choices, initial=AuditKind.FLASH)
    frameworks = forms.ModelMultipleChoiceField(
        label=_("Frameworks (every assessable requirement)"),
        queryset=Framework.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = ThemeChoiceField(
        label=_("Themes (every requirement of the theme)"),
        queryset=Theme.objects.select_related("framework"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requirements = forms.CharField(
        label=_("Explicit requirements"),
        required=False,
        help_text=_(
            "References separated by commas or new lines, e.g. A.5.15, A.8.13 (ISO 27001) "
            "or nis2:21.2.b for another framework."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sample_per_theme = forms.IntegerField(
        label=_("Sample: controls per theme"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("Leave empty to audit every requirement of the chosen themes and frameworks."),
    )
    sample_seed = forms.CharField(
        label=_("Sampling seed"),
        required=False,
        max_length=64,
        help_text=_("The same seed draws the same sample; left empty, one is chosen and kept."),
    )
    planned_start = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end = forms.DateField(
        label=_("Planned end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    objectives = forms.CharField(
        label=_("Objectives and criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_auditor"] = MemberChoiceField(memberships, label=_("Lead auditor"))
        self.fields["auditors"] = MembersChoiceField(memberships, label=_("Auditors"))
        self.fields["auditees"] = MembersChoiceField(memberships, label=_("Auditees"))

    def clean_requirements(self) -> list[Requirement]:
        text = self.cleaned_data.get("requirements", "")
        found: list[Requirement] = []
        unknown: list[str] = []
        for token in filter(None, (t.strip() for t in re.split(r"[,;\n]+", text))):
            code, _sep, ref = token.rpartition(":")
            queryset = Requirement.objects.select_related("framework").filter(assessable=True)
            if code:
                queryset = queryset.filter(framework__code=code, ref_id=ref)
            else:
                queryset = queryset.filter(
                    framework__has_statement_of_applicability=True, ref_id=ref
                )
            requirement = queryset.order_by("-framework__version").first()
            if requirement is None:
                unknown.append(token)
            else:
                found.append(requirement)
        if unknown:
            raise forms.ValidationError(
                _("Unknown requirement: %(refs)s.") % {"refs": ", ".join(unknown)}
            )
        return found


class AuditEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    planned_start = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end = forms.DateField(
        label=_("Planned end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    objectives = forms.CharField(
        label=_("Objectives and criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_auditor"] = MemberChoiceField(memberships, label=_("Lead auditor"))
        self.fields["auditors"] = MembersChoiceField(memberships, label=_("Auditors"))
        self.fields["auditees"] = MembersChoiceField(memberships, label=_("Auditees"))


class CheckForm(forms.Form):
    """One checklist row (prefixed ``c<pk>``): result and notes."""

    result = forms.ChoiceField(label=_("Result"), choices=CheckResult.choices)
    notes = forms.CharField(label=_("Notes"), required=False)


def evidence_field(queryset: QuerySet[Evidence], **kwargs: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Evidence"),
        queryset=queryset,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class CheckDetailForm(CheckForm):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, evidence: QuerySet[Evidence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(evidence)


class FindingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    severity = forms.ChoiceField(label=_("Severity"), choices=FindingSeverity.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why it happened (ISO/IEC 27001:2022 10.2 b): the cause, not the symptom."),
    )

    def __init__(self, *args: Any, evidence: QuerySet[Evidence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(evidence)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=300)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        help_text=_(
            "Rule: major nonconformity → high, minor → medium, observation or opportunity "
            "for improvement → low. Another choice needs a reason."
        ),
    )
    priority_override_reason = forms.CharField(
        label=_("Reason for another priority"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, memberships: list[Membership], with_status: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(memberships, label=_("Owner"))
        if with_status:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                choices=[c for c in ActionStatus.choices if c[0] != ActionStatus.VERIFIED],
            )


class VerifyForm(forms.Form):
    evidence = forms.ModelChoiceField(
        label=_("Evidence of the work"), queryset=Evidence.objects.none()
    )
    notes = forms.CharField(
        label=_("What you checked"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, evidence: QuerySet[Evidence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence  # type: ignore[attr-defined]


def user_or_none(value: Any) -> User | None:
    return value if isinstance(value, User) else None
