from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from privacy.choices import (
    Article9Condition,
    DirectIdentifier,
    ExemptionReason,
    LegalBasis,
    Location,
    Methodology,
    ProcessingRole,
    RecipientKind,
    RouteKind,
    SpecialCategory,
    TransferSafeguard,
    Use,
)
from privacy.models import Article66Route, ComplianceFinding, ProcessingActivity, Recipient
from privacy.rules import references_label
from privacy.services import PROCESSING_FIELDS, ROUTE_FIELDS


class RecipientSerializer(serializers.ModelSerializer[Recipient]):
    kind = serializers.ChoiceField(choices=RecipientKind.choices)
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Optional when processor_id is given (the processor's name is used).",
    )
    location = serializers.ChoiceField(choices=Location.choices, required=False)
    processor_id = serializers.IntegerField(allow_null=True, required=False)

    class Meta:
        model = Recipient
        fields = ("id", "kind", "name", "location", "processor_id")
        read_only_fields = ("id",)


class FindingSerializer(serializers.ModelSerializer[ComplianceFinding]):
    processing = serializers.IntegerField(source="processing_id", read_only=True)
    references = serializers.SerializerMethodField()

    class Meta:
        model = ComplianceFinding
        fields = (
            "id",
            "processing",
            "rule_code",
            "severity",
            "article",
            "references",
            "message_fr",
            "message_en",
            "created_at",
        )
        read_only_fields = fields

    def get_references(self, finding: ComplianceFinding) -> str:
        """The references of ``article`` as cited in the request's language."""
        return references_label(finding.article)


class ProcessingSerializer(serializers.ModelSerializer[ProcessingActivity]):
    """A register line (GDPR Art. 30) with its route and findings (read only here)."""

    role = serializers.ChoiceField(choices=ProcessingRole.choices, required=False)
    uses = serializers.ListField(child=serializers.ChoiceField(choices=Use.choices), required=False)
    special_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=SpecialCategory.choices), required=False
    )
    direct_identifiers = serializers.ListField(
        child=serializers.ChoiceField(choices=DirectIdentifier.choices), required=False
    )
    legal_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, required=False, allow_blank=True
    )
    article9_condition = serializers.ChoiceField(
        choices=Article9Condition.choices, required=False, allow_blank=True
    )
    data_location = serializers.ChoiceField(choices=Location.choices, required=False)
    transfer_safeguard = serializers.ChoiceField(
        choices=TransferSafeguard.choices, required=False, allow_blank=True
    )
    recipients = RecipientSerializer(
        many=True,
        required=False,
        help_text="On write, replaces the recipients (processor_id from /processors of the UI).",
    )
    route = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True, read_only=True)
    dpia_required = serializers.SerializerMethodField()

    class Meta:
        model = ProcessingActivity
        fields = (
            "id",
            *PROCESSING_FIELDS,
            "recipients",
            "route",
            "findings",
            "dpia_required",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_route(self, processing: ProcessingActivity) -> int | None:
        from privacy.selectors import route_of

        route = route_of(processing)
        return route.pk if route else None

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_dpia_required(self, processing: ProcessingActivity) -> list[str]:
        return processing.dpia_required()


class RouteSerializer(serializers.ModelSerializer[Article66Route]):
    """The Article 66 route of a health-data processing (loi n° 78-17 art. 65, 66)."""

    processing = serializers.IntegerField(source="processing_id")
    kind = serializers.ChoiceField(choices=RouteKind.choices)
    exemption_reason = serializers.ChoiceField(
        choices=ExemptionReason.choices, required=False, allow_blank=True
    )
    methodology = serializers.ChoiceField(
        choices=Methodology.choices, required=False, allow_blank=True
    )
    covered_uses = serializers.ListField(
        child=serializers.ChoiceField(choices=Use.choices), required=False
    )
    covered_recipient_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=RecipientKind.choices), required=False
    )

    class Meta:
        model = Article66Route
        fields = ("id", "processing", *ROUTE_FIELDS, "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")
