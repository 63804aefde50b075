"""An anonymity assessment: one dataset extract measured against WP29 Opinion 05/2014.

The measure runs in a Celery worker (an extract can hold a million rows): the row is
created ``queued`` when the roles are confirmed, and only a ``done`` row carries results
and a verdict; a ``failed`` one says why. The file itself is not kept, its SHA-256 is, so
that the assessment can later be matched with the extract that actually left.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anonymity.choices import AssessmentStatus, AssessmentStep, Verdict
from compliance.jobs import STALL_MARGIN
from compliance.models import Organisation
from compliance.models.tenancy import TenantQuerySet


def task_time_limit() -> int:
    """Hard time limit of the assessment task, in seconds."""
    return int(getattr(settings, "ANONYMITY_TASK_TIME_LIMIT", 1800))


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
    # Empty (verdict) or null (numbers) until the measure is done.
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, blank=True, default=""
    )
    rows = models.BigIntegerField(_("records"), null=True, blank=True)
    k_anonymity = models.BigIntegerField(_("k-anonymity"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=20, choices=AssessmentStep.choices, blank=True)
    # An English sentence (a msgid, shown translated) or the reader's message on the file.
    error = models.TextField(_("error"), blank=True)
    # Where the extract waits for the worker (anonymity.uploads); emptied once discarded.
    upload_token = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
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
        return f"{self.file_name} ({self.get_verdict_display() or self.get_status_display()})"

    @property
    def passed(self) -> bool:
        return self.status == AssessmentStatus.DONE and self.verdict == Verdict.ANONYMOUS

    @property
    def is_done(self) -> bool:
        return self.status == AssessmentStatus.DONE

    @property
    def stalled(self) -> bool:
        """Still "running" after the hard time limit: its worker died without a word."""
        return (
            self.status == AssessmentStatus.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at
            > datetime.timedelta(seconds=task_time_limit()) + STALL_MARGIN
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (AssessmentStatus.DONE, AssessmentStatus.FAILED) or self.stalled
