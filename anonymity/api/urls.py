"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from anonymity.api import views

router = SimpleRouter(trailing_slash=True)
router.register(
    "anonymity-assessments", views.AssessmentViewSet, basename="api-anonymity-assessment"
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("anonymity-scans/", views.ScanView.as_view(), name="api-anonymity-scan"),
    path("", include(router.urls)),
]
