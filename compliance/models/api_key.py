"""Organisation API keys for HDS hosts and integrations.

A key is shown once at creation; only its SHA-256 is stored. The key carries 256 bits
of randomness, so a fast hash is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.choices import ApiKeyScope
from compliance.models.organisation import Organisation
from compliance.models.tenancy import TenantQuerySet

KEY_PREFIX = "egide"


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyQuerySet(TenantQuerySet):
    pass


class ApiKey(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    # The public part of the key ("egide_<prefix>_<secret>"), used to find the row.
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[ApiKeyQuerySet] = ApiKeyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({KEY_PREFIX}_{self.prefix}_…)"

    @property
    def display_prefix(self) -> str:
        return f"{KEY_PREFIX}_{self.prefix}_…"

    def matches(self, raw_key: str) -> bool:
        return hmac.compare_digest(self.hashed_key, hash_api_key(raw_key))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired and self.organisation.is_active

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def get_scopes_display(self) -> str:
        labels = dict(ApiKeyScope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in self.scopes)
