"""REST endpoints: assessments (create by multipart upload, list, retrieve) and scans.
Every queryset starts from ``for_api_key``: another organisation's object is a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anonymity.api.serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    AssessmentSummarySerializer,
    ScanCreateSerializer,
    ScanResultSerializer,
)
from anonymity.engine.reader import ExtractError, read_extract, read_text_lines
from anonymity.filters import AssessmentFilter
from anonymity.models import AnonymityAssessment
from anonymity.selectors import assessments_list
from anonymity.services import assessment_create, free_text_scan
from anonymity.uploads import max_upload_bytes, store_upload
from compliance.api.authentication import request_api_key


def _drf_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def _check_length(request: Request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_upload_bytes() + 1024 * 1024:
        raise ValidationError({"file": ["The file is larger than the upload limit."]})


class AssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[AnonymityAssessment],
):
    """Anonymity assessments of the key's organisation (WP29 Opinion 05/2014 criteria)."""

    filterset_class = AssessmentFilter
    parser_classes = [MultiPartParser, FormParser]

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return AssessmentSummarySerializer
        if self.action == "create":
            return AssessmentCreateSerializer
        return AssessmentSerializer

    def get_queryset(self) -> QuerySet[AnonymityAssessment]:
        if getattr(self, "swagger_fake_view", False):
            return AnonymityAssessment.objects.none()
        queryset = assessments_list(
            AnonymityAssessment.objects.for_api_key(request_api_key(self.request))
        )
        return queryset if self.action == "list" else queryset.defer(None)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _check_length(request)
        api_key = request_api_key(request)
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        processing = None
        if data.get("processing") is not None:
            from privacy.models import ProcessingActivity

            processing = ProcessingActivity.objects.filter(
                organisation_id=api_key.organisation_id, pk=data["processing"]
            ).first()
            if processing is None:
                raise ValidationError({"processing": ["Unknown processing activity."]})
        try:
            upload = store_upload(data["file"])
        except ExtractError as error:
            raise ValidationError({"file": [str(error)]}) from None
        try:
            assessment = assessment_create(
                actor=api_key,
                organisation=api_key.organisation,
                upload=upload,
                roles=data["roles"],
                k_threshold=data["k_threshold"],
                with_t_closeness=data["t_closeness"],
                processing=processing,
                include_undeclared=True,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        finally:
            upload.discard()
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class ScanView(APIView):
    """Scan notes for special categories (GDPR Art. 9(1)), HIV status and direct
    identifiers: JSON ``{"notes": [...]}``, or multipart ``file`` (+ ``column``)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ScanCreateSerializer, responses={200: ScanResultSerializer})
    def post(self, request: Request) -> Response:
        _check_length(request)
        api_key = request_api_key(request)
        serializer = ScanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        notes: list[str] = list(data.get("notes") or [])
        source = "api"
        if data.get("file") is not None:
            try:
                upload = store_upload(data["file"])
            except ExtractError as error:
                raise ValidationError({"file": [str(error)]}) from None
            source = upload.name
            try:
                column = data.get("column", "").strip()
                if column:
                    notes = read_extract(upload.path, [column])[column].tolist()
                else:
                    notes = read_text_lines(upload.path.read_bytes()).splitlines()
            except ExtractError as error:
                raise ValidationError({"file": [str(error)]}) from None
            finally:
                upload.discard()
        results, summary = free_text_scan(
            actor=api_key, organisation=api_key.organisation, notes=notes, source=source
        )
        return Response(
            {
                "records": [r.as_dict(with_redacted=data["redacted"]) for r in results],
                "summary": summary,
            }
        )
