"""An anonymity assessment: one dataset extract measured against WP29 Opinion 05/2014.

Only complete assessments are stored (the service writes the row once the whole measure
has succeeded); the file itself is not kept, its SHA-256 is, so that the assessment can
later be matched with the extract that actually left.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anonymity.choices import Verdict
from compliance.models import Organisation
from compliance.models.tenancy import TenantQuerySet


class AnonymityAssessment(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="anonymity_assessments"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_size = models.BigIntegerField(_("file size (bytes)"))
    file_format = models.CharField(_("file format"), max_length=10)
    # The processing activity (GDPR Art. 30 register line) whose data the extract comes
    # from: the privacy rules accept a "claimed anonymous" processing only when its latest
    # linked assessment says anonymous.
    processing = models.ForeignKey(
        "privacy.ProcessingActivity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="anonymity_assessments",
        verbose_name=_("processing activity"),
    )
    column_roles = models.JSONField(_("column roles"), default=dict)
    parameters = models.JSONField(_("parameters"), default=dict)
    results = models.JSONField(_("results"), default=dict)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    rows = models.BigIntegerField(_("records"))
    k_anonymity = models.BigIntegerField(_("k-anonymity"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_by_label = models.CharField(_("run by"), max_length=200)
    created_at = models.DateTimeField(_("run at"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("anonymity assessment")
        verbose_name_plural = _("anonymity assessments")
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_verdict_display()})"

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.ANONYMOUS
