"""A PDF document requested by someone and rendered by a Celery worker."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet
from reports.choices import DocumentLanguage, JobStatus


class ReportJob(models.Model):
    """One requested document (evidence pack, remediation plan, SoA, or a kind another app
    registered in ``reports.registry``) and, once rendered, the file that leaves Egide.

    ``sha256`` fingerprints the file as written (after signing); ``manifest`` lists what
    the document was built from (every evidence revision and source record with its
    SHA-256), so that ``verify_report`` can tell later whether either changed.

    ``claim_token`` and ``heartbeat_at`` implement the lease of the worker rendering the
    job: a worker claims a queued job with a conditional UPDATE (so a task delivered twice
    renders once), refreshes the heartbeat while it renders, and only the holder of the
    token may store the result. A job whose heartbeat is older than the lease belongs to a
    dead worker and is queued again (``reports.tasks.requeue_stale_jobs``).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="report_jobs"
    )
    kind = models.CharField(_("document"), max_length=40)
    parameters = models.JSONField(default=dict, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=DocumentLanguage.choices, default="fr"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_by_label = models.CharField(_("requested by"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    signed = models.BooleanField(_("signed"), default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="reportjob_org_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="reportjob_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def download_name(self) -> str:
        return f"egide-{self.kind.replace('_', '-')}-{self.pk}.pdf"
