from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from controls.choices import ImplementationStatus
from controls.models import Framework, Requirement
from controls.selectors import row_of


class FrameworkSerializer(serializers.ModelSerializer[Framework]):
    name = serializers.CharField(read_only=True)
    statement_of_applicability = serializers.BooleanField(
        source="has_statement_of_applicability", read_only=True
    )

    class Meta:
        model = Framework
        fields = (
            "code",
            "version",
            "name",
            "name_fr",
            "name_en",
            "publisher",
            "statement_of_applicability",
        )
        read_only_fields = fields


class MappedRequirementSerializer(serializers.Serializer[Any]):
    framework = serializers.CharField()
    ref_id = serializers.CharField()
    relationship = serializers.CharField(
        help_text="Read as: this requirement is <relationship> of the mapped one."
    )


class RequirementSerializer(serializers.ModelSerializer[Requirement]):
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    theme: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent: Any = serializers.SerializerMethodField()
    attributes = serializers.SerializerMethodField()
    mapped = serializers.SerializerMethodField()

    class Meta:
        model = Requirement
        fields = (
            "ref_id",
            "kind",
            "title",
            "title_fr",
            "title_en",
            "description",
            "description_fr",
            "description_en",
            "theme",
            "assessable",
            "parent",
            "attributes",
            "mapped",
        )
        read_only_fields = fields

    def get_parent(self, requirement: Requirement) -> str | None:
        return requirement.parent.ref_id if requirement.parent else None

    @extend_schema_field({"type": "object", "additionalProperties": {}})
    def get_attributes(self, requirement: Requirement) -> dict[str, Any]:
        attributes: dict[str, Any] = dict(requirement.attributes)
        for value in getattr(requirement, "prefetched_attributes", []):
            attributes.setdefault(value.family, []).append(value.value)
        return attributes

    @extend_schema_field(MappedRequirementSerializer(many=True))
    def get_mapped(self, requirement: Requirement) -> list[dict[str, str]]:
        from controls.choices import Relationship

        mapped = [
            {
                "framework": link.target.framework.code,
                "ref_id": link.target.ref_id,
                "relationship": link.relationship,
            }
            for link in requirement.mappings_out.all()
        ]
        mapped += [
            {
                "framework": link.source.framework.code,
                "ref_id": link.source.ref_id,
                "relationship": Relationship(link.relationship).inverse.value,
            }
            for link in requirement.mappings_in.all()
        ]
        return mapped


class StatusLineSerializer(serializers.Serializer[Requirement]):
    """A requirement with the organisation's status (and SoA fields for Annex A controls).

    ``evidence`` (SoA lines only) counts the evidence items linked to the control: ``valid``
    ones count towards it, ``expired`` and ``compromised`` ones are shown and do not. The
    view passes the counts in the context as ``evidence_counts``."""

    ref_id = serializers.CharField()
    title = serializers.CharField()
    theme = serializers.SerializerMethodField()
    applicable = serializers.SerializerMethodField()
    inclusion_justification = serializers.SerializerMethodField()
    exclusion_justification = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    suggested_status = serializers.SerializerMethodField()
    suggested_from = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "valid": {"type": "integer"},
                "expired": {"type": "integer"},
                "compromised": {"type": "integer"},
            },
            "description": "Linked evidence (SoA lines only; null elsewhere)",
        }
    )
    def get_evidence(self, requirement: Requirement) -> dict[str, int] | None:
        counts = self.context.get("evidence_counts")
        if counts is None:
            return None
        count = counts.get(requirement.pk)
        return {
            "valid": count.valid if count else 0,
            "expired": count.expired if count else 0,
            "compromised": count.compromised if count else 0,
        }

    def get_theme(self, requirement: Requirement) -> str | None:
        return requirement.theme.code if requirement.theme else None

    def get_applicable(self, requirement: Requirement) -> bool | None:
        row = row_of(requirement)
        return getattr(row, "applicable", None) if row else None

    def get_inclusion_justification(self, requirement: Requirement) -> str:
        return getattr(row_of(requirement), "inclusion_justification", "") or ""

    def get_exclusion_justification(self, requirement: Requirement) -> str:
        return getattr(row_of(requirement), "exclusion_justification", "") or ""

    def get_status(self, requirement: Requirement) -> str:
        row = row_of(requirement)
        return row.status if row else ImplementationStatus.NOT_STARTED.value

    def get_owner(self, requirement: Requirement) -> str | None:
        row = row_of(requirement)
        return row.owner.email if row and row.owner else None

    def get_notes(self, requirement: Requirement) -> str:
        row = row_of(requirement)
        return row.notes if row else ""

    def get_suggested_status(self, requirement: Requirement) -> str | None:
        row = row_of(requirement)
        return row.suggested_status or None if row else None

    def get_suggested_from(self, requirement: Requirement) -> str | None:
        row = row_of(requirement)
        if row and row.suggested_from:
            return f"{row.suggested_from.framework.code}:{row.suggested_from.ref_id}"
        return None


class StatusUpdateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(
        required=False, allow_null=True, help_text="E-mail of a member, or null"
    )


class SoaLineUpdateSerializer(StatusUpdateSerializer):
    applicable = serializers.BooleanField(required=False, allow_null=True)
    inclusion_justification = serializers.CharField(required=False, allow_blank=True)
    exclusion_justification = serializers.CharField(required=False, allow_blank=True)
