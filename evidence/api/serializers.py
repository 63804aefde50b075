"""Shapes of the evidence API: input serializers apart from output ones."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from controls.models import Requirement
from evidence.choices import EvidenceState, IntegrityStatus
from evidence.models import Evidence, EvidenceRevision


class LinkedRequirementSerializer(serializers.ModelSerializer[Requirement]):
    framework = serializers.CharField(source="framework.code", read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Requirement
        fields = ("id", "framework", "ref_id", "title")
        read_only_fields = fields


class RevisionSerializer(serializers.ModelSerializer[EvidenceRevision]):
    uploaded_by = serializers.CharField(source="uploaded_by_label", read_only=True)
    integrity_status = serializers.ChoiceField(choices=IntegrityStatus.choices, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceRevision
        fields = (
            "number",
            "original_name",
            "size",
            "sha256",
            "media_type",
            "uploaded_by",
            "uploaded_at",
            "collected_on",
            "expires_on",
            "integrity_status",
            "verified_at",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, revision: EvidenceRevision) -> str:
        return reverse("api-evidence-download", args=[revision.evidence_id, revision.number])


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    kind = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    # Read from the selector's prefetched lists (evidence.selectors.with_detail).
    requirements = LinkedRequirementSerializer(
        many=True, read_only=True, source="linked_requirements"
    )
    revisions = RevisionSerializer(many=True, read_only=True, source="revision_list")

    class Meta:
        model = Evidence
        fields = (
            "id",
            "title",
            "description",
            "kind",
            "url",
            "collected_on",
            "expires_on",
            "state",
            "created_at",
            "requirements",
            "revisions",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["file", "link"]))
    def get_kind(self, evidence: Evidence) -> str:
        return "link" if evidence.url else "file"

    @extend_schema_field(serializers.ChoiceField(choices=EvidenceState.choices))
    def get_state(self, evidence: Evidence) -> str:
        if getattr(evidence, "has_bad_revision", False):
            return EvidenceState.COMPROMISED
        if evidence.is_expired(timezone.localdate()):
            return EvidenceState.EXPIRED
        return EvidenceState.VALID


REQUIREMENT_HELP = (
    "Requirements this evidence supports, as `framework:ref_id` "
    "(`iso27001-2022:A.5.1`) or requirement ids."
)


class EvidenceCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.URLField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="A link, instead of files.",
    )
    collected_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    requirements = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text=REQUIREMENT_HELP
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="One or several files (multipart/form-data).",
    )


class RevisionUploadSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(child=serializers.FileField(), min_length=1)
    collected_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class RequirementLinkSerializer(serializers.Serializer[Any]):
    requirements = serializers.ListField(
        child=serializers.CharField(), min_length=1, help_text=REQUIREMENT_HELP
    )
