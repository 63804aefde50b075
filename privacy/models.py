"""The processing register (GDPR Art. 30), its recipients and processors, the Article 66
route of each health-data processing (loi n° 78-17) and the findings of the rules engine."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.jobs import STALL_MARGIN
from compliance.models import Organisation
from compliance.models.tenancy import TenantQuerySet
from privacy.choices import (
    SECONDARY_USES,
    Article9Condition,
    ExemptionReason,
    HdsActivity,
    ImportStatus,
    ImportStep,
    LegalBasis,
    Location,
    Methodology,
    ProcessingRole,
    RecipientKind,
    RouteKind,
    Severity,
    SpecialCategory,
    TransferSafeguard,
    Use,
)


def _labels(codes: list[str], choices: type[models.TextChoices]) -> list[Any]:
    """Lazy labels: rendered in the language of whoever reads them (a finding stores its
    message in French and in English)."""
    known = {choice.value: choice.label for choice in choices}
    return [known.get(code, code) for code in codes]


class Processor(models.Model):
    """A processor or host the organisation uses (GDPR Art. 28), with its HDS
    certificate (art. L.1111-8 CSP) and where it stores data (HDS v2 EXI 28)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="processors"
    )
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    service = models.CharField(
        _("service provided"),
        max_length=300,
        blank=True,
        help_text=_("What the processor does with the data, e.g. hosting of the patient record."),
    )
    hosts_data = models.BooleanField(
        _("hosts the data"),
        default=False,
        help_text=_("Stores or hosts the data (an HDS certificate is needed for health data)."),
    )
    location = models.CharField(
        _("where it stores data"), max_length=16, choices=Location.choices, default=Location.EEA
    )
    hds_certificate_number = models.CharField(
        _("HDS certificate number"), max_length=100, blank=True
    )
    hds_certificate_expires_on = models.DateField(
        _("HDS certificate expiry"), null=True, blank=True
    )
    hds_activities = models.JSONField(
        _("certified HDS activities"),
        default=list,
        blank=True,
        help_text=_("Activities 1-6 of art. R.1111-9 CSP covered by the certificate."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("processor")
        verbose_name_plural = _("processors")

    def __str__(self) -> str:
        return self.name

    def hds_valid_on(self, day: datetime.date) -> bool:
        return bool(self.hds_certificate_number) and (
            self.hds_certificate_expires_on is None or self.hds_certificate_expires_on >= day
        )

    @property
    def hds_certified(self) -> bool:
        return self.hds_valid_on(timezone.localdate())

    def hds_activity_labels(self) -> list[Any]:
        return _labels(self.hds_activities, HdsActivity)


class ProcessingActivity(models.Model):
    """One line of the record of processing activities: every field of GDPR Art. 30(1)
    for a controller, of Art. 30(2) when the organisation acts as a processor."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="processing_activities"
    )
    reference = models.CharField(_("reference"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("our role"),
        max_length=20,
        choices=ProcessingRole.choices,
        default=ProcessingRole.CONTROLLER,
    )
    # Art. 30(1)(a) / 30(2)(a)
    controller_name = models.CharField(_("controller"), max_length=200, blank=True)
    controller_contact = models.CharField(_("controller contact"), max_length=300, blank=True)
    joint_controllers = models.TextField(_("joint controllers"), blank=True)
    representative = models.CharField(_("representative"), max_length=300, blank=True)
    dpo_contact = models.CharField(_("DPO contact"), max_length=300, blank=True)
    # Art. 30(1)(b)
    purposes = models.TextField(_("purposes"), blank=True)
    uses = models.JSONField(_("uses"), default=list, blank=True)
    # Art. 30(1)(c)
    data_subject_categories = models.TextField(_("categories of data subjects"), blank=True)
    personal_data_categories = models.TextField(_("categories of personal data"), blank=True)
    special_categories = models.JSONField(_("special categories"), default=list, blank=True)
    direct_identifiers = models.JSONField(_("direct identifiers held"), default=list, blank=True)
    legal_basis = models.CharField(
        _("lawful basis (Art. 6)"), max_length=1, choices=LegalBasis.choices, blank=True
    )
    article9_condition = models.CharField(
        _("Art. 9(2) condition"), max_length=1, choices=Article9Condition.choices, blank=True
    )
    # Art. 30(1)(e), HDS v2 EXI 28-29
    data_location = models.CharField(
        _("where the data are stored"),
        max_length=16,
        choices=Location.choices,
        default=Location.EEA,
    )
    third_country_transfers = models.TextField(_("transfers outside the EEA"), blank=True)
    transfer_safeguard = models.CharField(
        _("transfer safeguard"), max_length=16, choices=TransferSafeguard.choices, blank=True
    )
    transfer_safeguard_documentation = models.TextField(_("safeguard documentation"), blank=True)
    # Art. 30(1)(f), (g)
    retention = models.TextField(_("erasure time limits"), blank=True)
    security_measures = models.TextField(_("security measures"), blank=True)
    # Art. 35(3)
    large_scale = models.BooleanField(_("large scale"), default=False)
    automated_evaluation = models.BooleanField(
        _("systematic automated evaluation with legal or similar effects"), default=False
    )
    public_monitoring = models.BooleanField(
        _("systematic monitoring of a publicly accessible area"), default=False
    )
    dpia_done_on = models.DateField(_("DPIA carried out on"), null=True, blank=True)
    dpia_review_on = models.DateField(_("DPIA review date"), null=True, blank=True)
    # Anonymisation claim: see privacy.rules.anonymity_assessment_passed (issue 7 hook).
    claims_anonymised = models.BooleanField(_("data declared anonymised"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["reference", "id"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="processing_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def has_health_data(self) -> bool:
        return SpecialCategory.HEALTH in self.special_categories

    @property
    def secondary_uses(self) -> list[str]:
        return [use for use in self.uses if use in SECONDARY_USES]

    def use_labels(self) -> list[Any]:
        return _labels(self.uses, Use)

    def special_category_labels(self) -> list[Any]:
        return _labels(self.special_categories, SpecialCategory)

    def dpia_required(self) -> list[str]:
        """The Art. 35(3) cases that apply: (a), (b), (c)."""
        cases = []
        if self.automated_evaluation:
            cases.append("35(3)(a)")
        if self.large_scale and self.special_categories:
            cases.append("35(3)(b)")
        if self.large_scale and self.public_monitoring:
            cases.append("35(3)(c)")
        return cases


class ProcessingChildQuerySet(TenantQuerySet):
    tenant_path = "processing__organisation"


class Recipient(models.Model):
    """A typed recipient of a processing (GDPR Art. 30(1)(d)); a processor or host is
    linked to its entry in the processor directory."""

    processing = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="recipients"
    )
    kind = models.CharField(_("type"), max_length=20, choices=RecipientKind.choices)
    name = models.CharField(_("name"), max_length=200)
    processor = models.ForeignKey(
        Processor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recipients",
        verbose_name=_("processor"),
    )
    location = models.CharField(
        _("location"), max_length=16, choices=Location.choices, default=Location.EEA
    )

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    objects: ClassVar[ProcessingChildQuerySet] = ProcessingChildQuerySet.as_manager()  # type: ignore[assignment]


class Article66Route(models.Model):
    """The one Article 66 route of a health-data processing and its evidence (BRIEF §4.1):
    exempt (art. 65), declaration of conformity to an MR or to the warehouse référentiel,
    CNIL authorisation (art. 66-III) or pending."""

    processing = models.OneToOneField(
        ProcessingActivity, on_delete=models.CASCADE, related_name="route"
    )
    kind = models.CharField(_("route"), max_length=24, choices=RouteKind.choices)
    exemption_reason = models.CharField(
        _("exemption"), max_length=20, choices=ExemptionReason.choices, blank=True
    )
    justification = models.TextField(_("justification"), blank=True)
    methodology = models.CharField(
        _("reference methodology"), max_length=8, choices=Methodology.choices, blank=True
    )
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=100, blank=True)
    decision_number = models.CharField(_("CNIL decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    scope = models.TextField(_("authorised scope"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    expires_on = models.DateField(_("expiry"), null=True, blank=True)
    cesrees_opinion_date = models.DateField(_("CESREES opinion date"), null=True, blank=True)
    cesrees_opinion_reference = models.CharField(
        _("CESREES opinion reference"), max_length=100, blank=True
    )
    covered_uses = models.JSONField(_("uses covered"), default=list, blank=True)
    covered_recipient_kinds = models.JSONField(
        _("recipient types covered"), default=list, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ProcessingChildQuerySet] = ProcessingChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Article 66 route")
        verbose_name_plural = _("Article 66 routes")

    def __str__(self) -> str:
        return f"{self.processing.reference}: {self.get_kind_display()}"

    @property
    def catalogue_ref(self) -> str:
        """The requirement of the lil-art66 catalogue this route answers."""
        return {
            RouteKind.EXEMPT: "EXEMPT-INTERNAL"
            if self.exemption_reason == ExemptionReason.INTERNAL_STUDY
            else "EXEMPT-CARE",
            RouteKind.MR_DECLARATION: self.methodology or "MR",
            RouteKind.WAREHOUSE_DECLARATION: "EDS",
            RouteKind.AUTHORISATION: "AUTH",
            RouteKind.PENDING: "AUTH",
        }[RouteKind(self.kind)]

    def expired_on(self, day: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < day


class ComplianceFinding(models.Model):
    """What the rules engine found on one processing, recomputed whenever the
    processing, its recipients, its processors or its route change."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="privacy_findings"
    )
    processing = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="findings"
    )
    rule_code = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    article = models.CharField(_("legal basis"), max_length=300)
    message_fr = models.TextField(_("message (French)"))
    message_en = models.TextField(_("message (English)"))
    created_at = models.DateTimeField(_("found at"), default=timezone.now)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["processing_id", "id"]
        verbose_name = _("compliance finding")
        verbose_name_plural = _("compliance findings")
        indexes = [models.Index(fields=["organisation", "severity"])]

    def __str__(self) -> str:
        return f"{self.rule_code} on {self.processing_id}"

    @property
    def message(self) -> str:
        from django.utils.translation import get_language

        return self.message_en if (get_language() or "fr").startswith("en") else self.message_fr

    @property
    def severity_rank(self) -> int:
        from privacy.choices import SEVERITY_ORDER

        return SEVERITY_ORDER.index(Severity(self.severity))


class ExpiryReminder(models.Model):
    """One warning e-mail sent before an authorisation or an HDS certificate expires, so
    that the daily task never sends the same one twice (unique per object, expiry date
    and threshold)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=20)  # "route" or "processor"
    object_id = models.PositiveBigIntegerField()
    expires_on = models.DateField()
    threshold_days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "expires_on", "threshold_days"],
                name="expiry_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.threshold_days}d to {self.expires_on}"


def import_time_limit() -> int:
    """Hard time limit of the register import task, in seconds."""
    return int(getattr(settings, "PRIVACY_IMPORT_TIME_LIMIT", 900))


def _import_file_name(instance: RegisterImport, filename: str) -> str:
    # Never the uploaded name in a path: the row keeps it for display.
    return f"register-imports/{instance.organisation_id}/{uuid.uuid4().hex}.upload"


class RegisterImport(models.Model):
    """One register import (CSV or XLSX, 2 MB at most) applied by a Celery worker, all or
    nothing: ``done`` with the counts of lines added and updated, or ``failed`` with every
    row error (line, column, message) and nothing written, or the reason it could not
    run. The file is deleted once read; its name, size and SHA-256 stay.

    Row errors and column names are written in ``language``, the requester's (the file's
    headers may be French or English either way)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="register_imports"
    )
    file = models.FileField(upload_to=_import_file_name, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveIntegerField(_("file size (bytes)"))
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=10, choices=ImportStep.choices, blank=True)
    created_count = models.PositiveIntegerField(_("lines added"), default=0)
    updated_count = models.PositiveIntegerField(_("lines updated"), default=0)
    # [{"row": 3, "column": "Référence", "message": "..."}], row 0 for the whole file.
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    # An English sentence (a msgid, shown translated) when the import could not run.
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_by_label = models.CharField(_("requested by"), max_length=254)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def stalled(self) -> bool:
        """Still "running" after the hard time limit: its worker died without a word."""
        return (
            self.status == ImportStatus.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at
            > datetime.timedelta(seconds=import_time_limit()) + STALL_MARGIN
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED) or self.stalled
