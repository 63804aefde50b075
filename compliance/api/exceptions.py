"""One shape for every API error: a JSON object.

DRF answers a ``ValidationError`` raised with a bare list of messages with a bare JSON
list; everything else is an object (``{"detail": ...}`` or ``{"field": [...]}``). Clients
and the OpenAPI schema get one shape: a list becomes ``{"non_field_errors": [...]}``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


def egide_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    from compliance.queue import QueueUnavailable, ServiceUnavailable

    if isinstance(exc, QueueUnavailable):  # the broker is down: 503 + Retry-After
        exc = ServiceUnavailable()
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response
