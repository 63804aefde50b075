"""API endpoints of this app, mounted under /api/v1/ by compliance.api.urls."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
