"""Error pages that speak the client's language: JSON under /api/, HTML elsewhere.

An API client that mistypes a path (``/api/v1/evidence/0.5/``), sends more form fields
than allowed (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) or meets a server error gets a JSON
answer like any other API error, not the site's HTML page: the OpenAPI schema promises
JSON.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")}, status=403
        )
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


DATABASE_RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the database went away (a restart, a failover):
    Django calls this inside its exception handling, so the exception is at hand; the
    next request reconnects by itself (``CONN_HEALTH_CHECKS``)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        message = _("The database is unavailable for a moment. Nothing was saved: try again.")
        response: HttpResponse
        if _api(request):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Egide'
                f"</title></head><body><h1>{message}</h1></body></html>",
                status=503,
            )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    if _api(request):
        return JsonResponse(
            {"detail": _("Server error: nothing was saved for this request. Try again.")},
            status=500,
        )
    return defaults.server_error(request)
