"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from audits.api import views

router = SimpleRouter(trailing_slash=True)
router.register("audits", views.AuditViewSet, basename="api-audit")
router.register("audit-checks", views.AuditCheckViewSet, basename="api-audit-check")
router.register("findings", views.FindingViewSet, basename="api-finding")
router.register("remediation-actions", views.RemediationActionViewSet, basename="api-action")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
