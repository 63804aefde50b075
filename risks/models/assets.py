"""Assets the risk assessment is about (ISO/IEC 27001:2022 A.5.9 inventory)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet
from risks.choices import AssetKind, Classification


class Asset(models.Model):
    """Information, a system, a site or a supplier, with its owner and classification.
    ``health_data`` marks assets holding personal health data (the HDS and Article 66
    scope)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    classification = models.CharField(
        _("classification"),
        max_length=16,
        choices=Classification.choices,
        default=Classification.INTERNAL,
    )
    health_data = models.BooleanField(_("holds health data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="asset_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
