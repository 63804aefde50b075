"""API shapes of the audits app: output serializers read, input serializers check shape;
the services enforce the rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audits.choices import (
    ActionStatus,
    AuditKind,
    AuditStatus,
    CheckResult,
    FindingSeverity,
    FindingSource,
    Priority,
)
from audits.models import Audit, AuditCheck, Finding, RemediationAction


class AuditSerializer(serializers.ModelSerializer[Audit]):
    lead_auditor: Any = serializers.SlugRelatedField(slug_field="email", read_only=True)
    frameworks: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    checks_total = serializers.IntegerField(read_only=True)
    checks_done = serializers.IntegerField(read_only=True)
    open_findings = serializers.IntegerField(read_only=True)

    class Meta:
        model = Audit
        fields = (
            "id",
            "title",
            "kind",
            "status",
            "objectives",
            "frameworks",
            "sample_per_theme",
            "sample_seed",
            "lead_auditor",
            "planned_start",
            "planned_end",
            "created_at",
            "closed_at",
            "checks_total",
            "checks_done",
            "open_findings",
        )
        read_only_fields = fields


class AuditCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=AuditKind.choices, default=AuditKind.FLASH)
    objectives = serializers.CharField(required=False, allow_blank=True, default="")
    frameworks = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list, help_text="Framework codes."
    )
    themes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Themes as framework:theme, e.g. iso27001-2022:technological.",
    )
    requirements = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Explicit requirements as framework:ref_id, e.g. iso27001-2022:A.8.13.",
    )
    sample_per_theme = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=200, default=None
    )
    sample_seed = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    lead_auditor = serializers.EmailField(required=False, allow_null=True, default=None)
    auditors = serializers.ListField(child=serializers.EmailField(), required=False, default=list)
    auditees = serializers.ListField(child=serializers.EmailField(), required=False, default=list)
    planned_start = serializers.DateField(required=False, allow_null=True, default=None)
    planned_end = serializers.DateField(required=False, allow_null=True, default=None)


class AuditTransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=AuditStatus.choices)


class AuditCheckSerializer(serializers.ModelSerializer[AuditCheck]):
    framework = serializers.CharField(source="requirement.framework.code", read_only=True)
    ref_id = serializers.CharField(source="requirement.ref_id", read_only=True)
    title = serializers.CharField(source="requirement.title", read_only=True)
    theme = serializers.SerializerMethodField()
    finding = serializers.SerializerMethodField()
    evidence: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = AuditCheck
        fields = (
            "id",
            "audit",
            "framework",
            "ref_id",
            "title",
            "theme",
            "result",
            "notes",
            "evidence",
            "assessed_by_label",
            "assessed_at",
            "finding",
        )
        read_only_fields = fields

    def get_theme(self, check: AuditCheck) -> str:
        theme = check.requirement.theme
        return theme.code if theme else ""

    def get_finding(self, check: AuditCheck) -> int | None:
        finding = getattr(check, "finding", None)
        return finding.pk if finding else None


class AuditCheckUpdateSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=CheckResult.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Evidence item ids."
    )


class ActionSerializer(serializers.ModelSerializer[RemediationAction]):
    owner: Any = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    verified_by: Any = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True
    )
    derived_priority = serializers.CharField(read_only=True)

    class Meta:
        model = RemediationAction
        fields = (
            "id",
            "finding",
            "title",
            "description",
            "owner",
            "due_date",
            "priority",
            "derived_priority",
            "priority_override_reason",
            "status",
            "completed_at",
            "verification_evidence",
            "verified_by",
            "verified_at",
            "verification_notes",
            "created_at",
        )
        read_only_fields = fields


class ActionWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    priority_override_reason = serializers.CharField(required=False, allow_blank=True)


class ActionCreateSerializer(ActionWriteSerializer):
    finding = serializers.IntegerField()
    title = serializers.CharField(max_length=300)
    due_date = serializers.DateField()


class ActionUpdateSerializer(ActionWriteSerializer):
    status = serializers.ChoiceField(
        choices=[c for c in ActionStatus.choices if c[0] != ActionStatus.VERIFIED],
        required=False,
    )


class ActionVerifySerializer(serializers.Serializer[Any]):
    evidence = serializers.IntegerField(help_text="Evidence item id.")
    verified_by = serializers.EmailField(
        help_text="The member who checked the work; not the action's owner."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AuditFindingSerializer(serializers.ModelSerializer[Finding]):
    reference = serializers.CharField(read_only=True)
    requirement = serializers.SerializerMethodField()
    check = serializers.IntegerField(source="audit_check_id", read_only=True, allow_null=True)
    evidence: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = (
            "id",
            "reference",
            "source",
            "audit",
            "check",
            "requirement",
            "title",
            "description",
            "severity",
            "root_cause",
            "status",
            "evidence",
            "created_at",
            "actions",
        )
        read_only_fields = fields

    def get_requirement(self, finding: Finding) -> str | None:
        requirement = finding.requirement
        return f"{requirement.framework.code}:{requirement.ref_id}" if requirement else None


class FindingWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=FindingSeverity.choices, required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.ListField(child=serializers.IntegerField(), required=False)


class FindingCreateSerializer(FindingWriteSerializer):
    title = serializers.CharField(max_length=300)
    severity = serializers.ChoiceField(choices=FindingSeverity.choices)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # the field, not Field.source
        choices=[c for c in FindingSource.choices if c[0] != FindingSource.AUDIT],
        default=FindingSource.OTHER,
        help_text="Findings of an audit come from its checks' results.",
    )
    requirement = serializers.CharField(
        required=False, allow_blank=True, help_text="framework:ref_id, e.g. nis2:21.2.b."
    )
