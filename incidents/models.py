"""Incidents, the notifications they owe, their timeline and the data-subject campaign.

The notifications are derived by ``incidents.rules`` from the incident's qualification;
``incidents.services.notifications_recompute`` keeps the rows in step with the rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation
from compliance.models.tenancy import TenantQuerySet
from incidents.choices import (
    Art34Exception,
    Channel,
    DeadlineKind,
    EventKind,
    Regime,
    ReminderKind,
)
from incidents.rules import Facts

BIG = MaxValueValidator(10_000_000_000)


class IncidentQuerySet(TenantQuerySet):
    def open(self) -> IncidentQuerySet:
        return self.filter(closed_at__isnull=True)

    def breaches(self) -> IncidentQuerySet:
        """Every personal data breach, notified or not (the GDPR Art. 33(5) register)."""
        return self.filter(personal_data_breach=True)


class Incident(models.Model):
    """A security incident as the organisation knows it: facts, qualification, and
    the moments of awareness from which each regime's clock runs."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="incidents"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20_000)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    aware_at = models.DateTimeField(
        _("became aware at"),
        help_text=_("When the organisation became aware of the incident: the clocks start here."),
    )
    # Awareness can differ per regime (e.g. the personal data were found affected later).
    nis2_aware_at = models.DateTimeField(
        _("aware of a significant incident at (NIS2)"), null=True, blank=True
    )
    gdpr_aware_at = models.DateTimeField(
        _("aware of a personal data breach at (GDPR)"), null=True, blank=True
    )
    health_aware_at = models.DateTimeField(
        _("aware of a serious incident at (ARS)"), null=True, blank=True
    )
    ongoing = models.BooleanField(_("ongoing"), default=True)
    handling_ended_at = models.DateTimeField(_("handling ended at"), null=True, blank=True)
    affected_systems = models.TextField(_("affected systems"), blank=True, max_length=5000)
    data_categories = models.TextField(
        _("categories of personal data"), blank=True, max_length=5000
    )
    data_subjects_count = models.PositiveBigIntegerField(
        _("approximate number of data subjects"), null=True, blank=True, validators=[BIG]
    )
    records_count = models.PositiveBigIntegerField(
        _("approximate number of records"), null=True, blank=True, validators=[BIG]
    )
    likely_consequences = models.TextField(_("likely consequences"), blank=True, max_length=10_000)
    measures_taken = models.TextField(
        _("measures taken or proposed"), blank=True, max_length=10_000
    )
    contact_point = models.CharField(
        _("DPO or contact point"),
        blank=True,
        max_length=300,
    )
    suspected_malicious = models.BooleanField(
        _("suspected unlawful or malicious act"), null=True, blank=True
    )
    cross_border_impact = models.BooleanField(
        _("possible cross-border impact"), null=True, blank=True
    )
    indicators_of_compromise = models.TextField(
        _("indicators of compromise"), blank=True, max_length=10_000
    )
    root_cause = models.TextField(_("type of threat or root cause"), blank=True, max_length=10_000)
    lessons_learned = models.TextField(_("lessons learned"), blank=True, max_length=10_000)

    # Qualification (decides which regimes apply; see incidents.rules).
    nis2_significant = models.BooleanField(
        _("significant incident (NIS2 Art. 23(3))"), default=False
    )
    trust_service_provider = models.BooleanField(_("trust service provider"), default=False)
    personal_data_breach = models.BooleanField(
        _("personal data breach (GDPR Art. 4(12))"), default=False
    )
    risk_unlikely = models.BooleanField(
        _("unlikely to result in a risk to persons (GDPR Art. 33(1))"), default=False
    )
    high_risk = models.BooleanField(_("high risk to the persons (GDPR Art. 34(1))"), default=False)
    art34_exception = models.CharField(
        _("Art. 34(3) exception"), max_length=32, choices=Art34Exception.choices, blank=True
    )
    acting_as_processor = models.BooleanField(
        _("we are the processor of the breached data (GDPR Art. 33(2))"), default=False
    )
    health_establishment_serious = models.BooleanField(
        _("serious incident of a health establishment's IS (CSP L.1111-8-2)"), default=False
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident owner"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[IncidentQuerySet] = IncidentQuerySet.as_manager()  # type: ignore[assignment]

    QUALIFICATION_FIELDS: ClassVar[tuple[str, ...]] = (
        "nis2_significant",
        "trust_service_provider",
        "personal_data_breach",
        "risk_unlikely",
        "high_risk",
        "art34_exception",
        "acting_as_processor",
        "health_establishment_serious",
        "ongoing",
        "aware_at",
        "nis2_aware_at",
        "gdpr_aware_at",
        "health_aware_at",
        "handling_ended_at",
    )

    class Meta:
        ordering = ["-aware_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["organisation", "-aware_at"])]

    def __str__(self) -> str:
        return self.title

    def aware_for(self, field: str) -> datetime:
        value: datetime | None = getattr(self, field)
        return value or self.aware_at

    def facts(self, *, nis2_notification_sent_at: datetime | None = None) -> Facts:
        return Facts(
            nis2_classification=self.organisation.nis2_classification,
            nis2_significant=self.nis2_significant,
            trust_service_provider=self.trust_service_provider,
            personal_data_breach=self.personal_data_breach,
            risk_unlikely=self.risk_unlikely,
            high_risk=self.high_risk,
            art34_exception=self.art34_exception,
            acting_as_processor=self.acting_as_processor,
            health_establishment_serious=self.health_establishment_serious,
            ongoing=self.ongoing,
            nis2_aware_at=self.aware_for("nis2_aware_at"),
            gdpr_aware_at=self.aware_for("gdpr_aware_at"),
            health_aware_at=self.aware_for("health_aware_at"),
            handling_ended_at=self.handling_ended_at,
            nis2_notification_sent_at=nis2_notification_sent_at,
        )


class NotificationQuerySet(TenantQuerySet):
    tenant_path = "incident__organisation"

    def pending(self) -> NotificationQuerySet:
        return self.filter(sent_at__isnull=True)


class Notification(models.Model):
    """One notification owed by an incident: to whom, by when, and when it was sent."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notifications")
    regime = models.CharField(_("regime"), max_length=32, choices=Regime.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    article = models.CharField(_("legal basis"), max_length=80)
    starts_at = models.DateTimeField(_("clock starts at"))
    due_at = models.DateTimeField(_("due at"))
    deadline_kind = models.CharField(_("deadline"), max_length=24, choices=DeadlineKind.choices)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    delay_reasons = models.TextField(_("reasons for the delay"), blank=True, max_length=10_000)
    # Editable draft: {field code: text}; empty until someone edits it (pre-filled then).
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[NotificationQuerySet] = NotificationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "regime"], name="notification_one_per_regime"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_regime_display()} · {self.incident}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    def is_overdue(self, now: datetime | None = None) -> bool:
        """A fixed deadline that has passed unsent (an immediate duty is never "late"
        by a clock, only owed now)."""
        now = now or timezone.now()
        if self.deadline_kind != DeadlineKind.HOURS:
            return False
        return (self.sent_at or now) > self.due_at

    @property
    def sent_late(self) -> bool:
        return (
            self.sent_at is not None
            and self.deadline_kind == DeadlineKind.HOURS
            and self.sent_at > self.due_at
        )


class IncidentEventQuerySet(TenantQuerySet):
    tenant_path = "incident__organisation"


class IncidentEvent(models.Model):
    """One line of the incident's timeline: what was done or decided, and when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    text = models.TextField(_("what"), max_length=10_000)
    actor_label = models.CharField(_("by"), max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[IncidentEventQuerySet] = IncidentEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class CampaignQuerySet(TenantQuerySet):
    tenant_path = "incident__organisation"


class DataSubjectCampaign(models.Model):
    """Telling the data subjects of one breach (GDPR Art. 34): how many must be told,
    how, the letter, and how many were told or could not be reached."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="campaign")
    audience = models.TextField(
        _("who must be told"),
        max_length=5000,
        help_text=_("The group of persons concerned, e.g. patients seen between two dates."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    to_tell = models.PositiveIntegerField(_("persons to tell"), validators=[BIG])
    told = models.PositiveIntegerField(_("told so far"), default=0)
    unreachable = models.PositiveIntegerField(_("unreachable"), default=0)
    letter = models.TextField(_("letter"), max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CampaignQuerySet] = CampaignQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("data subjects campaign")
        verbose_name_plural = _("data subjects campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(told__lte=models.F("to_tell") - models.F("unreachable")),
                name="campaign_told_within_population",
                violation_error_message=_(
                    "Told plus unreachable cannot exceed the persons to tell."
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.incident)

    @property
    def never_told(self) -> int:
        """Persons not told yet (still to reach, plus those who could not be reached)."""
        return max(self.to_tell - self.told, 0)

    @property
    def still_to_reach(self) -> int:
        return max(self.to_tell - self.told - self.unreachable, 0)


class ReminderSent(models.Model):
    """A reminder already e-mailed, so a beat run never sends the same one twice (the
    unique constraint settles two runs racing each other)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    # "0.5" for half-time, "2" for two hours before, "" when overdue.
    threshold = models.CharField(max_length=16, blank=True)
    due_at = models.DateTimeField()  # the deadline the reminder was about (it may move)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "kind", "threshold", "due_at"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.kind} {self.threshold}"
