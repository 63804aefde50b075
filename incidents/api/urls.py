"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver, path

from incidents.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("incidents/", views.IncidentList.as_view(), name="api-incident-list"),
    path("incidents/<int:pk>/", views.IncidentDetail.as_view(), name="api-incident-detail"),
    path(
        "incidents/<int:incident_pk>/notifications/",
        views.NotificationList.as_view(),
        name="api-incident-notification-list",
    ),
    path(
        "incidents/<int:incident_pk>/notifications/<int:pk>/",
        views.NotificationDetail.as_view(),
        name="api-incident-notification-detail",
    ),
    path(
        "incidents/<int:incident_pk>/notifications/<int:pk>/mark-sent/",
        views.NotificationMarkSent.as_view(),
        name="api-incident-notification-mark-sent",
    ),
]
