"""API shapes. Output and input serializers are kept apart; services enforce the rules."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.models import AuditEvent, Membership, Organisation
from compliance.services.organisations import ORGANISATION_EDITABLE_FIELDS


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = (
            "id",
            "name",
            "slug",
            "kind",
            "nis2_classification",
            "staff_count",
            "siret",
            "finess",
            "require_two_factor",
            "created_at",
        )
        read_only_fields = fields


class OrganisationUpdateSerializer(serializers.ModelSerializer[Organisation]):
    """Fields an API key with the ``write`` scope may change. Security settings
    (two-factor) are changed by a manager in the UI only."""

    class Meta:
        model = Organisation
        fields = tuple(f for f in ORGANISATION_EDITABLE_FIELDS if f != "require_two_factor")
        extra_kwargs = {field: {"required": False} for field in fields}


class MemberSerializer(serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ("id", "email", "full_name", "role", "created_at")
        read_only_fields = fields

    def get_full_name(self, membership: Membership) -> str:
        return membership.user.get_full_name()


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_label", read_only=True)
    actor_type = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "sequence",
            "created_at",
            "actor",
            "actor_type",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "previous_hash",
            "hash",
        )
        read_only_fields = fields

    def get_actor_type(self, event: AuditEvent) -> str:
        if event.actor_user_id:
            return "user"
        if event.actor_api_key_id:
            return "api_key"
        return "system"

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {},
            "description": (
                "What the change did, as the service recorded it: an update gives "
                "{field: [old value, new value]}; a creation or an action gives its values."
            ),
        }
    )
    def get_changes(self, event: AuditEvent) -> Any:
        return event.changes
