"""REST endpoints: assessments (create by multipart upload, list, retrieve) and scans.
Every queryset starts from ``for_api_key``: another organisation's object is a 404.

Creating an assessment answers 202 at once with the queued assessment and its URL in
``Location``: a worker measures the extract (up to a million rows) and the client polls
that URL until ``status`` is ``done`` (results) or ``failed`` (``error``). One behaviour
whatever the size, so an integration has a single code path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
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
from anonymity.services import assessment_request, free_text_scan
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

    @extend_schema(
        request=AssessmentCreateSerializer,
        responses={
            202: OpenApiResponse(
                AssessmentSerializer,
                description=(
                    "Accepted: the assessment is queued (`status` `queued`, `result` null). "
                    "Poll the URL in `Location` (the assessment itself) until `status` is "
                    "`done` (the numbers, `verdict` and `result`) or `failed` (`error`). "
                    "The extract is deleted either way; only its SHA-256 is kept."
                ),
            )
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[202],
                description="URL of the assessment to poll.",
            )
        ],
    )
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
            assessment = assessment_request(
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
            upload.discard()  # refused: no job took the extract
            raise _drf_error(error) from None
        # Tasks run in-process when no broker is configured: then it is already over.
        assessment.refresh_from_db()
        location = request.build_absolute_uri(
            reverse("api-anonymity-assessment-detail", args=[assessment.pk])
        )
        return Response(
            AssessmentSerializer(assessment).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


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
