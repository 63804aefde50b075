"""A Redis cache that answers "miss" instead of failing when Redis is down.

Egide keeps nothing in the cache that it cannot recompute: API throttling counters and
short-lived memoised values. When Redis stops, pages and API reads must go on (issue 10,
"Redis stopped"): every cache call that cannot reach Redis logs a warning and behaves as
if the key were absent, and Egide reconnects by itself when Redis returns (redis-py opens
a new connection on the next call). Queue actions are handled separately
(``compliance.queue.enqueue`` answers 503).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# After a failure, the cache is skipped for this long: each call would otherwise pay
# redis-py's connection retries (about a second) while Redis is down.
SKIP_SECONDS = 5.0
T = TypeVar("T")


class CacheUnavailable(Exception):
    pass


def _degrade(fallback: Callable[..., Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def decorator(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def wrapper(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> T:
            try:
                return self._guarded(method, *args, **kwargs)
            except CacheUnavailable:
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


def _default(key: str, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


class ResilientRedisCache(RedisCache):
    _skip_until = 0.0  # monotonic time; shared by the process's cache instances

    def _guarded(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if time.monotonic() < ResilientRedisCache._skip_until:
            raise CacheUnavailable
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            ResilientRedisCache._skip_until = time.monotonic() + SKIP_SECONDS
            logger.warning("cache unavailable, answering without it: %s", type(error).__name__)
            raise CacheUnavailable from error

    get = _degrade(_default)(RedisCache.get)
    set = _degrade(lambda *a, **k: None)(RedisCache.set)
    add = _degrade(lambda *a, **k: False)(RedisCache.add)
    touch = _degrade(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrade(lambda *a, **k: False)(RedisCache.delete)
    has_key = _degrade(lambda *a, **k: False)(RedisCache.has_key)
    get_many = _degrade(lambda *a, **k: {})(RedisCache.get_many)
    set_many = _degrade(lambda keys, *a, **k: list(keys))(RedisCache.set_many)
    delete_many = _degrade(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _degrade(lambda *a, **k: False)(RedisCache.clear)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        try:
            return self._guarded(RedisCache.incr, key, delta, version)
        except CacheUnavailable as error:
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from error
