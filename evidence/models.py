"""Audit evidence: an item (documents, screenshots, exports, or a link) kept by an
organisation, and the immutable revisions of its files.

An item supports any number of requirements (and, through the audits app, checks,
findings and remediation actions). Its files are stored once under their SHA-256
(content addressing), so the same document uploaded twice takes the space of one and
``verify_evidence`` can prove that what an auditor downloads is what was collected
(ISO/IEC 27001:2022 A.5.33 "protection of records", 7.5.3 "control of documented
information").
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet
from evidence.choices import IntegrityStatus

BAD_INTEGRITY = (IntegrityStatus.COMPROMISED, IntegrityStatus.MISSING)


class EvidenceQuerySet(TenantQuerySet):
    def valid_on(self, day: datetime.date) -> EvidenceQuerySet:
        """Items that still count on ``day``: not past their expiry date, and with no
        file that ``verify_evidence`` found changed or missing."""
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day)).exclude(
            revisions__integrity_status__in=BAD_INTEGRITY
        )

    def expired_on(self, day: datetime.date) -> EvidenceQuerySet:
        return self.filter(expires_on__lt=day)

    def compromised(self) -> EvidenceQuerySet:
        return self.filter(revisions__integrity_status__in=BAD_INTEGRITY).distinct()


class Evidence(models.Model):
    """One piece of evidence of an organisation, reusable across audits and frameworks.

    An item is either files (its revisions) or a link (``url``). ``collected_on`` and
    ``expires_on`` are those of its latest revision (or, for a link, set directly): past
    ``expires_on`` the item no longer counts towards a requirement."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="evidence_items"
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    requirements = models.ManyToManyField(
        "controls.Requirement",
        related_name="evidence_items",
        blank=True,
        verbose_name=_("requirements"),
    )

    objects: ClassVar[EvidenceQuerySet] = EvidenceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "expires_on"], name="evidence_expiry")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    def is_expired(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on < today


class EvidenceRevisionQuerySet(TenantQuerySet):
    tenant_path = "evidence__organisation"

    def update(self, **kwargs: Any) -> NoReturn:
        raise ValueError("An evidence revision cannot be changed.")

    def delete(self) -> NoReturn:
        raise ValueError("An evidence revision cannot be deleted.")

    def record_verification(self, status: str, verified_at: datetime.datetime) -> int:
        """The one write a revision accepts after it is created: the result of
        ``verify_evidence``. Its content (name, size, hash, type, dates) never changes."""
        return super().update(integrity_status=status, verified_at=verified_at)


class EvidenceRevision(models.Model):
    """One uploaded file of an item, immutable once written: its name, size, SHA-256 and
    the media type detected from its bytes (not from its name). The bytes are stored in
    ``storage_name`` (``evidence/ab/abcdef…``), shared by every revision with the same
    content."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    media_type = models.CharField(_("media type"), max_length=127)
    storage_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_by_label = models.CharField(max_length=254)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    integrity_status = models.CharField(
        _("integrity"), max_length=16, choices=IntegrityStatus.choices, default=IntegrityStatus.OK
    )
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)

    objects: ClassVar[EvidenceRevisionQuerySet] = EvidenceRevisionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("evidence revision")
        verbose_name_plural = _("evidence revisions")
        ordering = ["evidence_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "number"], name="evidencerevision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (r{self.number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            raise ValueError("An evidence revision cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("An evidence revision cannot be deleted.")

    @property
    def is_intact(self) -> bool:
        return self.integrity_status == IntegrityStatus.OK

    def is_expired(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on < today
