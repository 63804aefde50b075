"""REST endpoints. Every queryset starts from ``for_api_key``: another organisation's
object is a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.api.authentication import request_api_key
from compliance.api.pagination import NewestFirstCursorPagination
from compliance.api.serializers import (
    AuditEventSerializer,
    MemberSerializer,
    OrganisationSerializer,
    OrganisationUpdateSerializer,
)
from compliance.filters import AuditEventFilter, MembershipFilter
from compliance.models import AuditEvent, Membership, Organisation
from compliance.services.organisations import organisation_update


class OrganisationView(generics.GenericAPIView[Organisation]):
    """The organisation the API key belongs to."""

    serializer_class = OrganisationSerializer

    def get_object(self) -> Organisation:
        return generics.get_object_or_404(
            Organisation.objects.for_api_key(request_api_key(self.request))
        )

    @extend_schema(operation_id="organisation_retrieve", responses=OrganisationSerializer)
    def get(self, request: Request) -> Response:
        return Response(OrganisationSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="organisation_partial_update",
        request=OrganisationUpdateSerializer,
        responses=OrganisationSerializer,
    )
    def patch(self, request: Request) -> Response:
        organisation = self.get_object()
        serializer = OrganisationUpdateSerializer(organisation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            organisation = organisation_update(
                actor=request_api_key(request),
                organisation=organisation,
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        return Response(OrganisationSerializer(organisation).data)


class MemberViewSet(viewsets.ReadOnlyModelViewSet[Membership]):
    """Members of the key's organisation and their roles."""

    serializer_class = MemberSerializer
    filterset_class = MembershipFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request key
            return Membership.objects.none()
        return (
            Membership.objects.for_api_key(request_api_key(self.request))
            .select_related("user")
            .order_by("id")
        )


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet[AuditEvent]):
    """The organisation's audit trail, newest first (cursor-paginated)."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        return AuditEvent.objects.for_api_key(request_api_key(self.request))
