"""Writes on the asset inventory."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compliance.models import Membership, Organisation
from compliance.services.audit_trail import Actor, audit_event_record, diff, snapshot
from risks.models import Asset

ASSET_FIELDS = ("name", "kind", "description", "owner", "classification", "health_data")


def validate_member(organisation: Organisation, user: Any, field: str = "owner") -> None:
    if (
        user is not None
        and not Membership.objects.filter(organisation=organisation, user=user).exists()
    ):
        raise ValidationError({field: _("Choose a member of this organisation.")})


def _check_unique_name(asset: Asset) -> None:
    clash = Asset.objects.filter(organisation_id=asset.organisation_id, name__iexact=asset.name)
    if asset.pk:
        clash = clash.exclude(pk=asset.pk)
    if clash.exists():
        raise ValidationError({"name": _("An asset already has this name.")})


def asset_create(*, actor: Actor, organisation: Organisation, **fields: Any) -> Asset:
    unknown = set(fields) - set(ASSET_FIELDS)
    if unknown:
        raise TypeError(f"unknown asset fields: {sorted(unknown)}")
    validate_member(organisation, fields.get("owner"))
    with transaction.atomic():
        asset = Asset(organisation=organisation, **fields)
        asset.full_clean(exclude=["organisation", "owner"])
        _check_unique_name(asset)
        asset.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="risks.asset_created",
            target=asset,
            changes=snapshot(asset, ASSET_FIELDS),
        )
    return asset


def asset_update(*, actor: Actor, asset: Asset, **fields: Any) -> Asset:
    unknown = set(fields) - set(ASSET_FIELDS)
    if unknown:
        raise TypeError(f"unknown asset fields: {sorted(unknown)}")
    if "owner" in fields:
        validate_member(asset.organisation, fields["owner"])
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        before = snapshot(asset, ASSET_FIELDS)
        for name, value in fields.items():
            setattr(asset, name, value)
        asset.full_clean(exclude=["organisation", "owner"])
        _check_unique_name(asset)
        changes = diff(before, snapshot(asset, ASSET_FIELDS))
        if changes:
            asset.save()
            audit_event_record(
                actor=actor,
                organisation=asset.organisation,
                action="risks.asset_updated",
                target=asset,
                changes=changes,
            )
    return asset


def asset_delete(*, actor: Actor, asset: Asset) -> None:
    """Remove an asset; the risks that named it keep their other assets."""
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=asset.organisation,
            action="risks.asset_deleted",
            target=asset,
            changes={
                **snapshot(asset, ("name", "kind")),
                "risks": sorted(asset.risks.values_list("pk", flat=True)),
            },
        )
        asset.delete()
