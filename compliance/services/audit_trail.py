"""Appending to and verifying the hash-chained audit trail (ISO/IEC 27001:2022 A.8.15).

Every service that writes calls ``audit_event_record`` inside its own transaction, so the
business change and its audit row commit or roll back together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from compliance.models import ApiKey, AuditChainHead, AuditEvent, Organisation, User
from compliance.models.audit import GENESIS_HASH, chain_key_for


@dataclass(frozen=True)
class SystemActor:
    """Egide itself, acting from a management command or a scheduled task."""

    name: str

    def __str__(self) -> str:
        return f"system:{self.name}"


Actor = User | ApiKey | SystemActor


def actor_label(actor: Actor) -> str:
    if isinstance(actor, ApiKey):
        return f"api-key:{actor.display_prefix} ({actor.name})"
    if isinstance(actor, User):
        return actor.email
    return str(actor)


def json_safe(value: Any) -> Any:
    """The value as it will read back from a JSON column (dates as ISO strings, etc.)."""
    if isinstance(value, models.Model):
        value = value.pk
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: json_safe(getattr(instance, field)) for field in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        field: [before.get(field), after.get(field)]
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def audit_event_record(
    *,
    actor: Actor,
    organisation: Organisation | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain. Must run inside the caller's
    transaction: the chain head row is locked until that transaction ends, so
    concurrent writers append one after the other instead of forking the chain."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_event_record must be called inside transaction.atomic().")

    chain_key = chain_key_for(organisation.pk if organisation else None)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain_key=chain_key)

    event = AuditEvent(
        chain_key=chain_key,
        sequence=head.sequence + 1,
        organisation=organisation,
        actor_user=actor if isinstance(actor, User) else None,
        actor_api_key=actor if isinstance(actor, ApiKey) else None,
        actor_label=actor_label(actor)[:254],
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        changes=json_safe(changes or {}),
        created_at=timezone.now(),
        previous_hash=head.hash,
    )
    event.hash = event.compute_hash()
    event.save()

    head.sequence = event.sequence
    head.hash = event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    chain_key: str
    event_id: int | None
    sequence: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    chain_key: str
    events_checked: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _first_break(
    events: Iterator[AuditEvent], head: AuditChainHead | None
) -> tuple[int, AuditEvent | None, str | None]:
    """Walk one chain in sequence order: (events checked, event at fault, reason)."""
    expected_sequence, expected_previous = 1, GENESIS_HASH
    checked = 0
    last: AuditEvent | None = None
    for event in events:
        checked += 1
        if event.sequence != expected_sequence:
            return (
                checked,
                event,
                (
                    f"sequence {event.sequence} found where {expected_sequence} was expected "
                    "(an event was deleted or the rows were reordered)"
                ),
            )
        if event.previous_hash != expected_previous:
            return (
                checked,
                event,
                ("previous_hash does not match the preceding event (reordered or replaced row)"),
            )
        if event.compute_hash() != event.hash:
            return checked, event, "content does not match its hash (the row was edited)"
        expected_sequence, expected_previous = expected_sequence + 1, event.hash
        last = event

    # The head anchors the end of the chain: a tail cut off leaves it pointing further.
    head_sequence = head.sequence if head else 0
    last_sequence = last.sequence if last else 0
    if head_sequence != last_sequence or (head.hash if head else GENESIS_HASH) != expected_previous:
        return (
            checked,
            last,
            (
                f"the chain ends at sequence {last_sequence} but its anchor records "
                f"{head_sequence} (events were removed from the end)"
            ),
        )
    return checked, None, None


def _verify_chain(
    chain_key: str, events: Iterator[AuditEvent], head: AuditChainHead | None
) -> ChainReport:
    checked, event, reason = _first_break(events, head)
    if reason is None:
        return ChainReport(chain_key, checked, None)
    return ChainReport(
        chain_key,
        checked,
        ChainBreak(
            chain_key, event.pk if event else None, event.sequence if event else None, reason
        ),
    )


def audit_trail_verify(*, organisation: Organisation | None = None) -> list[ChainReport]:
    """Recompute every chain (or one organisation's) from the first event."""
    if organisation is not None:
        chain_keys = [chain_key_for(organisation.pk)]
    else:
        chain_keys = sorted(
            set(AuditChainHead.objects.values_list("chain_key", flat=True))
            | set(AuditEvent.objects.values_list("chain_key", flat=True).distinct())
        )
    reports = []
    for chain_key in chain_keys:
        head = AuditChainHead.objects.filter(chain_key=chain_key).first()
        events = (
            AuditEvent.objects.filter(chain_key=chain_key)
            .order_by("sequence", "id")
            .iterator(chunk_size=2000)
        )
        reports.append(_verify_chain(chain_key, events, head))
    return reports
