"""API shapes of the anonymity app (input and output kept apart)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anonymity.choices import AssessmentStatus, AssessmentStep, Verdict
from anonymity.models import AnonymityAssessment

MAX_NOTES = 10_000


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="CSV (UTF-8 or Latin-1), XLSX or Parquet extract.")
    quasi_identifiers = serializers.CharField(required=False, allow_blank=True, default="")
    sensitive = serializers.CharField(required=False, allow_blank=True, default="")
    pseudonym_columns = serializers.CharField(required=False, allow_blank=True, default="")
    direct_identifiers = serializers.CharField(required=False, allow_blank=True, default="")
    free_text = serializers.CharField(required=False, allow_blank=True, default="")
    k_threshold = serializers.IntegerField(required=False, default=5, min_value=1, max_value=1000)
    t_closeness = serializers.BooleanField(required=False, default=False)
    processing = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        roles: dict[str, str] = {}
        for field, role in (
            ("quasi_identifiers", "quasi_identifier"),
            ("sensitive", "sensitive"),
            ("pseudonym_columns", "persistent_pseudonym"),
            ("direct_identifiers", "direct_identifier"),
            ("free_text", "free_text"),
        ):
            for name in _names(attrs.get(field, "")):
                if name in roles:
                    raise serializers.ValidationError(
                        {field: _("Column “%(name)s” is given two roles.") % {"name": name}}
                    )
                roles[name] = role
        if not roles:
            raise serializers.ValidationError(
                _("Name at least one column (quasi_identifiers, sensitive...).")
            )
        attrs["roles"] = roles
        return attrs


# Components of their own: other apps have a "status" (and may have a "step") with other
# values, and the schema's enum names must not depend on which app came first.
@extend_schema_field(
    serializers.ChoiceField(choices=AssessmentStatus.choices),
    component_name="AnonymityAssessmentStatusEnum",
)
class AssessmentStatusField(serializers.CharField):
    """``queued → running → done | failed``."""


@extend_schema_field(
    serializers.ChoiceField(choices=AssessmentStep.choices, allow_blank=True),
    component_name="AnonymityAssessmentStepEnum",
)
class AssessmentStepField(serializers.CharField):
    """What the worker is doing; empty when it is not running."""


class AssessmentSummarySerializer(serializers.ModelSerializer[AnonymityAssessment]):
    """An assessment is measured by a worker: ``status`` goes ``queued → running →
    done | failed``; ``verdict``, ``rows`` and ``k_anonymity`` are null until ``done``."""

    processing = serializers.SerializerMethodField()
    status = AssessmentStatusField(read_only=True)
    verdict = serializers.SerializerMethodField()

    class Meta:
        model = AnonymityAssessment
        fields = (
            "id",
            "status",
            "progress",
            "file_name",
            "file_sha256",
            "file_size",
            "file_format",
            "verdict",
            "rows",
            "k_anonymity",
            "processing",
            "created_by_label",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_processing(self, obj: AnonymityAssessment) -> int | None:
        return obj.processing_id

    @extend_schema_field(serializers.ChoiceField(choices=Verdict.choices, allow_null=True))
    def get_verdict(self, obj: AnonymityAssessment) -> str | None:
        return obj.verdict or None


class AssessmentSerializer(AssessmentSummarySerializer):
    """The stored assessment; the result keys (``rows``, ``equivalence_classes``,
    ``k_anonymity``, ``l_diversity``, ``unique_records``, ``records_below_k``,
    ``prosecutor_risk_max``, ``prosecutor_risk_avg``, ``linkable_columns``, ``verdict``,
    ``criteria``...) are the same as ``manage.py assess_anonymity --format json``."""

    result = serializers.SerializerMethodField()
    step = AssessmentStepField(read_only=True)
    error = serializers.SerializerMethodField()

    class Meta(AssessmentSummarySerializer.Meta):
        fields = (  # type: ignore[assignment]
            *AssessmentSummarySerializer.Meta.fields,
            "step",
            "error",
            "started_at",
            "finished_at",
            "column_roles",
            "parameters",
            "result",
        )
        read_only_fields = fields  # type: ignore[assignment]

    @extend_schema_field(
        serializers.CharField(help_text="Why the assessment failed, in the request's language.")
    )
    def get_error(self, obj: AnonymityAssessment) -> str:
        from anonymity.services import assessment_error_text

        return assessment_error_text(obj)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_result(self, obj: AnonymityAssessment) -> dict[str, Any] | None:
        from anonymity.messages import reason_text

        if not obj.is_done:
            return None
        result = dict(obj.results)
        result["reasons"] = [
            {**reason, "message": str(reason_text(reason))} for reason in result.get("reasons", [])
        ]
        return result

    def to_representation(self, instance: AnonymityAssessment) -> dict[str, Any]:
        data = super().to_representation(instance)
        # The command line's keys also at the top level, so a pipeline reads either.
        for key, value in (data["result"] or {}).items():
            data.setdefault(key, value)
        return data


class ScanCreateSerializer(serializers.Serializer[Any]):
    notes = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000),
        max_length=MAX_NOTES,
        required=False,
    )
    file = serializers.FileField(required=False)
    column = serializers.CharField(required=False, allow_blank=True, default="")
    redacted = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("notes") and not attrs.get("file"):
            raise serializers.ValidationError(_("Send notes, or a file and its column."))
        return attrs


class ScanSpanSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=["category", "identifier"])


class ScanRecordSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    categories = serializers.ListField(child=serializers.CharField())
    identifiers = serializers.ListField(child=serializers.CharField())
    spans = ScanSpanSerializer(many=True)
    redacted = serializers.CharField(required=False)


class ScanResultSerializer(serializers.Serializer[Any]):
    records = ScanRecordSerializer(many=True)
    summary = serializers.DictField()
