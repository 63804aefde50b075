"""Risk scenarios, the controls that treat them and the history of their levels
(ISO/IEC 27001:2022 6.1.2 c-e, 6.1.3, 8.2, 8.3)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet
from risks.choices import ControlRole, Treatment
from risks.models.assets import Asset
from risks.models.method import Level, RiskMethod

LEVEL_STAGES = ("inherent", "current", "residual")


class Risk(models.Model):
    """A risk scenario: assets, threat, vulnerability and consequences on confidentiality,
    integrity and availability (6.1.2 c), its levels (6.1.2 d-e), the treatment decided
    (6.1.3 a-c), the target residual level and the risk owner's acceptance (6.1.3 f).

    Levels are (likelihood, impact) pairs read under ``method``, the methodology version
    the risk was assessed with."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    assets = models.ManyToManyField(
        Asset, blank=True, related_name="risks", verbose_name=_("assets")
    )
    threat = models.TextField(_("threat"), blank=True)
    vulnerability = models.TextField(_("vulnerability"), blank=True)
    affects_confidentiality = models.BooleanField(_("confidentiality"), default=False)
    affects_integrity = models.BooleanField(_("integrity"), default=False)
    affects_availability = models.BooleanField(_("availability"), default=False)
    consequences = models.TextField(_("consequences"), blank=True)
    method = models.ForeignKey(
        RiskMethod, on_delete=models.PROTECT, related_name="risks", verbose_name=_("methodology")
    )
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    current_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    current_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    treatment = models.CharField(
        _("treatment"), max_length=10, choices=Treatment.choices, blank=True
    )
    treatment_description = models.TextField(_("treatment plan"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk owner"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    acceptance_reason = models.TextField(_("reason for accepting"), blank=True)
    review_date = models.DateField(_("next review"), null=True, blank=True)
    # The review date a reminder was last sent for: the beat task sends one per date.
    review_reminded_for = models.DateField(null=True, blank=True)
    # The treatment's actions live in the remediation plan (audits app), next to the
    # audit findings' ones; ``finding`` is the risk's own entry there (source "risk").
    actions = models.ManyToManyField(
        "audits.RemediationAction",
        blank=True,
        related_name="risks",
        verbose_name=_("remediation actions"),
    )
    finding = models.ForeignKey(
        "audits.Finding",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("remediation plan entry"),
    )
    library_code = models.CharField(_("library scenario"), max_length=40, blank=True)
    source_reference = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["number"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="risk_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"R-{self.number:03d}"

    @property
    def inherent_level(self) -> Level | None:
        return self.method.level(self.inherent_likelihood, self.inherent_impact)

    @property
    def current_level(self) -> Level | None:
        return self.method.level(self.current_likelihood, self.current_impact)

    @property
    def residual_level(self) -> Level | None:
        return self.method.level(self.residual_likelihood, self.residual_impact)

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def cia(self) -> str:
        return "".join(
            letter
            for letter, flag in (
                ("C", self.affects_confidentiality),
                ("I", self.affects_integrity),
                ("A", self.affects_availability),
            )
            if flag
        )


class RiskControlQuerySet(TenantQuerySet):
    tenant_path = "risk__organisation"


class RiskControl(models.Model):
    """A control of the catalogue (Annex A or any other framework) that already treats a
    risk (``existing``) or is planned to (``planned``, 6.1.3 b)."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="control_links")
    requirement = models.ForeignKey(
        "controls.Requirement", on_delete=models.PROTECT, related_name="risk_links"
    )
    role = models.CharField(max_length=10, choices=ControlRole.choices)

    objects: ClassVar[RiskControlQuerySet] = RiskControlQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "requirement", "role"], name="riskcontrol_unique_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.risk_id} {self.role} {self.requirement_id}"


class RiskLevelRecordQuerySet(TenantQuerySet):
    tenant_path = "risk__organisation"


class RiskLevelRecord(models.Model):
    """The levels of a risk as they stood after a change: the history an auditor reads
    to see a risk go down over time (8.2 asks for assessments at planned intervals)."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="level_records")
    method = models.ForeignKey(RiskMethod, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    recorded_by_label = models.CharField(max_length=254, blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    current_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    current_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)

    objects: ClassVar[RiskLevelRecordQuerySet] = RiskLevelRecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk_id} @ {self.recorded_at:%Y-%m-%d}"

    def level(self, stage: str) -> Level | None:
        return self.method.level(
            getattr(self, f"{stage}_likelihood"), getattr(self, f"{stage}_impact")
        )

    @property
    def current_level(self) -> Level | None:
        return self.level("current")

    @property
    def residual_level(self) -> Level | None:
        return self.level("residual")

    @property
    def inherent_level(self) -> Level | None:
        return self.level("inherent")
