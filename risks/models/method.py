"""The organisation's risk methodology (ISO/IEC 27001:2022 6.1.2 a-b): scales, matrix,
acceptance threshold and who may accept residual risk.

A methodology is never edited in place: a change is a new version, and every assessment
keeps pointing at the version it was made under, so an old level still reads with the
labels and threshold it was decided with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet


@dataclass(frozen=True)
class Level:
    """A position in the matrix: likelihood x impact, its score and whether it is within
    the acceptance threshold."""

    likelihood: int
    impact: int
    score: int
    acceptable: bool
    # 0..1: where the score sits between the lowest (1) and highest score of the matrix.
    intensity: float
    likelihood_label: str
    impact_label: str

    @property
    def css_class(self) -> str:
        if self.acceptable:
            return "level-ok"
        return "level-high" if self.intensity >= 0.6 else "level-mid"

    @property
    def fill(self) -> str:
        """The cell colour, written on the SVG itself so the PDF needs no stylesheet."""
        return {"level-ok": "#bfe5c6", "level-mid": "#f9cf8f", "level-high": "#f09a90"}[
            self.css_class
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.likelihood}x{self.impact})"


def label_text(label: Any) -> str:
    """A scale label ``{"fr": ..., "en": ...}`` in the active language (French fallback)."""
    if not isinstance(label, dict):
        return str(label)
    language = (translation.get_language() or "fr")[:2]
    return str(label.get(language) or label.get("fr") or label.get("en") or "")


class RiskMethod(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    # One {"fr": ..., "en": ...} per level, lowest first; 3 to 5 levels on each axis.
    likelihood_labels = models.JSONField(_("likelihood scale"))
    impact_labels = models.JSONField(_("impact scale"))
    acceptance_threshold = models.PositiveSmallIntegerField(
        _("acceptance threshold"),
        help_text=_("Highest likelihood x impact score accepted without a written reason."),
    )
    # Roles that may accept a residual risk besides the risk owner (6.1.3 f).
    acceptor_roles = models.JSONField(_("who may accept residual risk"), default=list)
    description = models.TextField(_("method description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=254, blank=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-version"]
        verbose_name = _("risk methodology")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="riskmethod_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.likelihood_size}x{self.impact_size})"

    @property
    def likelihood_size(self) -> int:
        return len(self.likelihood_labels)

    @property
    def impact_size(self) -> int:
        return len(self.impact_labels)

    @property
    def max_score(self) -> int:
        return self.likelihood_size * self.impact_size

    def likelihood_label(self, value: int) -> str:
        return label_text(self.likelihood_labels[value - 1])

    def impact_label(self, value: int) -> str:
        return label_text(self.impact_labels[value - 1])

    def is_valid_pair(self, likelihood: int | None, impact: int | None) -> bool:
        return (
            likelihood is not None
            and impact is not None
            and 1 <= likelihood <= self.likelihood_size
            and 1 <= impact <= self.impact_size
        )

    def level(self, likelihood: int | None, impact: int | None) -> Level | None:
        """The level of a (likelihood, impact) pair under this method; None when the pair
        is not assessed or does not fit the scales."""
        if not self.is_valid_pair(likelihood, impact):
            return None
        assert likelihood is not None and impact is not None
        score = likelihood * impact
        span = self.max_score - 1
        return Level(
            likelihood=likelihood,
            impact=impact,
            score=score,
            acceptable=score <= self.acceptance_threshold,
            intensity=(score - 1) / span if span else 0.0,
            likelihood_label=self.likelihood_label(likelihood),
            impact_label=self.impact_label(impact),
        )

    def matrix(self) -> list[list[Level]]:
        """Rows from the highest likelihood down, columns from the lowest impact: the
        matrix as it is drawn."""
        return [
            [
                level
                for impact in range(1, self.impact_size + 1)
                if (level := self.level(likelihood, impact)) is not None
            ]
            for likelihood in range(self.likelihood_size, 0, -1)
        ]
