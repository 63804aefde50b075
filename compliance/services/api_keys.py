"""Creating, revoking and authenticating organisation API keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.choices import ApiKeyScope
from compliance.models import ApiKey, Organisation, User
from compliance.models.api_key import KEY_PREFIX, hash_api_key
from compliance.services.audit_trail import Actor, audit_event_record

# Only the last-use stamp is written outside the audit trail: it is telemetry, refreshed
# at most once per this interval so that busy integrations do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    raw_key: str  # shown once, never stored


def api_key_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    expires_in_days: int | None = None,
) -> IssuedApiKey:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the key a name that says who uses it."))
    valid_scopes = set(ApiKeyScope.values)
    if not scopes or not set(scopes) <= valid_scopes:
        raise ValidationError(
            _("Choose at least one scope among: %(scopes)s.")
            % {"scopes": ", ".join(ApiKeyScope.values)}
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError(_("A key expires after 1 to 3650 days."))

    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    ordered_scopes = [scope for scope in ApiKeyScope.values if scope in scopes]
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            hashed_key=hash_api_key(raw_key),
            scopes=ordered_scopes,
            expires_at=expires_at,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="api_key.create",
            target=api_key,
            changes={
                "name": [None, name],
                "scopes": [None, ordered_scopes],
                "expires_at": [None, expires_at],
            },
        )
    return IssuedApiKey(api_key=api_key, raw_key=raw_key)


def api_key_revoke(*, actor: Actor, api_key: ApiKey) -> ApiKey:
    with transaction.atomic():
        api_key = (
            ApiKey.objects.select_for_update().select_related("organisation").get(pk=api_key.pk)
        )
        if api_key.revoked_at is not None:
            return api_key
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_event_record(
            actor=actor,
            organisation=api_key.organisation,
            action="api_key.revoke",
            target=api_key,
            changes={"revoked_at": [None, api_key.revoked_at]},
        )
    return api_key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The usable key matching ``raw_key``, or None (unknown, malformed, revoked, expired)."""
    parts = raw_key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8:
        return None
    api_key = ApiKey.objects.select_related("organisation").filter(prefix=parts[1]).first()
    if api_key is None or not api_key.matches(raw_key) or not api_key.is_usable:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
