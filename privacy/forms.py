"""Forms of the register pages. Validation of business rules happens in the services;
the forms check shape and group the long Art. 30 form into sections."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.choices import (
    DirectIdentifier,
    HdsActivity,
    RecipientKind,
    RouteKind,
    SpecialCategory,
    Use,
)
from privacy.models import Article66Route, ProcessingActivity, Processor, Recipient
from privacy.services import PROCESSING_FIELDS, PROCESSOR_FIELDS, ROUTE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _checkboxes(choices: Any, label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProcessingForm(forms.ModelForm[ProcessingActivity]):
    """The whole Art. 30 line, in the sections below (the template walks ``sections``)."""

    uses = _checkboxes(
        Use,
        _("Uses"),
        _(
            "Tick research, evaluation, statistics or warehouse when the data are reused "
            "beyond care: Article 66 then requires a formality."
        ),
    )
    special_categories = _checkboxes(
        SpecialCategory,
        _("Special categories (GDPR Art. 9(1))"),
        _("Data whose processing is prohibited unless an Art. 9(2) condition applies."),
    )
    direct_identifiers = _checkboxes(
        DirectIdentifier,
        _("Direct identifiers held"),
        _("A project under a reference methodology (MR) may not hold these."),
    )

    SECTIONS = [
        (
            _("Identification"),
            ["reference", "name", "role"],
            _(
                "One line per processing activity. The role decides which register it belongs "
                "to: Art. 30(1) for a controller, Art. 30(2) for a processor."
            ),
        ),
        (
            _("Controller and contacts (Art. 30(1)(a))"),
            [
                "controller_name",
                "controller_contact",
                "joint_controllers",
                "representative",
                "dpo_contact",
            ],
            _("For a processor line, the controller is your client."),
        ),
        (
            _("Purposes and data (Art. 30(1)(b)-(c))"),
            [
                "purposes",
                "uses",
                "data_subject_categories",
                "personal_data_categories",
                "special_categories",
                "direct_identifiers",
            ],
            "",
        ),
        (
            _("Lawfulness (Art. 6 and 9)"),
            ["legal_basis", "article9_condition"],
            _(
                "Special-category data need both an Art. 9(2) condition and an Art. 6(1) lawful "
                "basis."
            ),
        ),
        (
            _("Storage and transfers (Art. 30(1)(e))"),
            [
                "data_location",
                "third_country_transfers",
                "transfer_safeguard",
                "transfer_safeguard_documentation",
            ],
            _(
                "Health data hosted by an HDS host stay in the EEA (HDS v2 EXI 28); remote "
                "access from outside needs Art. 45 or 46 grounds (EXI 29)."
            ),
        ),
        (
            _("Retention and security (Art. 30(1)(f)-(g))"),
            ["retention", "security_measures"],
            "",
        ),
        (
            _("Data protection impact assessment (Art. 35)"),
            [
                "large_scale",
                "automated_evaluation",
                "public_monitoring",
                "dpia_done_on",
                "dpia_review_on",
            ],
            _("Egide says whether a DPIA is required from the Art. 35(3) cases ticked here."),
        ),
        (
            _("Anonymisation"),
            ["claims_anonymised", "notes"],
            _(
                "Pseudonymised data remain personal data (GDPR Recital 26): a claim of anonymity "
                "counts only with a passing anonymity assessment."
            ),
        ),
    ]

    class Meta:
        model = ProcessingActivity
        fields = list(PROCESSING_FIELDS)
        widgets = {
            "joint_controllers": _textarea(),
            "purposes": _textarea(3),
            "data_subject_categories": _textarea(),
            "personal_data_categories": _textarea(3),
            "third_country_transfers": _textarea(),
            "transfer_safeguard_documentation": _textarea(),
            "retention": _textarea(),
            "security_measures": _textarea(3),
            "notes": _textarea(),
            "dpia_done_on": DateInput(),
            "dpia_review_on": DateInput(),
        }
        help_texts = {
            "reference": _("A short code of your own, unique in the register, e.g. T-012."),
            "name": _(
                "What the processing is called in the clinic, e.g. Dossier patient informatisé."
            ),
            "role": _(
                "Controller: you decide why and how. Processor: you act on a client's documented "
                "instructions (Art. 28(3)(a))."
            ),
            "controller_name": _(
                "Legal name of the controller (your organisation, or your client for a processor "
                "line)."
            ),
            "controller_contact": _("Postal address, e-mail or telephone."),
            "joint_controllers": _(
                "Other bodies deciding the purposes with you (Art. 26), with their contacts."
            ),
            "representative": _("Only for a controller established outside the EU."),
            "dpo_contact": _("Name and e-mail of the data protection officer."),
            "purposes": _(
                "Why the data are processed, in plain words. For a processor: the categories of "
                "processing carried out for the client."
            ),
            "data_subject_categories": _("e.g. patients, relatives, staff, visitors."),
            "personal_data_categories": _(
                "e.g. identity, contact details, NIR, consultation notes, prescriptions."
            ),
            "legal_basis": _("GDPR Art. 6(1)(a)-(f). A processor line needs none of its own."),
            "article9_condition": _(
                "For health data in care: usually 9(2)(h); in research: 9(2)(j) or (i)."
            ),
            "data_location": _("Where the data are physically stored."),
            "third_country_transfers": _(
                "Countries and recipients outside the EEA, including remote access."
            ),
            "transfer_safeguard": _(
                "Adequacy decision, contractual clauses or a documented derogation."
            ),
            "retention": _("How long each category is kept before erasure or archiving."),
            "security_measures": _(
                "General description of the Art. 32 measures: access control, encryption, "
                "backups, logging."
            ),
            "large_scale": _(
                "Many data subjects, a large volume or a wide territory: large-scale health data "
                "make a DPIA compulsory (Art. 35(3)(b))."
            ),
            "dpia_done_on": _("Leave empty until the DPIA is done."),
            "dpia_review_on": _("When the DPIA must be looked at again."),
            "claims_anonymised": _("Tick only if the data handled here are said to be anonymous."),
        }

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": title, "help": help_text, "fields": [self[name] for name in names]}
            for title, names, help_text in self.SECTIONS
        ]


class RouteForm(forms.ModelForm[Article66Route]):
    covered_uses = _checkboxes(
        Use,
        _("Uses covered"),
        _(
            "What the declaration or the authorisation covers; Egide flags recorded uses outside "
            "it."
        ),
    )
    covered_recipient_kinds = _checkboxes(
        RecipientKind,
        _("Recipient types covered"),
        _("Recipients the authorisation names. A commercial reuser is never covered by default."),
    )

    class Meta:
        model = Article66Route
        fields = list(ROUTE_FIELDS)
        widgets = {
            "kind": forms.RadioSelect,
            "justification": _textarea(),
            "scope": _textarea(),
            "conditions": _textarea(),
            "filing_date": DateInput(),
            "decision_date": DateInput(),
            "expires_on": DateInput(),
            "cesrees_opinion_date": DateInput(),
        }
        help_texts = {
            "kind": _("Exactly one route per processing of health data."),
            "exemption_reason": _(
                "Art. 65: individual care, or an internal study by the care team on its own "
                "patients for its exclusive use."
            ),
            "justification": _("Why the exemption or route applies."),
            "methodology": _("The MR the processing conforms to in every point."),
            "filing_date": _(
                "Date the declaration (or the authorisation file) was lodged with the CNIL."
            ),
            "receipt_number": _("The receipt the CNIL returned."),
            "decision_number": _("Number of the CNIL deliberation or decision (art. 66-III)."),
            "scope": _("Purposes, data and recipients the CNIL authorised."),
            "conditions": _("Conditions set by the decision."),
            "expires_on": _("Egide warns 90, 30 and 7 days before."),
            "cesrees_opinion_date": _(
                "Research not involving the human person outside an MR: the CESREES opinion "
                "comes first."
            ),
        }

    SECTIONS = [
        (_("Route"), ["kind"], ""),
        (
            _("Exempt (Art. 65)"),
            ["exemption_reason", "justification"],
            _("Care of the patient, or an internal study of the care team on its own patients."),
        ),
        (
            _("Declaration of conformity, or file lodged"),
            ["methodology", "filing_date", "receipt_number"],
            _("Methodology for an MR declaration; filing date also for a pending file."),
        ),
        (
            _("CNIL authorisation (Art. 66-III)"),
            [
                "decision_number",
                "decision_date",
                "scope",
                "conditions",
                "expires_on",
                "cesrees_opinion_date",
                "cesrees_opinion_reference",
            ],
            "",
        ),
        (
            _("What the route covers"),
            ["covered_uses", "covered_recipient_kinds"],
            _("Leave empty when the scope is only described in words."),
        ),
    ]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": title, "help": help_text, "fields": [self[name] for name in names]}
            for title, names, help_text in self.SECTIONS
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = RouteKind.choices  # radio buttons: no empty "---------" choice


class ProcessorForm(forms.ModelForm[Processor]):
    hds_activities = _checkboxes(
        HdsActivity,
        _("Certified HDS activities"),
        _("Activities of art. R.1111-9 CSP listed on the certificate."),
    )

    class Meta:
        model = Processor
        fields = list(PROCESSOR_FIELDS)
        widgets = {
            "notes": _textarea(),
            "hds_certificate_expires_on": DateInput(),
        }
        help_texts = {
            "hds_certificate_number": _("Leave empty when the processor holds no HDS certificate."),
            "hds_certificate_expires_on": _("Egide warns 90, 30 and 7 days before."),
        }


class RecipientForm(forms.ModelForm[Recipient]):
    class Meta:
        model = Recipient
        fields = ["kind", "name", "processor", "location"]
        help_texts = {
            "processor": _("For a processor or host: choose it from your processor directory."),
        }

    def __init__(self, *args: Any, processors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        processor = self.fields["processor"]
        assert isinstance(processor, forms.ModelChoiceField)
        processor.queryset = processors
        self.fields["name"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("name") and not cleaned.get("processor"):
            self.add_error("name", _("Give the recipient's name or choose a processor."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("Columns as in the export, headers in French or English; 2 MB at most."),
    )
