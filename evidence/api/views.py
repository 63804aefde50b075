"""Evidence endpoints: every queryset starts from ``for_api_key`` (another organisation's
item is a 404) and every write goes through the evidence services (audited)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.api.authentication import request_api_key
from controls.models import Requirement
from evidence.api.serializers import (
    EvidenceCreateSerializer,
    EvidenceSerializer,
    RequirementLinkSerializer,
    RevisionSerializer,
    RevisionUploadSerializer,
)
from evidence.downloads import revision_response
from evidence.filters import EvidenceFilter
from evidence.models import Evidence, EvidenceRevision
from evidence.selectors import with_detail
from evidence.services import evidence_create, evidence_requirements_link, revision_add
from evidence.services.files import StorageFull
from evidence.uploads import EvidenceUploadHandler, install_handler

TOO_LARGE = OpenApiResponse(description="Past the per-file or per-request size limit.")


class InsufficientStorage(APIException):
    """507: the storage is full; nothing of the upload was kept, the client may retry."""

    status_code = 507
    default_code = "insufficient_storage"


def _django_error(error: DjangoValidationError) -> APIException:
    if isinstance(error, StorageFull):
        return InsufficientStorage(error.messages[0])
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def _parse_streamed(request: Request) -> tuple[EvidenceUploadHandler, Response | None]:
    """Parse the body through the evidence upload handler: ``(handler, 413 or None)``."""
    handler = install_handler(request._request)
    try:
        request.data  # noqa: B018 - parse now, through the handler
    except (MultiPartParserError, ParseError):
        handler.discard()
        raise
    if handler.too_large is not None:
        handler.discard()
        return handler, Response(
            {"detail": handler.too_large.message, "code": "upload_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return handler, None


def _files(request: Request) -> list[Any]:
    return list(request.FILES.getlist("files")) if hasattr(request.FILES, "getlist") else []


def resolve_requirements(references: list[str]) -> list[Requirement]:
    """``framework:ref_id`` or ids to assessable requirements, one query; unknown ones
    are named in a 400."""
    ids = {int(ref) for ref in references if ref.isdigit()}
    pairs = {tuple(ref.split(":", 1)) for ref in references if ":" in ref and not ref.isdigit()}
    bad = [ref for ref in references if not ref.isdigit() and ":" not in ref]
    condition = Q(pk__in=ids)
    for code, ref_id in pairs:
        condition |= Q(framework__code=code, ref_id=ref_id)
    found = (
        list(
            Requirement.objects.filter(condition, assessable=True)
            .select_related("framework")
            .order_by("framework_id", "order", "-framework__pk")
        )
        if ids or pairs
        else []
    )
    known_ids = {r.pk for r in found}
    known_pairs = {(r.framework.code, r.ref_id) for r in found}
    bad += [str(pk) for pk in ids if pk not in known_ids]
    bad += [f"{code}:{ref}" for code, ref in pairs if (code, ref) not in known_pairs]
    if bad:
        raise ValidationError({"requirements": [f"Unknown requirement: {ref}" for ref in bad]})
    # The latest version of a framework wins when a code is loaded twice.
    unique: dict[tuple[str, str], Requirement] = {}
    for requirement in found:
        unique.setdefault((requirement.framework.code, requirement.ref_id), requirement)
    return list(unique.values())


@extend_schema_view(
    list=extend_schema(
        summary="Evidence items of the key's organisation",
        description="Filters: `q` (title, description), `requirement` (id), `ref_id`, "
        "`state` (valid, expired, compromised).",
    ),
    retrieve=extend_schema(summary="One evidence item with its revisions"),
)
class EvidenceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Evidence]
):
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Evidence]:
        if getattr(self, "swagger_fake_view", False):
            return Evidence.objects.none()
        return with_detail(Evidence.objects.for_api_key(request_api_key(self.request)))

    @extend_schema(
        summary="Create an evidence item: files (multipart/form-data) or a link (JSON)",
        request={
            "multipart/form-data": EvidenceCreateSerializer,
            "application/json": EvidenceCreateSerializer,
        },
        responses={201: EvidenceSerializer, 413: TOO_LARGE},
    )
    def create(self, request: Request) -> Response:
        _handler, refused = _parse_streamed(request)
        if refused is not None:
            return refused
        data: Any = request.data
        payload: dict[str, Any]
        if hasattr(data, "getlist"):  # multipart: repeated fields are lists
            payload = {key: data.get(key) for key in data if key not in ("files", "requirements")}
            payload["requirements"] = data.getlist("requirements")
        elif isinstance(data, dict):
            payload = dict(data)
        else:
            raise ValidationError({"non_field_errors": [_("Send a JSON object or a form.")]})
        serializer = EvidenceCreateSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        api_key = request_api_key(request)
        try:
            evidence = evidence_create(
                actor=api_key,
                organisation=api_key.organisation,
                title=fields["title"],
                description=fields["description"],
                url=fields["url"],
                requirements=resolve_requirements(fields["requirements"]),
                files=_files(request),
                collected_on=fields["collected_on"],
                expires_on=fields["expires_on"],
            )
        except DjangoValidationError as error:
            raise _django_error(error) from None
        return Response(
            EvidenceSerializer(self.get_queryset().get(pk=evidence.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Upload new revisions of a file item",
        request={"multipart/form-data": RevisionUploadSerializer},
        responses={201: RevisionSerializer(many=True), 413: TOO_LARGE},
    )
    @action(detail=True, methods=["post"], url_path="revisions")
    def revisions(self, request: Request, pk: str) -> Response:
        evidence = self.get_object()  # 404 before a byte of another organisation's upload
        _handler, refused = _parse_streamed(request)
        if refused is not None:
            return refused
        data: Any = request.data
        payload = {key: data.get(key) for key in ("collected_on", "expires_on") if data.get(key)}
        serializer = RevisionUploadSerializer(data={**payload, "files": _files(request)})
        serializer.is_valid(raise_exception=True)
        try:
            revisions = revision_add(
                actor=request_api_key(request),
                evidence=evidence,
                files=serializer.validated_data["files"],
                collected_on=serializer.validated_data["collected_on"],
                expires_on=serializer.validated_data["expires_on"],
            )
        except DjangoValidationError as error:
            raise _django_error(error) from None
        return Response(
            RevisionSerializer(revisions, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Link requirements this evidence supports",
        request=RequirementLinkSerializer,
        responses={200: EvidenceSerializer},
    )
    @action(detail=True, methods=["post"], url_path="requirements", parser_classes=[JSONParser])
    def link_requirements(self, request: Request, pk: str) -> Response:
        evidence = self.get_object()
        serializer = RequirementLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            evidence_requirements_link(
                actor=request_api_key(request),
                evidence=evidence,
                requirements=resolve_requirements(serializer.validated_data["requirements"]),
            )
        except DjangoValidationError as error:
            raise _django_error(error) from None
        return Response(EvidenceSerializer(self.get_queryset().get(pk=evidence.pk)).data)


class AnyMediaRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type (``Accept: application/pdf``) pass
    content negotiation; the file itself is a FileResponse, and errors are JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        return json.dumps(data).encode() if data is not None else b""


class RevisionDownload(APIView):
    """The bytes of one revision, as an attachment, with ``ETag`` (quoted SHA-256),
    ``Digest: sha-256=<base64>`` and ``Repr-Digest`` (RFC 9530) headers."""

    renderer_classes = [JSONRenderer, AnyMediaRenderer]

    @extend_schema(
        operation_id="evidence_revision_download",
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")},
    )
    def get(self, request: Request, pk: int, number: int) -> HttpResponseBase:
        revision = generics.get_object_or_404(
            EvidenceRevision.objects.for_api_key(request_api_key(request)),
            evidence_id=pk,
            number=number,
        )
        return revision_response(request._request, revision)
