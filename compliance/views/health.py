"""GET /healthz: the database, Redis and the Celery workers, as JSON."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _timed(check: Any) -> dict[str, Any]:
    started = time.monotonic()
    try:
        detail = check()
    except Exception as error:
        return {
            "ok": False,
            "error": type(error).__name__,
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
    result = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _workers() -> dict[str, Any]:
    from compliance.celery import app

    replies = app.control.ping(timeout=0.5) or []
    return {"count": len(replies), "names": sorted(name for reply in replies for name in reply)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and Redis, when configured) answer; 503 otherwise. Workers
    are reported but do not fail the check: pages work without them."""
    checks: dict[str, Any] = {"database": _timed(_database)}
    if settings.REDIS_URL:
        checks["redis"] = _timed(_redis)
        checks["workers"] = (
            _timed(_workers) if checks["redis"]["ok"] else {"ok": False, "error": "redis down"}
        )
    else:
        checks["redis"] = {"ok": True, "mode": "not configured"}
        checks["workers"] = {"ok": True, "mode": "eager (tasks run in the web process)"}
    healthy = checks["database"]["ok"] and checks["redis"]["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
