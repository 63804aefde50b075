from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per minute for each API key (EGIDE_API_RATE, default 1200/min)."""

    scope = "api_key"

    def get_rate(self) -> str:
        return str(getattr(settings, "EGIDE_API_RATE", "1200/min"))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        api_key = request.auth
        if api_key is None:
            return None
        return self.cache_key_of(api_key.pk)

    @staticmethod
    def cache_key_of(api_key_id: int) -> str:
        """The cache key of one API key's request counter."""
        return f"throttle_api_key_{api_key_id}"
