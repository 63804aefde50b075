from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from compliance.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per minute for each API key (EGIDE_API_RATE, default 1200/min)."""

    scope = "api_key"

    def get_rate(self) -> str:
        return str(getattr(settings, "EGIDE_API_RATE", "1200/min"))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):  # a session user: no per-key limit
            return None
        # By the key's public prefix (random, unique), not its row id: a row id can be
        # reused (SQLite after a rollback) and would inherit another key's counter.
        return f"throttle_api_key_{api_key.prefix}"
