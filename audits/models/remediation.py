"""Findings and the remediation actions that answer them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.choices import (
    ACTION_OPEN_STATUSES,
    SEVERITY_PRIORITY,
    ActionStatus,
    FindingSeverity,
    FindingSource,
    FindingStatus,
    Priority,
)
from compliance.models import Organisation, TenantQuerySet


class Finding(models.Model):
    """A nonconformity, observation or opportunity for improvement (ISO/IEC 27001:2022
    clause 10.2 asks for its cause and the action taken). Most come from an audit check;
    an incident's lessons or a risk review may raise one without an audit."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="findings"
    )
    number = models.PositiveIntegerField(_("number"))
    source = models.CharField(
        _("source"), max_length=16, choices=FindingSource.choices, default=FindingSource.AUDIT
    )
    audit = models.ForeignKey(
        "audits.Audit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("audit"),
    )
    audit_check = models.OneToOneField(
        "audits.AuditCheck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("check"),
    )
    requirement = models.ForeignKey(
        "controls.Requirement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requirement breached"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=FindingSeverity.choices)
    root_cause = models.TextField(_("root cause"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    evidence = models.ManyToManyField(
        "evidence.Evidence", blank=True, related_name="findings", verbose_name=_("evidence")
    )
    created_by_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="finding_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"F-{self.number:03d}"

    @property
    def is_locked(self) -> bool:
        return self.audit is not None and self.audit.is_locked


class RemediationActionQuerySet(TenantQuerySet):
    def still_open(self) -> RemediationActionQuerySet:
        return self.filter(status__in=ACTION_OPEN_STATUSES)


class RemediationAction(models.Model):
    """One step of the remediation plan answering a finding (ISO/IEC 27001:2022 10.2 c and d).
    The plan outlives the audit: actions stay editable after the audit is closed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    priority_override_reason = models.TextField(_("reason for overriding the priority"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verification_evidence = models.ForeignKey(
        "evidence.Evidence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verified_actions",
        verbose_name=_("verification evidence"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_notes = models.TextField(_("verification notes"), blank=True)
    created_by_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RemediationActionQuerySet] = RemediationActionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("remediation action")
        verbose_name_plural = _("remediation actions")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="action_plan_lookup")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def derived_priority(self) -> str:
        return SEVERITY_PRIORITY[self.finding.severity]

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_OPEN_STATUSES


class ActionReminder(models.Model):
    """One reminder e-mail sent for one action on one day: the unique constraint is what
    stops a second beat run (or two workers) from mailing the owner twice."""

    action = models.ForeignKey(RemediationAction, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    days_before = models.SmallIntegerField()
    recipient = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "sent_on"], name="reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.action_id} {self.sent_on}"
