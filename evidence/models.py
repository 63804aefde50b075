"""Audit evidence: an item (a document, a screenshot, a link) kept by an organisation.

The item is what requirements, audit checks and findings point at; its files are kept as
immutable revisions (added by the evidence app's later migrations).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet


class Evidence(models.Model):
    """One piece of evidence of an organisation, reusable across audits and frameworks."""

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

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
