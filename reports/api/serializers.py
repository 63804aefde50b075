from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reports.choices import DocumentLanguage
from reports.models import ReportJob


class ReportRequestSerializer(serializers.Serializer[Any]):
    """``kind`` and ``language``; every other key is a parameter of the document kind
    (``version`` for ``soa``, ``audit`` for ``evidence_pack``...)."""

    kind = serializers.CharField(max_length=40)
    language = serializers.ChoiceField(
        choices=DocumentLanguage.choices, default=DocumentLanguage.FRENCH
    )
    version = serializers.IntegerField(
        required=False, help_text="soa: the issued version number (latest by default)"
    )
    audit = serializers.IntegerField(required=False, help_text="evidence_pack: the audit id")

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)
        if isinstance(data, dict):
            # Parameters of kinds registered by other apps pass through to their clean().
            extra = {
                key: value
                for key, value in data.items()
                if key not in self.fields and isinstance(value, str | int | bool)
            }
            validated["extra"] = extra
        return validated


class ReportJobSerializer(serializers.ModelSerializer[ReportJob]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    item_count = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields: tuple[str, ...] = (
            "id",
            "kind",
            "title",
            "language",
            "parameters",
            "status",
            "status_label",
            "progress",
            "error",
            "sha256",
            "file_size",
            "signed",
            "item_count",
            "requested_by_label",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_item_count(self, job: ReportJob) -> int:
        return len(job.manifest.get("items", []))


class ReportJobDetailSerializer(ReportJobSerializer):
    class Meta(ReportJobSerializer.Meta):
        fields: tuple[str, ...] = (*ReportJobSerializer.Meta.fields, "manifest")
        read_only_fields: tuple[str, ...] = fields
