"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from privacy.api import views

router = SimpleRouter(trailing_slash=True)
router.register(
    "processing-activities", views.ProcessingActivityViewSet, basename="api-processing-activity"
)
router.register("article66-routes", views.Article66RouteViewSet, basename="api-article66-route")
router.register(
    "compliance-findings", views.ComplianceFindingViewSet, basename="api-compliance-finding"
)

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
