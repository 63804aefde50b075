"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from anonymity import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("anonymity/", views.assessment_list, name="anonymity_list"),
    path("anonymity/new/", views.assessment_new, name="anonymity_new"),
    path("anonymity/new/<str:token>/", views.assessment_roles, name="anonymity_roles"),
    path("anonymity/scan/", views.free_text_scan_page, name="anonymity_scan"),
    path("anonymity/<int:pk>/", views.assessment_detail, name="anonymity_detail"),
    path("anonymity/<int:pk>/progress/", views.assessment_progress_view, name="anonymity_progress"),
    path("anonymity/<int:pk>/evidence/", views.assessment_evidence, name="anonymity_evidence"),
]
