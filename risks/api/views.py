"""Risk API: assets, risks, treatments, the starter library and the methodology, all
scoped to the API key's organisation (another organisation's object is a 404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audits.models import RemediationAction
from compliance.api.authentication import request_api_key
from compliance.models import ApiKey, Membership, User
from controls.models import Requirement
from controls.selectors import soa_framework
from risks.api.serializers import (
    AssetInputSerializer,
    AssetSerializer,
    LibrarySelectSerializer,
    MethodSerializer,
    RiskInputSerializer,
    RiskSerializer,
    ScenarioSerializer,
    TreatmentInputSerializer,
    TreatmentSerializer,
)
from risks.filters import AssetFilter, RiskFilter
from risks.library import LIBRARY
from risks.models import Asset, Risk
from risks.selectors import risk_rows
from risks.services.assets import asset_create, asset_update
from risks.services.method import method_current
from risks.services.risks import risk_create, risk_update, risks_from_library


def _django_errors(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def _member(api_key: ApiKey, email: str | None) -> User | None:
    if not email:
        return None
    membership = (
        Membership.objects.for_api_key(api_key)
        .select_related("user")
        .filter(user__email__iexact=email)
        .first()
    )
    if membership is None:
        raise ValidationError({"owner": "No member of this organisation has this e-mail address."})
    return membership.user


def _controls(refs: list[str], field: str) -> list[Requirement]:
    """``framework:ref_id`` or a bare Annex A reference, each resolved or refused."""
    framework = soa_framework()
    query = Q(pk__in=[])
    for ref in refs:
        code, sep, ref_id = ref.partition(":")
        if sep:
            query |= Q(framework__code=code, ref_id=ref_id)
        elif framework is not None:
            query |= Q(framework=framework, ref_id=ref)
    found = list(Requirement.objects.filter(query, assessable=True).select_related("framework"))
    known = {f"{r.framework.code}:{r.ref_id}" for r in found} | {r.ref_id for r in found}
    missing = [ref for ref in refs if ref not in known]
    if missing:
        raise ValidationError({field: [f"Unknown control: {', '.join(missing)}."]})
    return found


def _risk_fields(api_key: ApiKey, data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "owner" in fields:
        fields["owner"] = _member(api_key, fields["owner"])
    if "assets" in fields:
        ids = set(fields["assets"])
        assets = list(Asset.objects.for_api_key(api_key).filter(pk__in=ids))
        if len(assets) != len(ids):
            raise ValidationError({"assets": ["Unknown asset."]})
        fields["assets"] = assets
    for name in ("existing_controls", "planned_controls"):
        if name in fields:
            fields[name] = _controls(fields[name], name)
    if "actions" in fields:
        ids = set(fields["actions"])
        actions = list(RemediationAction.objects.for_api_key(api_key).filter(pk__in=ids))
        if len(actions) != len(ids):
            raise ValidationError({"actions": ["Unknown remediation action."]})
        fields["actions"] = actions
    return fields


class AssetList(generics.ListCreateAPIView[Asset]):
    """The organisation's assets (filters: ``q``, ``kind``, ``classification``,
    ``health_data``)."""

    serializer_class = AssetSerializer
    filterset_class = AssetFilter

    def get_queryset(self) -> QuerySet[Asset]:
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        return Asset.objects.for_api_key(request_api_key(self.request)).select_related("owner")

    @extend_schema(request=AssetInputSerializer, responses={201: AssetSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        serializer = AssetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "owner" in fields:
            fields["owner"] = _member(api_key, fields["owner"])
        try:
            asset = asset_create(actor=api_key, organisation=api_key.organisation, **fields)
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)


class AssetDetail(generics.RetrieveAPIView[Asset]):
    serializer_class = AssetSerializer

    def get_queryset(self) -> QuerySet[Asset]:
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        return Asset.objects.for_api_key(request_api_key(self.request)).select_related("owner")

    @extend_schema(request=AssetInputSerializer, responses=AssetSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        asset = self.get_object()
        serializer = AssetInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "owner" in fields:
            fields["owner"] = _member(api_key, fields["owner"])
        try:
            asset = asset_update(actor=api_key, asset=asset, **fields)
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return Response(AssetSerializer(asset).data)


def _risks(request: Request) -> QuerySet[Risk]:
    return risk_rows(Risk.objects.for_api_key(request_api_key(request))).prefetch_related("actions")


class RiskList(generics.ListCreateAPIView[Risk]):
    """The risk register (filters: ``q``, ``treatment``, ``owner``, ``asset``,
    ``control``, ``accepted``, ``review_due``)."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilter

    def get_queryset(self) -> QuerySet[Risk]:
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        return _risks(self.request)

    @extend_schema(request=RiskInputSerializer, responses={201: RiskSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        serializer = RiskInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            risk = risk_create(
                actor=api_key,
                organisation=api_key.organisation,
                **_risk_fields(api_key, serializer.validated_data),
            )
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return Response(
            RiskSerializer(get_object_or_404(_risks(request), pk=risk.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class RiskDetail(generics.RetrieveAPIView[Risk]):
    serializer_class = RiskSerializer

    def get_queryset(self) -> QuerySet[Risk]:
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        return _risks(self.request)

    @extend_schema(request=RiskInputSerializer, responses=RiskSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _patch(request, self.get_object(), RiskInputSerializer, RiskSerializer)


def _patch(request: Request, risk: Risk, input_class: Any, output_class: Any) -> Response:
    api_key = request_api_key(request)
    serializer = input_class(data=request.data, partial=True)
    serializer.is_valid(raise_exception=True)
    try:
        risk_update(actor=api_key, risk=risk, **_risk_fields(api_key, serializer.validated_data))
    except DjangoValidationError as error:
        raise _django_errors(error) from None
    return Response(output_class(get_object_or_404(_risks(request), pk=risk.pk)).data)


class TreatmentList(generics.ListAPIView[Risk]):
    """Every risk's treatment: the risk treatment plan (ISO/IEC 27001:2022 6.1.3 e)."""

    serializer_class = TreatmentSerializer
    filterset_class = RiskFilter

    def get_queryset(self) -> QuerySet[Risk]:
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        return _risks(self.request)


class TreatmentDetail(generics.RetrieveAPIView[Risk]):
    """One risk's treatment. Accepting the residual risk is a person's act (6.1.3 f): it
    is done in the web interface by the risk owner, not through an API key."""

    serializer_class = TreatmentSerializer

    def get_queryset(self) -> QuerySet[Risk]:
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        return _risks(self.request)

    @extend_schema(request=TreatmentInputSerializer, responses=TreatmentSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _patch(request, self.get_object(), TreatmentInputSerializer, TreatmentSerializer)


class LibraryList(generics.GenericAPIView[Any]):
    """The starter library: HDS v2 EXI 05 events A to H and common health-sector
    scenarios."""

    serializer_class = ScenarioSerializer
    pagination_class = None
    queryset = Risk.objects.none()  # the library is code, not rows; for the schema only

    @extend_schema(responses=ScenarioSerializer(many=True))
    def get(self, request: Request) -> Response:
        request_api_key(request)
        return Response(ScenarioSerializer(LIBRARY, many=True).data)


class LibrarySelect(generics.GenericAPIView[Any]):
    """Add library scenarios to the register (one risk per scenario, never twice)."""

    serializer_class = LibrarySelectSerializer
    queryset = Risk.objects.none()  # for the schema only

    @extend_schema(request=LibrarySelectSerializer, responses={201: RiskSerializer(many=True)})
    def post(self, request: Request) -> Response:
        api_key = request_api_key(request)
        serializer = LibrarySelectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            created = risks_from_library(
                actor=api_key,
                organisation=api_key.organisation,
                codes=serializer.validated_data["codes"],
                language=serializer.validated_data["language"],
            )
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        risks = _risks(request).filter(pk__in=[risk.pk for risk in created])
        return Response(RiskSerializer(risks, many=True).data, status=status.HTTP_201_CREATED)


class MethodView(generics.GenericAPIView[Any]):
    """The risk methodology in force."""

    serializer_class = MethodSerializer
    queryset = Risk.objects.none()  # for the schema only

    def get(self, request: Request) -> Response:
        method = method_current(request_api_key(request).organisation_id)
        if method is None:
            raise NotFound
        return Response(MethodSerializer(method).data)
