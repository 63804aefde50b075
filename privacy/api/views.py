"""Register endpoints. Every queryset starts from ``for_api_key``: another organisation's
object is a 404; writes need the write scope and go through the audited services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.api.authentication import request_api_key
from privacy import services
from privacy.api.serializers import FindingSerializer, ProcessingSerializer, RouteSerializer
from privacy.filters import FindingFilter, ProcessingFilter, RouteFilter
from privacy.models import Article66Route, ComplianceFinding, ProcessingActivity
from privacy.selectors import register_queryset


def _drf_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class ProcessingActivityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ProcessingActivity],
):
    """The key's organisation's processing register (GDPR Art. 30), with each line's
    recipients, Article 66 route id and findings."""

    serializer_class = ProcessingSerializer
    filterset_class = ProcessingFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ProcessingActivity.objects.none()
        return register_queryset(
            ProcessingActivity.objects.for_api_key(request_api_key(self.request))
        ).order_by("reference", "id")

    def _save(
        self, request: Request, processing: ProcessingActivity | None, partial: bool
    ) -> Response:
        creating = processing is None
        serializer = ProcessingSerializer(processing, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        recipients = data.pop("recipients", None)
        api_key = request_api_key(request)
        try:
            with transaction.atomic():
                if processing is None:
                    processing = services.processing_create(
                        actor=api_key, organisation=api_key.organisation, **data
                    )
                else:
                    processing = services.processing_update(
                        actor=api_key, processing=processing, **data
                    )
                if recipients is not None:
                    services.recipients_replace(
                        actor=api_key, processing=processing, recipients=recipients
                    )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        fresh = self.get_queryset().get(pk=processing.pk)
        return Response(
            ProcessingSerializer(fresh).data,
            status=status.HTTP_201_CREATED if creating else status.HTTP_200_OK,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, None, partial=False)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, self.get_object(), partial=kwargs.get("partial", False))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.processing_delete(actor=request_api_key(request), processing=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class Article66RouteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Article66Route],
):
    """The Article 66 routes of the key's organisation's health-data processings
    (loi n° 78-17 art. 65, 66, 66-III): one per processing."""

    serializer_class = RouteSerializer
    filterset_class = RouteFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Article66Route.objects.none()
        return (
            Article66Route.objects.for_api_key(request_api_key(self.request))
            .select_related("processing__organisation")
            .order_by("id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        api_key = request_api_key(request)
        processing = (
            ProcessingActivity.objects.for_api_key(api_key)
            .select_related("organisation")
            .filter(pk=data.pop("processing_id"))
            .first()
        )
        if processing is None:
            raise ValidationError({"processing": ["Unknown processing."]})
        if Article66Route.objects.filter(processing=processing).exists():
            raise ValidationError(
                {"processing": ["This processing already has its route: update it instead."]}
            )
        try:
            route = services.route_set(actor=api_key, processing=processing, **data)
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(RouteSerializer(route).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        route = self.get_object()
        serializer = RouteSerializer(route, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("processing_id", None)  # a route stays on its processing
        try:
            route = services.route_set(
                actor=request_api_key(request), processing=route.processing, **data
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(RouteSerializer(route).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.route_delete(actor=request_api_key(request), route=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ComplianceFindingViewSet(viewsets.ReadOnlyModelViewSet[ComplianceFinding]):
    """Findings of the rules engine on the key's organisation's register (recomputed on
    every change; each cites its articles in ``article``)."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ComplianceFinding.objects.none()
        return ComplianceFinding.objects.for_api_key(request_api_key(self.request)).order_by("id")
