"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, path

from reports.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.ReportList.as_view(), name="api-report-list"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="api-report-detail"),
    path("reports/<int:pk>/file/", views.ReportFile.as_view(), name="api-report-file"),
    path("reports/<int:pk>/retry/", views.ReportRetry.as_view(), name="api-report-retry"),
]
