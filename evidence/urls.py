"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from evidence import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence/new/", views.evidence_new, name="evidence_new"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/revisions/", views.revision_upload, name="evidence_revision_upload"),
    path("evidence/<int:pk>/link/", views.link_update, name="evidence_link_update"),
    path(
        "evidence/<int:pk>/requirements/",
        views.requirements_link,
        name="evidence_requirements_link",
    ),
    path(
        "evidence/<int:pk>/requirements/<int:requirement_pk>/remove/",
        views.requirement_unlink,
        name="evidence_requirement_unlink",
    ),
    path(
        "evidence/<int:pk>/revisions/<int:number>/download/",
        views.revision_download,
        name="evidence_revision_download",
    ),
]
