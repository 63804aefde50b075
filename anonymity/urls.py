"""HTML pages of this app, mounted under /o/<org_slug>/ by compliance.urls."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
