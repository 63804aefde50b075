"""The tamper-evident audit trail.

One ``AuditEvent`` per write, appended in the same transaction as the write. Events
form one hash chain per organisation (``chain_key``): each row stores the SHA-256 of
its canonical content plus the previous row's hash, and ``AuditChainHead`` anchors the
last sequence number and hash, so an edited, deleted, reordered or truncated chain is
detected by ``manage.py verify_audit_trail`` (ISO/IEC 27001:2022 A.8.15 Logging).

The table is append-only: the ORM refuses updates and deletes, and on PostgreSQL a
trigger refuses them too (migration 0002).
"""

from __future__ import annotations

import calendar
import hashlib
import json
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.models.api_key import ApiKey
from compliance.models.organisation import Organisation
from compliance.models.tenancy import TenantQuerySet

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "global"


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit event."""


def chain_key_for(organisation_id: int | None) -> str:
    return f"org:{organisation_id}" if organisation_id else GLOBAL_CHAIN


class AuditEventQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("Audit events cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    chain_key = models.CharField(max_length=32, editable=False)
    sequence = models.PositiveBigIntegerField(editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A snapshot of who acted, kept even if the user's name or e-mail changes later.
    actor_label = models.CharField(_("actor"), max_length=254)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        # Newest first by chain position: ids are not hashed, sequences are.
        ordering = ["-sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            models.UniqueConstraint(
                fields=["chain_key", "sequence"], name="auditevent_unique_sequence_per_chain"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "-sequence"], name="auditevent_org_recent"),
            models.Index(fields=["object_type", "object_id"], name="auditevent_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An instance carrying an id (loaded, or built with an existing id) would make
        # Django try an UPDATE first: refuse it, and only ever INSERT.
        if not self._state.adding or self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def canonical_payload(self) -> dict[str, Any]:
        """Everything the hash protects, in a representation stable across databases."""
        return {
            "chain": self.chain_key,
            "sequence": self.sequence,
            "organisation": self.organisation_id,
            "actor_user": self.actor_user_id,
            "actor_api_key": self.actor_api_key_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            # Microseconds since the epoch in UTC: exact, whatever the database's format.
            "created_at": calendar.timegm(self.created_at.utctimetuple()) * 1_000_000
            + self.created_at.microsecond,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        encoded = json.dumps(
            self.canonical_payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        return hashlib.sha256(encoded).hexdigest()


class AuditChainHead(models.Model):
    """The last sequence number and hash of each chain: the anchor that reveals a truncated
    tail, and the row locked while an event is appended so that two writers never fork
    the chain."""

    chain_key = models.CharField(max_length=32, unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.chain_key} @ {self.sequence}"
