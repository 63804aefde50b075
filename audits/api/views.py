"""REST endpoints of the audits app. Every queryset starts from ``for_api_key``: another
organisation's audit, check, finding or action is a 404. Writes call the same services
as the pages; a write on a closed audit is a 409 whose message says why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audits.api.serializers import (
    ActionCreateSerializer,
    ActionSerializer,
    ActionUpdateSerializer,
    ActionVerifySerializer,
    AuditCheckSerializer,
    AuditCheckUpdateSerializer,
    AuditCreateSerializer,
    AuditFindingSerializer,
    AuditSerializer,
    AuditTransitionSerializer,
    FindingCreateSerializer,
    FindingWriteSerializer,
)
from audits.filters import AuditCheckFilter, AuditFilter, FindingFilter, RemediationActionFilter
from audits.models import Audit, AuditCheck, Finding, RemediationAction
from audits.selectors import audits_with_progress, findings_with_actions
from audits.services import (
    AuditLocked,
    action_create,
    action_update,
    action_verify,
    audit_create,
    audit_transition,
    check_record,
    finding_create,
    finding_update,
)
from compliance.api.authentication import request_api_key
from compliance.models import ApiKey, Membership, User
from controls.models import Framework, Requirement, Theme
from evidence.models import Evidence

T = TypeVar("T")


class AuditLockedConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "audit_locked"


def call_service(service: Callable[..., T], **kwargs: Any) -> T:
    """Run a service and turn its refusals into API errors: 409 for a closed audit,
    400 with the field errors otherwise."""
    try:
        return service(**kwargs)
    except AuditLocked as error:
        raise AuditLockedConflict(" ".join(error.messages)) from None
    except DjangoValidationError as error:
        raise exceptions.ValidationError(
            error.message_dict if hasattr(error, "error_dict") else error.messages
        ) from None


def _members(api_key: ApiKey, emails: Iterable[str], field: str) -> list[User]:
    emails = [e for e in emails if e]
    if not emails:
        return []
    users = {
        m.user.email.lower(): m.user
        for m in Membership.objects.for_api_key(api_key).select_related("user")
    }
    missing = [e for e in emails if e.lower() not in users]
    if missing:
        raise exceptions.ValidationError(
            {field: f"No member of this organisation has the e-mail address {', '.join(missing)}."}
        )
    return [users[e.lower()] for e in emails]


def _member(api_key: ApiKey, email: str | None, field: str) -> User | None:
    found = _members(api_key, [email] if email else [], field)
    return found[0] if found else None


def _evidence(api_key: ApiKey, ids: Iterable[int], field: str) -> list[Evidence]:
    ids = list(ids)
    items = list(Evidence.objects.for_api_key(api_key).filter(pk__in=ids))
    if len(items) != len(set(ids)):
        raise exceptions.ValidationError({field: "Unknown evidence item."})
    return items


def _requirement(token: str, field: str) -> Requirement:
    code, _sep, ref_id = token.partition(":")
    requirement = (
        Requirement.objects.filter(framework__code=code, ref_id=ref_id)
        .select_related("framework")
        .order_by("-framework__version")
        .first()
    )
    if requirement is None:
        raise exceptions.ValidationError({field: f"Unknown requirement {token}."})
    return requirement


class AuditViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Audit],
):
    """Audits of the key's organisation, with progress and open findings."""

    serializer_class = AuditSerializer
    filterset_class = AuditFilter

    def get_queryset(self) -> QuerySet[Audit]:
        if getattr(self, "swagger_fake_view", False):
            return Audit.objects.none()
        return (
            audits_with_progress(Audit.objects.for_api_key(request_api_key(self.request)))
            .prefetch_related("frameworks")
            .order_by("-pk")
        )

    @extend_schema(request=AuditCreateSerializer, responses={201: AuditSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        serializer = AuditCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        frameworks = list(Framework.objects.filter(code__in=data["frameworks"]))
        if len(frameworks) < len(set(data["frameworks"])):
            raise exceptions.ValidationError({"frameworks": "Unknown framework code."})
        themes = []
        for token in data["themes"]:
            code, _sep, theme_code = token.partition(":")
            theme = Theme.objects.filter(framework__code=code, code=theme_code).first()
            if theme is None:
                raise exceptions.ValidationError({"themes": f"Unknown theme {token}."})
            themes.append(theme)
        audit = call_service(
            audit_create,
            actor=api_key,
            organisation=api_key.organisation,
            title=data["title"],
            kind=data["kind"],
            objectives=data["objectives"],
            frameworks=frameworks,
            themes=themes,
            requirements=[_requirement(t, "requirements") for t in data["requirements"]],
            sample_per_theme=data["sample_per_theme"],
            sample_seed=data["sample_seed"],
            lead_auditor=_member(api_key, data["lead_auditor"], "lead_auditor"),
            auditors=_members(api_key, data["auditors"], "auditors"),
            auditees=_members(api_key, data["auditees"], "auditees"),
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
        )
        return Response(
            AuditSerializer(self.get_queryset().get(pk=audit.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=AuditTransitionSerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the audit to its next (or previous) status; ``closed`` locks it."""
        audit = self.get_object()
        serializer = AuditTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(
            audit_transition,
            actor=request_api_key(request),
            audit=audit,
            status=serializer.validated_data["status"],
        )
        return Response(AuditSerializer(self.get_queryset().get(pk=audit.pk)).data)


class AuditCheckViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[AuditCheck],
):
    """Checks of the key's organisation's audits (filter by ``audit``, ``result``,
    ``theme``, ``ref_id``); PATCH records a result, notes and evidence."""

    serializer_class = AuditCheckSerializer
    filterset_class = AuditCheckFilter

    def get_queryset(self) -> QuerySet[AuditCheck]:
        if getattr(self, "swagger_fake_view", False):
            return AuditCheck.objects.none()
        return (
            AuditCheck.objects.for_api_key(request_api_key(self.request))
            .select_related("requirement__framework", "requirement__theme", "finding", "audit")
            .prefetch_related("evidence")
            .order_by("audit_id", "order", "pk")
        )

    @extend_schema(request=AuditCheckUpdateSerializer, responses=AuditCheckSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        api_key = request_api_key(request)
        check = self.get_object()
        serializer = AuditCheckUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "evidence" in data:
            data["evidence"] = _evidence(api_key, data["evidence"], "evidence")
        call_service(check_record, actor=api_key, check=check, **data)
        return Response(AuditCheckSerializer(self.get_queryset().get(pk=check.pk)).data)


class FindingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Finding],
):
    """The organisation's findings register with each finding's actions."""

    serializer_class = AuditFindingSerializer
    filterset_class = FindingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Finding]:
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        return findings_with_actions(
            Finding.objects.for_api_key(request_api_key(self.request))
        ).prefetch_related("evidence")

    @extend_schema(request=FindingCreateSerializer, responses={201: AuditFindingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        serializer = FindingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        requirement = data.pop("requirement", "")
        finding = call_service(
            finding_create,
            actor=api_key,
            organisation=api_key.organisation,
            requirement=_requirement(requirement, "requirement") if requirement else None,
            evidence=_evidence(api_key, data.pop("evidence", []), "evidence"),
            **data,
        )
        return Response(
            AuditFindingSerializer(self.get_queryset().get(pk=finding.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=FindingWriteSerializer, responses=AuditFindingSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        api_key = request_api_key(request)
        finding = self.get_object()
        serializer = FindingWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "evidence" in data:
            data["evidence"] = _evidence(api_key, data["evidence"], "evidence")
        call_service(finding_update, actor=api_key, finding=finding, **data)
        return Response(AuditFindingSerializer(self.get_queryset().get(pk=finding.pk)).data)


class RemediationActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[RemediationAction],
):
    """The remediation plan: actions with owner, due date, priority and status."""

    serializer_class = ActionSerializer
    filterset_class = RemediationActionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[RemediationAction]:
        if getattr(self, "swagger_fake_view", False):
            return RemediationAction.objects.none()
        return (
            RemediationAction.objects.for_api_key(request_api_key(self.request))
            .select_related("owner", "verified_by", "finding")
            .order_by("due_date", "pk")
        )

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_key = request_api_key(request)
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        finding = Finding.objects.for_api_key(api_key).filter(pk=data.pop("finding")).first()
        if finding is None:
            raise exceptions.ValidationError({"finding": "Unknown finding."})
        if "owner" in data:
            data["owner"] = _member(api_key, data["owner"], "owner")
        created = call_service(action_create, actor=api_key, finding=finding, **data)
        return Response(
            ActionSerializer(self.get_queryset().get(pk=created.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ActionUpdateSerializer, responses=ActionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        api_key = request_api_key(request)
        remediation = self.get_object()
        serializer = ActionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "owner" in data:
            data["owner"] = _member(api_key, data["owner"], "owner")
        call_service(action_update, actor=api_key, action=remediation, **data)
        return Response(ActionSerializer(self.get_queryset().get(pk=remediation.pk)).data)

    @extend_schema(request=ActionVerifySerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Record the verification of a done action: an evidence item and a member other
        than the owner (the four-eyes rule)."""
        api_key = request_api_key(request)
        remediation = self.get_object()
        serializer = ActionVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call_service(
            action_verify,
            actor=api_key,
            action=remediation,
            verified_by=_member(api_key, data["verified_by"], "verified_by"),
            evidence=_evidence(api_key, [data["evidence"]], "evidence")[0],
            notes=data["notes"],
        )
        return Response(ActionSerializer(self.get_queryset().get(pk=remediation.pk)).data)
