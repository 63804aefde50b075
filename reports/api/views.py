"""``/api/v1/reports/``: request documents, follow them, download them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.api.authentication import request_api_key
from compliance.queue import QueueUnavailable, ServiceUnavailable
from reports.api.serializers import (
    ReportJobDetailSerializer,
    ReportJobSerializer,
    ReportRequestSerializer,
)
from reports.choices import JobStatus
from reports.filters import ReportJobFilter
from reports.models import ReportJob
from reports.services import report_request, report_retry


def _jobs(request: Request) -> QuerySet[ReportJob]:
    return ReportJob.objects.for_api_key(request_api_key(request))


class ReportList(generics.ListAPIView[ReportJob]):
    """The organisation's documents, newest first (filters: ``kind``, ``status``).
    ``POST`` queues a new one and answers 202 with the job: poll it until ``status`` is
    ``done``, then fetch ``file/``."""

    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilter

    def get_queryset(self) -> QuerySet[ReportJob]:
        if getattr(self, "swagger_fake_view", False):
            return ReportJob.objects.none()
        return _jobs(self.request).defer("manifest")

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: ReportJobSerializer, 400: OpenApiResponse(description="bad input")},
    )
    def post(self, request: Request) -> Response:
        api_key = request_api_key(request)
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parameters: dict[str, Any] = dict(data.pop("extra", {}))
        for name in ("version", "audit"):
            if name in data:
                parameters[name] = data[name]
        try:
            job = report_request(
                actor=api_key,
                organisation=api_key.organisation,
                kind=data["kind"],
                parameters=parameters,
                language=data["language"],
            )
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from error
        except QueueUnavailable as error:
            raise ServiceUnavailable from error
        job.refresh_from_db()
        return Response(ReportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ReportDetail(generics.RetrieveAPIView[ReportJob]):
    """Status, progress (0-100), SHA-256 and manifest of one document."""

    serializer_class = ReportJobDetailSerializer

    def get_queryset(self) -> QuerySet[ReportJob]:
        if getattr(self, "swagger_fake_view", False):
            return ReportJob.objects.none()
        return _jobs(self.request)


class ReportFile(APIView):
    """The PDF itself; 404 until the document is done."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="unknown, or not rendered yet"),
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = get_object_or_404(_jobs(request), pk=pk)
        if job.status != JobStatus.DONE or not job.file:
            raise Http404
        response = FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.download_name,
            content_type="application/pdf",
        )
        response["X-Content-SHA256"] = job.sha256
        return response


class ReportRetry(APIView):
    """Queue a failed document again (202)."""

    @extend_schema(request=None, responses={202: ReportJobSerializer})
    def post(self, request: Request, pk: int) -> Response:
        api_key = request_api_key(request)
        job = get_object_or_404(_jobs(request).select_related("organisation"), pk=pk)
        try:
            job = report_retry(actor=api_key, job=job)
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from error
        return Response(ReportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
