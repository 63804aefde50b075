"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver, path

from privacy import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("register/", views.register_list, name="register_list"),
    path("register/new/", views.processing_new, name="register_processing_new"),
    path("register/rules/", views.rules_page, name="register_rules"),
    path("register/import/", views.register_import, name="register_import"),
    path("register/import/<int:pk>/", views.register_import_detail, name="register_import_detail"),
    path(
        "register/import/<int:pk>/progress/",
        views.register_import_progress,
        name="register_import_progress",
    ),
    path("register/export/", views.register_export, name="register_export"),
    path("register/processors/", views.processor_list, name="register_processors"),
    path("register/processors/new/", views.processor_new, name="register_processor_new"),
    path("register/processors/<int:pk>/", views.processor_edit, name="register_processor_edit"),
    path(
        "register/processors/<int:pk>/delete/",
        views.processor_delete,
        name="register_processor_delete",
    ),
    path("register/<int:pk>/", views.processing_detail, name="register_processing"),
    path("register/<int:pk>/edit/", views.processing_edit, name="register_processing_edit"),
    path("register/<int:pk>/delete/", views.processing_delete, name="register_processing_delete"),
    path("register/<int:pk>/recipients/", views.recipient_add, name="register_recipient_add"),
    path(
        "register/<int:pk>/recipients/<int:recipient_pk>/remove/",
        views.recipient_remove,
        name="register_recipient_remove",
    ),
    path("register/<int:pk>/route/", views.route_edit, name="register_route"),
    path("register/<int:pk>/route/delete/", views.route_delete, name="register_route_delete"),
]
