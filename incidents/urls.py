"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from incidents import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/breaches/", views.breach_register, name="breach_register"),
    path(
        "incidents/breaches/export.<str:fmt>",
        views.breach_register_export,
        name="breach_register_export",
    ),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/qualify/", views.incident_qualify_view, name="incident_qualify"),
    path("incidents/<int:pk>/events/", views.incident_event_view, name="incident_event_add"),
    path("incidents/<int:pk>/close/", views.incident_close_view, name="incident_close"),
    path("incidents/<int:pk>/lessons/", views.incident_lessons_view, name="incident_lessons"),
    path("incidents/<int:pk>/campaign/", views.campaign_edit, name="incident_campaign"),
    path(
        "incidents/<int:pk>/campaign/letter/",
        views.campaign_letter,
        name="incident_campaign_letter",
    ),
    path(
        "incidents/<int:pk>/notifications/<int:nid>/sent/",
        views.notification_sent_view,
        name="notification_sent",
    ),
    path(
        "incidents/<int:pk>/notifications/<int:nid>/draft/",
        views.notification_draft,
        name="notification_draft",
    ),
    path(
        "incidents/<int:pk>/notifications/<int:nid>/draft/print/",
        views.notification_draft_print,
        name="notification_draft_print",
    ),
]
