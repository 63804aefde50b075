"""Catalogue (shared) and status (organisation-scoped) endpoints."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet
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
from controls.models import Applicability, ControlStatus, Framework, Requirement, RequirementMapping
from controls.selectors import requirements_with_rows, soa_framework
from controls.services.statuses import requirement_status_update


def framework_by_code(code: str, version: str | None = None) -> Framework:
    frameworks = Framework.objects.filter(code=code)
    if version:
        frameworks = frameworks.filter(version=version)
    framework = frameworks.order_by("-version").first()
    if framework is None:
        from django.http import Http404

        raise Http404
    return framework


class FrameworkList(generics.ListAPIView[Framework]):
    """Every loaded framework version (catalogues are shared by all organisations)."""

    serializer_class = FrameworkSerializer
    queryset = Framework.objects.all()
    pagination_class = None


@extend_schema(
    parameters=[
        OpenApiParameter("theme", str, description="theme code, e.g. organizational"),
        OpenApiParameter(
            "attribute",
            str,
            description="family:value, e.g. new_in_2022:true or control_type:preventive",
        ),
        OpenApiParameter("q", str, description="text in the reference, title or description"),
        OpenApiParameter("assessable", bool),
        OpenApiParameter("version", str),
    ]
)
class RequirementList(generics.ListAPIView[Requirement]):
    """A framework's requirements with their attributes and mapped requirements."""

    serializer_class = RequirementSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Requirement]:
        if getattr(self, "swagger_fake_view", False):
            return Requirement.objects.none()
        params = self.request.query_params
        framework = framework_by_code(self.kwargs["code"], params.get("version"))
        links = RequirementMapping.objects.select_related("source__framework", "target__framework")
        requirements = (
            Requirement.objects.filter(framework=framework)
            .select_related("theme")
            .prefetch_related(
                Prefetch("attribute_values", to_attr="prefetched_attributes"),
                Prefetch("mappings_out", queryset=links),
                Prefetch("mappings_in", queryset=links),
            )
        )
        if params.get("theme"):
            requirements = requirements.filter(theme__code=params["theme"])
        if params.get("assessable") in ("true", "false"):
            requirements = requirements.filter(assessable=params["assessable"] == "true")
        if params.get("q"):
            text = params["q"]
            requirements = requirements.filter(
                Q(ref_id__icontains=text)
                | Q(title_fr__icontains=text)
                | Q(title_en__icontains=text)
                | Q(description_fr__icontains=text)
                | Q(description_en__icontains=text)
            )
        if params.get("attribute"):
            family, _, value = params["attribute"].partition(":")
            if not value:
                raise ValidationError(
                    {"attribute": "Use family:value, e.g. control_type:preventive."}
                )
            scalar = {"true": True, "false": False}.get(value, value)
            requirements = requirements.filter(
                Q(attribute_values__family=family, attribute_values__value=value)
                | Q(**{f"attributes__{family}": scalar})
            ).distinct()
        return requirements

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            framework = framework_by_code(
                self.kwargs["code"], self.request.query_params.get("version")
            )
            context["ref_by_id"] = dict(
                Requirement.objects.filter(framework=framework).values_list("pk", "ref_id")
            )
        return context


def _status_lines(request: Request, framework: Framework, *, soa: bool) -> QuerySet[Requirement]:
    api_key = request_api_key(request)
    requirements = requirements_with_rows(
        framework,
        soa_rows=Applicability.objects.for_api_key(api_key),
        status_rows=ControlStatus.objects.for_api_key(api_key),
    )
    return (
        requirements.filter(kind="control")
        if soa
        else requirements.exclude(kind="control", framework__has_statement_of_applicability=True)
    )


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
        return _status_lines(self.request, framework, soa=True)


class SoaLineDetail(generics.GenericAPIView[Requirement]):
    serializer_class = StatusLineSerializer

    def _requirement(self, ref_id: str) -> Requirement:
        framework = soa_framework()
        if framework is None:
            from django.http import Http404

            raise Http404
        return get_object_or_404(_status_lines(self.request, framework, soa=True), ref_id=ref_id)

    @extend_schema(operation_id="soa_line_retrieve")
    def get(self, request: Request, ref_id: str) -> Response:
        return Response(StatusLineSerializer(self._requirement(ref_id)).data)

    @extend_schema(operation_id="soa_line_partial_update", request=SoaLineUpdateSerializer)
    def patch(self, request: Request, ref_id: str) -> Response:
        _update(request, self._requirement(ref_id), SoaLineUpdateSerializer)
        return Response(StatusLineSerializer(self._requirement(ref_id)).data)


class StatusList(generics.ListAPIView[Requirement]):
    """The key's organisation's status on every assessable requirement of a framework."""

    serializer_class = StatusLineSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Requirement]:
        if getattr(self, "swagger_fake_view", False):
            return Requirement.objects.none()
        return _status_lines(self.request, framework_by_code(self.kwargs["code"]), soa=False)


class StatusDetail(generics.GenericAPIView[Requirement]):
    serializer_class = StatusLineSerializer

    def _requirement(self, code: str, ref_id: str) -> Requirement:
        return get_object_or_404(
            _status_lines(self.request, framework_by_code(code), soa=False), ref_id=ref_id
        )

    @extend_schema(operation_id="requirement_status_retrieve")
    def get(self, request: Request, code: str, ref_id: str) -> Response:
        return Response(StatusLineSerializer(self._requirement(code, ref_id)).data)

    @extend_schema(operation_id="requirement_status_partial_update", request=StatusUpdateSerializer)
    def patch(self, request: Request, code: str, ref_id: str) -> Response:
        _update(request, self._requirement(code, ref_id), StatusUpdateSerializer)
        return Response(StatusLineSerializer(self._requirement(code, ref_id)).data)
