"""Per-organisation state: the Statement of Applicability and requirement statuses."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models import Organisation, TenantQuerySet
from controls.choices import ImplementationStatus, Relationship
from controls.models.catalogue import Requirement


class StatusFields(models.Model):
    """Implementation status recorded by a person, and the status offered by a mapped
    requirement (``suggested_*``) until a person confirms it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="%(class)s_rows"
    )
    status = models.CharField(
        _("implementation status"),
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    suggested_status = models.CharField(
        max_length=16, choices=ImplementationStatus.choices, blank=True
    )
    suggested_from = models.ForeignKey(
        Requirement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggested_relationship = models.CharField(
        max_length=10, choices=Relationship.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TenantQuerySet] = TenantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.requirement.ref_id}: {self.status}"

    @property
    def has_pending_suggestion(self) -> bool:
        return bool(self.suggested_status) and self.suggested_status != self.status


class Applicability(StatusFields):
    """A line of the Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d): one Annex A
    control, whether it applies, why it is included or excluded, and whether it is
    implemented."""

    applicable = models.BooleanField(_("applicable"), null=True, blank=True)
    inclusion_justification = models.TextField(_("justification for inclusion"), blank=True)
    exclusion_justification = models.TextField(_("justification for exclusion"), blank=True)

    class Meta:
        verbose_name = _("SoA line")
        verbose_name_plural = _("SoA lines")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "requirement"], name="applicability_one_per_control"
            )
        ]


class ControlStatus(StatusFields):
    """The status of a requirement outside the SoA (NIS2, GDPR, HDS, ISO clauses, ...)."""

    class Meta:
        verbose_name = _("requirement status")
        verbose_name_plural = _("requirement statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "requirement"], name="controlstatus_one_per_requirement"
            )
        ]


class SoaVersionQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ValueError("An issued SoA version cannot be changed.")

    def delete(self) -> NoReturn:
        raise ValueError("An issued SoA version cannot be deleted.")


class SoaVersion(models.Model):
    """An issued, numbered, immutable Statement of Applicability: what the certification
    body reads. ``lines`` is the frozen content; ``sha256`` its fingerprint."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey("controls.Framework", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by_label = models.CharField(max_length=254)
    note = models.CharField(_("note"), max_length=300, blank=True)
    lines = models.JSONField()
    sha256 = models.CharField(max_length=64)

    objects: ClassVar[SoaVersionQuerySet] = SoaVersionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-number"]
        verbose_name = _("issued SoA")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="soaversion_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"SoA v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            raise ValueError("An issued SoA version cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("An issued SoA version cannot be deleted.")
