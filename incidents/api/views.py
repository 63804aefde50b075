"""Incident endpoints. Every queryset starts from ``for_api_key``: another
organisation's incident is a 404, and an incident is always opened in the key's own
organisation (an HDS host needs its customer's key to open one for that customer)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.api.authentication import request_api_key
from incidents.api.serializers import (
    IncidentCreateSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    MarkSentSerializer,
    NotificationSerializer,
)
from incidents.filters import IncidentFilter, NotificationFilter
from incidents.models import Incident, Notification
from incidents.selectors import incidents_with_notifications
from incidents.services import (
    FACT_FIELDS,
    QUALIFICATION_FIELDS,
    incident_create,
    incident_qualify,
    incident_update_facts,
    notification_mark_sent,
)


def _drf_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def _incidents(request: Request) -> Any:
    return incidents_with_notifications(Incident.objects.for_api_key(request_api_key(request)))


class IncidentList(generics.ListCreateAPIView[Incident]):
    """The key's organisation's incidents, newest awareness first, each with the
    notifications it owes."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return _incidents(self.request)

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        claimed = request.data.get("organisation") if isinstance(request.data, dict) else None
        if claimed not in (None, "", api_key.organisation.slug, api_key.organisation_id):
            raise ValidationError(
                {"organisation": _("Use an API key of the organisation the incident belongs to.")}
            )
        serializer = IncidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            incident = incident_create(
                actor=api_key, organisation=api_key.organisation, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(
            IncidentSerializer(_incidents(request).get(pk=incident.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class IncidentDetail(generics.GenericAPIView[Incident]):
    serializer_class = IncidentSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return _incidents(self.request)

    @extend_schema(operation_id="incident_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(IncidentSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="incident_partial_update",
        request=IncidentUpdateSerializer,
        responses=IncidentSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        incident = self.get_object()
        serializer = IncidentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facts = {k: v for k, v in data.items() if k in FACT_FIELDS}
        qualification = {k: v for k, v in data.items() if k in QUALIFICATION_FIELDS}
        actor = request_api_key(request)
        try:
            with transaction.atomic():
                if facts:
                    incident = incident_update_facts(actor=actor, incident=incident, **facts)
                if qualification:
                    incident = incident_qualify(actor=actor, incident=incident, **qualification)
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(IncidentSerializer(self.get_queryset().get(pk=pk)).data)


def _notifications(request: Request, incident_pk: int) -> Any:
    incident = get_object_or_404(
        Incident.objects.for_api_key(request_api_key(request)), pk=incident_pk
    )
    return Notification.objects.for_api_key(request_api_key(request)).filter(incident=incident)


class NotificationList(generics.ListAPIView[Notification]):
    """What an incident owes and what was sent, soonest deadline first."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return _notifications(self.request, self.kwargs["incident_pk"]).order_by("due_at", "id")


class NotificationDetail(generics.GenericAPIView[Notification]):
    serializer_class = NotificationSerializer

    def _get(self, incident_pk: int, pk: int) -> Notification:
        return get_object_or_404(_notifications(self.request, incident_pk), pk=pk)

    @extend_schema(operation_id="incident_notification_retrieve")
    def get(self, request: Request, incident_pk: int, pk: int) -> Response:
        return Response(NotificationSerializer(self._get(incident_pk, pk)).data)


class NotificationMarkSent(generics.GenericAPIView[Notification]):
    serializer_class = NotificationSerializer

    @extend_schema(
        operation_id="incident_notification_mark_sent",
        request=MarkSentSerializer,
        responses=NotificationSerializer,
    )
    def post(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Record that the notification was sent, with the recipient's reference. A GDPR
        notification to the CNIL sent after 72 h needs ``delay_reasons`` (Art. 33(1))."""
        notification = get_object_or_404(_notifications(request, incident_pk), pk=pk)
        serializer = MarkSentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            notification = notification_mark_sent(
                actor=request_api_key(request),
                notification=notification,
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(NotificationSerializer(notification).data)
