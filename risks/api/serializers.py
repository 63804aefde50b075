"""Shapes of the risk API. Output and input serializers are kept apart; the services
enforce the rules."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.choices import DocumentLanguage
from risks.choices import AssetKind, Classification, Treatment
from risks.models import Asset, Risk, RiskMethod
from risks.models.method import Level
from risks.selectors import existing_controls, planned_controls


class AssetSerializer(serializers.ModelSerializer[Asset]):
    owner = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = (
            "id",
            "name",
            "kind",
            "description",
            "owner",
            "classification",
            "health_data",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_owner(self, asset: Asset) -> str | None:
        return asset.owner.email if asset.owner else None


class AssetInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(required=False, allow_null=True)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    health_data = serializers.BooleanField(required=False)


class LevelSerializer(serializers.Serializer[Level]):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField()
    acceptable = serializers.BooleanField(help_text="Within the methodology's threshold.")
    likelihood_label = serializers.CharField()
    impact_label = serializers.CharField()


def control_ref(requirement: Any) -> str:
    return f"{requirement.framework.code}:{requirement.ref_id}"


class ActionRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField()


def _actions(risk: Risk) -> list[dict[str, Any]]:
    return [
        {"id": a.pk, "title": a.title, "status": a.status, "due_date": a.due_date}
        for a in risk.actions.all()
    ]


class RiskSerializer(serializers.ModelSerializer[Risk]):
    reference = serializers.CharField(read_only=True)
    # Blank until a treatment is chosen: the schema says so (BlankEnum).
    treatment = serializers.ChoiceField(choices=Treatment.choices, allow_blank=True, read_only=True)
    assets = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    accepted_by = serializers.SerializerMethodField()
    methodology_version = serializers.IntegerField(source="method.version", read_only=True)
    inherent_level = serializers.SerializerMethodField()
    current_level = serializers.SerializerMethodField()
    residual_level = serializers.SerializerMethodField()
    existing_controls = serializers.SerializerMethodField()
    planned_controls = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = (
            "id",
            "reference",
            "title",
            "description",
            "assets",
            "threat",
            "vulnerability",
            "affects_confidentiality",
            "affects_integrity",
            "affects_availability",
            "consequences",
            "methodology_version",
            "inherent_level",
            "existing_controls",
            "current_level",
            "treatment",
            "treatment_description",
            "planned_controls",
            "actions",
            "residual_level",
            "owner",
            "accepted_by",
            "accepted_at",
            "acceptance_reason",
            "review_date",
            "library_code",
            "source_reference",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_assets(self, risk: Risk) -> list[int]:
        return [asset.pk for asset in risk.assets.all()]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_owner(self, risk: Risk) -> str | None:
        return risk.owner.email if risk.owner else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_accepted_by(self, risk: Risk) -> str | None:
        return risk.accepted_by.email if risk.accepted_by else None

    @extend_schema_field(LevelSerializer(allow_null=True))
    def get_inherent_level(self, risk: Risk) -> dict[str, Any] | None:
        level = risk.inherent_level
        return LevelSerializer(level).data if level else None

    @extend_schema_field(LevelSerializer(allow_null=True))
    def get_current_level(self, risk: Risk) -> dict[str, Any] | None:
        level = risk.current_level
        return LevelSerializer(level).data if level else None

    @extend_schema_field(LevelSerializer(allow_null=True))
    def get_residual_level(self, risk: Risk) -> dict[str, Any] | None:
        level = risk.residual_level
        return LevelSerializer(level).data if level else None

    @extend_schema_field(
        serializers.ListField(child=serializers.CharField(help_text="framework:ref_id"))
    )
    def get_existing_controls(self, risk: Risk) -> list[str]:
        return [control_ref(r) for r in existing_controls(risk)]

    @extend_schema_field(
        serializers.ListField(child=serializers.CharField(help_text="framework:ref_id"))
    )
    def get_planned_controls(self, risk: Risk) -> list[str]:
        return [control_ref(r) for r in planned_controls(risk)]

    @extend_schema_field(ActionRefSerializer(many=True))
    def get_actions(self, risk: Risk) -> list[dict[str, Any]]:
        return _actions(risk)


def level_field() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)


CONTROLS_HELP = (
    "Controls as `framework:ref_id` (`iso27001-2022:A.8.7`) or a bare Annex A reference (`A.8.7`)."
)


class TreatmentInputSerializer(serializers.Serializer[Any]):
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False, allow_blank=True)
    treatment_description = serializers.CharField(required=False, allow_blank=True)
    planned_controls = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=CONTROLS_HELP
    )
    actions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the remediation plan's actions that carry the treatment.",
    )
    residual_likelihood = level_field()
    residual_impact = level_field()
    owner = serializers.EmailField(required=False, allow_null=True)
    review_date = serializers.DateField(required=False, allow_null=True)


class RiskInputSerializer(TreatmentInputSerializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    assets = serializers.ListField(child=serializers.IntegerField(), required=False)
    threat = serializers.CharField(required=False, allow_blank=True)
    vulnerability = serializers.CharField(required=False, allow_blank=True)
    affects_confidentiality = serializers.BooleanField(required=False)
    affects_integrity = serializers.BooleanField(required=False)
    affects_availability = serializers.BooleanField(required=False)
    consequences = serializers.CharField(required=False, allow_blank=True)
    inherent_likelihood = level_field()
    inherent_impact = level_field()
    current_likelihood = level_field()
    current_impact = level_field()
    existing_controls = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=CONTROLS_HELP
    )


class TreatmentSerializer(serializers.ModelSerializer[Risk]):
    """A risk seen from its treatment (6.1.3): option, controls, target, acceptance."""

    reference = serializers.CharField(read_only=True)
    # Blank until a treatment is chosen: the schema says so (BlankEnum).
    treatment = serializers.ChoiceField(choices=Treatment.choices, allow_blank=True, read_only=True)
    risk = serializers.IntegerField(source="pk", read_only=True)
    owner = serializers.SerializerMethodField()
    planned_controls = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    residual_level = serializers.SerializerMethodField()
    accepted = serializers.BooleanField(source="is_accepted", read_only=True)

    class Meta:
        model = Risk
        fields = (
            "risk",
            "reference",
            "title",
            "treatment",
            "treatment_description",
            "planned_controls",
            "actions",
            "residual_level",
            "owner",
            "accepted",
            "accepted_at",
            "acceptance_reason",
            "review_date",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_owner(self, risk: Risk) -> str | None:
        return risk.owner.email if risk.owner else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_planned_controls(self, risk: Risk) -> list[str]:
        return [control_ref(r) for r in planned_controls(risk)]

    @extend_schema_field(ActionRefSerializer(many=True))
    def get_actions(self, risk: Risk) -> list[dict[str, Any]]:
        return _actions(risk)

    @extend_schema_field(LevelSerializer(allow_null=True))
    def get_residual_level(self, risk: Risk) -> dict[str, Any] | None:
        level = risk.residual_level
        return LevelSerializer(level).data if level else None


class ScenarioSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    source: Any = serializers.CharField()
    reference = serializers.CharField()
    title_fr = serializers.CharField()
    title_en = serializers.CharField()
    threat_fr = serializers.CharField()
    threat_en = serializers.CharField()
    vulnerability_fr = serializers.CharField()
    vulnerability_en = serializers.CharField()
    confidentiality = serializers.BooleanField()
    integrity = serializers.BooleanField()
    availability = serializers.BooleanField()
    controls = serializers.ListField(child=serializers.CharField())


class LibrarySelectSerializer(serializers.Serializer[Any]):
    codes = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1)
    language = serializers.ChoiceField(choices=DocumentLanguage.choices, default="fr")


class MethodSerializer(serializers.ModelSerializer[RiskMethod]):
    class Meta:
        model = RiskMethod
        fields = (
            "version",
            "likelihood_labels",
            "impact_labels",
            "acceptance_threshold",
            "acceptor_roles",
            "description",
            "created_at",
        )
        read_only_fields = fields
