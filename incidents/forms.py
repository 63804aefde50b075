"""Forms of the incident pages. Times are typed in the user's time zone (Europe/Paris
by default) and stored in UTC."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.models import Membership
from incidents.choices import Art34Exception, Channel
from incidents.drafts import DraftLine
from incidents.models import DataSubjectCampaign, Incident


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def when_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


TEXTAREA = forms.Textarea(attrs={"rows": 3})

FACT_FORM_FIELDS = [
    "title",
    "description",
    "started_at",
    "owner",
    "affected_systems",
    "data_categories",
    "data_subjects_count",
    "records_count",
    "likely_consequences",
    "measures_taken",
    "contact_point",
    "suspected_malicious",
    "cross_border_impact",
    "indicators_of_compromise",
    "root_cause",
]
QUALIFICATION_FORM_FIELDS = [
    "aware_at",
    "nis2_significant",
    "trust_service_provider",
    "personal_data_breach",
    "risk_unlikely",
    "high_risk",
    "art34_exception",
    "acting_as_processor",
    "health_establishment_serious",
    "ongoing",
    "nis2_aware_at",
    "gdpr_aware_at",
    "health_aware_at",
]


class _OwnerMixin:
    fields: dict[str, Any]

    def limit_owner(self, membership: Membership) -> None:
        members = Membership.objects.for_membership(membership).select_related("user")
        self.fields["owner"].queryset = type(membership.user).objects.filter(
            pk__in=[m.user_id for m in members]
        )


class FactsForm(_OwnerMixin, forms.ModelForm[Incident]):
    started_at = when_field(_("started at"), required=False)

    class Meta:
        model = Incident
        fields = FACT_FORM_FIELDS
        widgets = {
            "description": TEXTAREA,
            "affected_systems": TEXTAREA,
            "data_categories": TEXTAREA,
            "likely_consequences": TEXTAREA,
            "measures_taken": TEXTAREA,
            "indicators_of_compromise": TEXTAREA,
            "root_cause": TEXTAREA,
        }

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_owner(membership)


class QualificationForm(forms.ModelForm[Incident]):
    aware_at = when_field(
        _("became aware at"),
        help_text=_("Your local time. The clocks of every regime start here unless set below."),
    )
    nis2_aware_at = when_field(_("aware of a significant incident at (NIS2)"), required=False)
    gdpr_aware_at = when_field(_("aware of a personal data breach at (GDPR)"), required=False)
    health_aware_at = when_field(_("aware of a serious incident at (ARS)"), required=False)
    art34_exception = forms.ChoiceField(
        label=_("Art. 34(3) exception"),
        choices=[("", _("None")), *Art34Exception.choices],
        required=False,
    )

    class Meta:
        model = Incident
        fields = QUALIFICATION_FORM_FIELDS


class IncidentCreateForm(_OwnerMixin, forms.ModelForm[Incident]):
    aware_at = when_field(
        _("became aware at"),
        help_text=_("Your local time. The notification clocks start here."),
    )
    started_at = when_field(_("started at"), required=False)
    art34_exception = forms.ChoiceField(
        label=_("Art. 34(3) exception"),
        choices=[("", _("None")), *Art34Exception.choices],
        required=False,
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "description",
            "aware_at",
            "started_at",
            "owner",
            "affected_systems",
            "data_categories",
            "data_subjects_count",
            "records_count",
            "nis2_significant",
            "trust_service_provider",
            "personal_data_breach",
            "risk_unlikely",
            "high_risk",
            "art34_exception",
            "acting_as_processor",
            "health_establishment_serious",
            "ongoing",
        ]
        widgets = {
            "description": TEXTAREA,
            "affected_systems": TEXTAREA,
            "data_categories": TEXTAREA,
        }

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_owner(membership)


class MarkSentForm(forms.Form):
    sent_at = when_field(_("sent at"), help_text=_("Your local time."))
    reference = forms.CharField(
        label=_("reference"),
        max_length=200,
        required=False,
        help_text=_("The recipient's acknowledgement or file number."),
    )
    delay_reasons = forms.CharField(
        label=_("reasons for the delay"),
        required=False,
        max_length=10_000,
        widget=TEXTAREA,
        help_text=_("Required when the notification to the CNIL is sent after 72 hours."),
    )


class EventForm(forms.Form):
    occurred_at = when_field(_("when"))
    text = forms.CharField(label=_("what was done or observed"), max_length=10_000, widget=TEXTAREA)


class CampaignForm(forms.ModelForm[DataSubjectCampaign]):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)

    class Meta:
        model = DataSubjectCampaign
        fields = ["audience", "channel", "to_tell", "told", "unreachable", "letter"]
        widgets = {"audience": TEXTAREA, "letter": forms.Textarea(attrs={"rows": 16})}


class DraftForm(forms.Form):
    """One textarea per field the stage asks for (``incidents.drafts.STAGE_FIELDS``),
    labelled in the draft's language."""

    def __init__(self, *args: Any, lines: list[DraftLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[line.code] = forms.CharField(
                label=line.label,
                required=False,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=line.value,
            )


class LessonsForm(forms.Form):
    """ISO/IEC 27001:2022 A.5.27: what the incident taught, as a finding and an action."""

    lessons = forms.CharField(label=_("lessons learned"), max_length=10_000, widget=TEXTAREA)
    finding_title = forms.CharField(label=_("finding"), max_length=200)
    severity = forms.ChoiceField(label=_("severity"), choices=())
    action_title = forms.CharField(label=_("remediation action"), max_length=200)
    action_due_on = forms.DateField(
        label=_("action due on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            from audits.choices import FindingSeverity
        except ImportError:
            return
        field = self.fields["severity"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = FindingSeverity.choices
        field.initial = FindingSeverity.OBSERVATION
