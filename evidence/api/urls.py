"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from evidence.api import views

router = SimpleRouter(trailing_slash=True)
router.register("evidence", views.EvidenceViewSet, basename="api-evidence")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "evidence/<int:pk>/revisions/<int:number>/download/",
        views.RevisionDownload.as_view(),
        name="api-evidence-download",
    ),
    path("", include(router.urls)),
]
