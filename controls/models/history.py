"""Compliance scores over time: one snapshot per organisation, framework and day.

The score itself is always computed from the current statuses (controls.selectors); a
snapshot only remembers what it was on a given day, so the dashboard can draw a trend.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet
from controls.models.catalogue import Framework


class ScoreSnapshot(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    percent = models.PositiveSmallIntegerField(_("score (%)"), null=True)
    counted = models.PositiveIntegerField(_("requirements counted"))
    by_status = models.JSONField(_("requirements by status"), default=dict)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        ordering = ["organisation", "framework", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "framework", "day"], name="scoresnapshot_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework_id} {self.day}: {self.percent}%"
