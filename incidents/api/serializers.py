"""Shapes of the incidents API. Output and input serializers are kept apart; every
instant goes out in UTC (``...Z``) and must come in with an explicit offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.choices import Art34Exception
from incidents.models import Incident, Notification
from incidents.rules import NIS2_ENTITIES


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC on the way out; an offset is required on the way in, so that an
    awareness moment is never guessed in some server time zone."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                raise serializers.ValidationError(
                    _("Give the time zone offset (e.g. 2026-03-02T09:30:00+01:00 or ...Z).")
                )
        return super().to_internal_value(value)


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    due_at = UtcDateTimeField(
        read_only=True,
        help_text="Deadline in UTC; for `without_undue_delay`, the moment of awareness.",
    )
    starts_at = UtcDateTimeField(read_only=True)
    sent_at = UtcDateTimeField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "regime",
            "recipient",
            "article",
            "starts_at",
            "due_at",
            "deadline_kind",
            "sent_at",
            "reference",
            "delay_reasons",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Notification) -> bool:
        return obj.sent_at is None and obj.is_overdue()


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    aware_at = UtcDateTimeField(read_only=True)
    nis2_aware_at = UtcDateTimeField(read_only=True, allow_null=True)
    gdpr_aware_at = UtcDateTimeField(read_only=True, allow_null=True)
    health_aware_at = UtcDateTimeField(read_only=True, allow_null=True)
    started_at = UtcDateTimeField(read_only=True, allow_null=True)
    handling_ended_at = UtcDateTimeField(read_only=True, allow_null=True)
    closed_at = UtcDateTimeField(read_only=True, allow_null=True)
    art34_exception = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    nis2_applies = serializers.SerializerMethodField(
        help_text="NIS2 reporting applies: a significant incident of an essential or "
        "important entity (the organisation's NIS2 classification)."
    )
    notifications = NotificationSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "description",
            "started_at",
            "aware_at",
            "nis2_aware_at",
            "gdpr_aware_at",
            "health_aware_at",
            "ongoing",
            "handling_ended_at",
            "affected_systems",
            "data_categories",
            "data_subjects_count",
            "records_count",
            "likely_consequences",
            "measures_taken",
            "nis2_significant",
            "trust_service_provider",
            "personal_data_breach",
            "risk_unlikely",
            "high_risk",
            "art34_exception",
            "acting_as_processor",
            "health_establishment_serious",
            "nis2_applies",
            "owner",
            "closed_at",
            "notifications",
        ]
        read_only_fields = fields

    def get_art34_exception(self, obj: Incident) -> str | None:
        return obj.art34_exception or None

    def get_nis2_applies(self, obj: Incident) -> bool:
        return obj.nis2_significant and obj.organisation.nis2_classification in NIS2_ENTITIES

    def get_owner(self, obj: Incident) -> str | None:
        return obj.owner.email if obj.owner else None


class QualificationInputSerializer(serializers.Serializer[Any]):
    """The qualification and the moments of awareness (``PATCH`` changes only what it
    names; what is owed is recomputed)."""

    aware_at = UtcDateTimeField(required=False)
    nis2_aware_at = UtcDateTimeField(required=False, allow_null=True)
    gdpr_aware_at = UtcDateTimeField(required=False, allow_null=True)
    health_aware_at = UtcDateTimeField(required=False, allow_null=True)
    handling_ended_at = UtcDateTimeField(required=False, allow_null=True)
    nis2_significant = serializers.BooleanField(required=False)
    trust_service_provider = serializers.BooleanField(required=False)
    personal_data_breach = serializers.BooleanField(required=False)
    risk_unlikely = serializers.BooleanField(required=False)
    high_risk = serializers.BooleanField(required=False)
    art34_exception = serializers.ChoiceField(
        choices=Art34Exception.choices, required=False, allow_null=True
    )
    acting_as_processor = serializers.BooleanField(required=False)
    health_establishment_serious = serializers.BooleanField(required=False)
    ongoing = serializers.BooleanField(required=False)


class FactsInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    started_at = UtcDateTimeField(required=False, allow_null=True)
    affected_systems = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    data_categories = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    data_subjects_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10_000_000_000
    )
    records_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10_000_000_000
    )
    likely_consequences = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    measures_taken = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class IncidentUpdateSerializer(QualificationInputSerializer, FactsInputSerializer):
    pass


class IncidentCreateSerializer(IncidentUpdateSerializer):
    title = serializers.CharField(max_length=200)
    aware_at = UtcDateTimeField()


class MarkSentSerializer(serializers.Serializer[Any]):
    sent_at = UtcDateTimeField(required=False, help_text="Defaults to now.")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200)
    delay_reasons = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
