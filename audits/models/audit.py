"""Audits and their checks: one check per requirement in the audit's scope."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.choices import AuditKind, AuditStatus, CheckResult
from compliance.models import Organisation, TenantQuerySet


class Audit(models.Model):
    """One audit of one organisation (ISO/IEC 27001:2022 clause 9.2 for an internal audit;
    a "flash" audit is a short assessment of the same requirements by a lead auditor).

    Its scope is frameworks, themes and/or an explicit list of requirements, optionally
    sampled (N requirements per theme, drawn reproducibly from ``sample_seed``). Once
    ``closed`` nothing in it changes: checks, findings and the audit itself are locked."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AuditKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    objectives = models.TextField(_("objectives and criteria"), blank=True)
    frameworks = models.ManyToManyField(
        "controls.Framework", blank=True, related_name="+", verbose_name=_("frameworks")
    )
    themes = models.ManyToManyField(
        "controls.Theme", blank=True, related_name="+", verbose_name=_("themes")
    )
    requirements = models.ManyToManyField(
        "controls.Requirement",
        blank=True,
        related_name="+",
        verbose_name=_("explicit requirements"),
    )
    sample_per_theme = models.PositiveSmallIntegerField(
        _("controls sampled per theme"), null=True, blank=True
    )
    sample_seed = models.CharField(_("sampling seed"), max_length=64, blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead auditor"),
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("auditors")
    )
    auditees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("auditees")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_label = models.CharField(max_length=254, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-planned_start", "-pk"]
        indexes = [models.Index(fields=["organisation", "status"], name="audit_org_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == AuditStatus.CLOSED


class AuditCheckQuerySet(TenantQuerySet):
    tenant_path = "audit__organisation"


class AuditCheck(models.Model):
    """The auditor's judgement of one requirement during one audit."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checks")
    requirement = models.ForeignKey(
        "controls.Requirement", on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    result = models.CharField(
        _("result"), max_length=32, choices=CheckResult.choices, default=CheckResult.NON_EVALUE
    )
    notes = models.TextField(_("notes"), blank=True)
    evidence = models.ManyToManyField(
        "evidence.Evidence", blank=True, related_name="audit_checks", verbose_name=_("evidence")
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_by_label = models.CharField(max_length=254, blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    objects: ClassVar[AuditCheckQuerySet] = AuditCheckQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit check")
        verbose_name_plural = _("audit checks")
        ordering = ["audit", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "requirement"], name="auditcheck_one_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref_id}: {self.result}"

    @property
    def is_done(self) -> bool:
        return self.result != CheckResult.NON_EVALUE
