"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/request/", views.report_request_view, name="report_request"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("reports/<int:pk>/bundle/", views.report_bundle, name="report_bundle"),
    path("reports/<int:pk>/retry/", views.report_retry_view, name="report_retry"),
]
