"""Catalogue (shared) and status (organisation-scoped) endpoints."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.api.authentication import request_api_key
from compliance.models import Membership
from controls.api.serializers import (
    FrameworkSerializer,
    RequirementSerializer,
    SoaLineUpdateSerializer,
    StatusLineSerializer,
    StatusUpdateSerializer,
)
from controls.filters import RequirementFilter
from controls.models import Framework, Requirement, RequirementMapping
from controls.selectors import (
    ScopedRows,
    framework_by_code,
    soa_evidence_counts,
    soa_framework,
    soa_lines,
    status_lines,
)
from controls.services.statuses import requirement_status_update


class FrameworkList(generics.ListAPIView[Framework]):
    """Every loaded framework version (catalogues are shared by all organisations)."""

    serializer_class = FrameworkSerializer
    queryset = Framework.objects.all()
    pagination_class = None


@extend_schema(parameters=[OpenApiParameter("version", str, description="a loaded version")])
class RequirementList(generics.ListAPIView[Requirement]):
    """A framework's requirements with their attributes and mapped requirements
    (filters: ``theme``, ``attribute=family:value``, ``q``, ``assessable``)."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilter

    def get_queryset(self) -> QuerySet[Requirement]:
        if getattr(self, "swagger_fake_view", False):
            return Requirement.objects.none()
        framework = framework_by_code(self.kwargs["code"], self.request.query_params.get("version"))
        links = RequirementMapping.objects.select_related("source__framework", "target__framework")
        return (
            Requirement.objects.filter(framework=framework)
            .select_related("theme", "parent")
            .prefetch_related(
                Prefetch("attribute_values", to_attr="prefetched_attributes"),
                Prefetch("mappings_out", queryset=links),
                Prefetch("mappings_in", queryset=links),
            )
        )


def _rows(request: Request) -> ScopedRows:
    return ScopedRows.for_api_key(request_api_key(request))


def _evidence_counts(request: Request) -> dict[int, Any]:
    """Linked evidence per control of the key's organisation (one query)."""
    return soa_evidence_counts(request_api_key(request).organisation_id)


def _update(request: Request, requirement: Requirement, serializer_class: type[Any]) -> None:
    api_key = request_api_key(request)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    fields = dict(serializer.validated_data)
    if "owner" in fields:
        email = fields.pop("owner")
        owner = None
        if email:
            membership = (
                Membership.objects.for_api_key(api_key).filter(user__email__iexact=email).first()
            )
            if membership is None:
                raise ValidationError(
                    {"owner": "No member of this organisation has this e-mail address."}
                )
            owner = membership.user
        fields["owner"] = owner
    try:
        requirement_status_update(
            actor=api_key, organisation=api_key.organisation, requirement=requirement, **fields
        )
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else error.messages
        ) from None


class SoaList(generics.ListAPIView[Requirement]):
    """The key's organisation's Statement of Applicability: one line per Annex A control."""

    serializer_class = StatusLineSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Requirement]:
        framework = soa_framework()
        if getattr(self, "swagger_fake_view", False) or framework is None:
            return Requirement.objects.none()
        return soa_lines(framework, _rows(self.request), with_attributes=False)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["evidence_counts"] = _evidence_counts(self.request)
        return context


class SoaLineDetail(generics.GenericAPIView[Requirement]):
    serializer_class = StatusLineSerializer

    def _requirement(self, ref_id: str) -> Requirement:
        framework = soa_framework()
        if framework is None:
            from django.http import Http404

            raise Http404
        return get_object_or_404(soa_lines(framework, _rows(self.request)), ref_id=ref_id)

    @extend_schema(operation_id="soa_line_retrieve")
    def get(self, request: Request, ref_id: str) -> Response:
        return Response(
            StatusLineSerializer(
                self._requirement(ref_id),
                context={"evidence_counts": _evidence_counts(request)},
            ).data
        )

    @extend_schema(operation_id="soa_line_partial_update", request=SoaLineUpdateSerializer)
    def patch(self, request: Request, ref_id: str) -> Response:
        _update(request, self._requirement(ref_id), SoaLineUpdateSerializer)
        return Response(
            StatusLineSerializer(
                self._requirement(ref_id),
                context={"evidence_counts": _evidence_counts(request)},
            ).data
        )


class StatusList(generics.ListAPIView[Requirement]):
    """The key's organisation's status on every assessable requirement of a framework."""

    serializer_class = StatusLineSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Requirement]:
        if getattr(self, "swagger_fake_view", False):
            return Requirement.objects.none()
        return status_lines(framework_by_code(self.kwargs["code"]), _rows(self.request))


class StatusDetail(generics.GenericAPIView[Requirement]):
    serializer_class = StatusLineSerializer

    def _requirement(self, code: str, ref_id: str) -> Requirement:
        return get_object_or_404(
            status_lines(framework_by_code(code), _rows(self.request)), ref_id=ref_id
        )

    @extend_schema(operation_id="requirement_status_retrieve")
    def get(self, request: Request, code: str, ref_id: str) -> Response:
        return Response(StatusLineSerializer(self._requirement(code, ref_id)).data)

    @extend_schema(operation_id="requirement_status_partial_update", request=StatusUpdateSerializer)
    def patch(self, request: Request, code: str, ref_id: str) -> Response:
        _update(request, self._requirement(code, ref_id), StatusUpdateSerializer)
        return Response(StatusLineSerializer(self._requirement(code, ref_id)).data)
