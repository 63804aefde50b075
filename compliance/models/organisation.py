"""Organisations (tenants) and the memberships that give users a role in them."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.choices import Nis2Classification, OrganisationKind, Role
from compliance.models.tenancy import TenantQuerySet

siret_validator = RegexValidator(r"^\d{14}$", _("A SIRET number has exactly 14 digits."))
finess_validator = RegexValidator(
    r"^\d{2}[0-9AB]\d{6}$",
    _("A FINESS number has 9 characters: 2 digits, a digit or A/B, 6 digits."),
)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_user(self, user: Any) -> Self:
        """The organisations a user is an active member of: the tenancy root."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(memberships__user=user, is_active=True)

    def for_api_key(self, api_key: Any) -> Self:
        return self.filter(pk=api_key.organisation_id, is_active=True)


class Organisation(models.Model):
    """A tenant: a clinic, a hospital group, an HDS host or a software vendor."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    nis2_classification = models.CharField(
        _("NIS2 classification"),
        max_length=16,
        choices=Nis2Classification.choices,
        default=Nis2Classification.UNDETERMINED,
        help_text=_("NIS2 Art. 3: essential or important entity."),
    )
    staff_count = models.PositiveIntegerField(
        _("staff count"), null=True, blank=True, validators=[MaxValueValidator(2_000_000)]
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[siret_validator])
    finess = models.CharField(_("FINESS"), max_length=9, blank=True, validators=[finess_validator])
    require_two_factor = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Every member must confirm their login with a TOTP code."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[OrganisationQuerySet] = OrganisationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(TenantQuerySet):
    def of_user(self, user: Any) -> Self:
        """The user's own memberships (the organisation switcher)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user, organisation__is_active=True)


class Membership(models.Model):
    """A user's role in one organisation. A lead auditor typically holds several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    objects: ClassVar[MembershipQuerySet] = MembershipQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_per_user_and_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    def has_perm(self, permission: str) -> bool:
        from compliance.permissions import role_has_permission

        return role_has_permission(self.role, permission)
