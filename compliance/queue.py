"""Putting work on the Celery queue, with a clear answer when the queue is down.

With Redis stopped, a request that needs a worker (a PDF, an import) must not hang or
crash: ``enqueue`` tries the broker once, quickly, and raises ``QueueUnavailable``. The
API answers it with a 503 and ``Retry-After`` (``ServiceUnavailable``), HTML pages with
the 503 page (``QueueUnavailableMiddleware``); the API's exception handler turns the
exception itself into that 503 too. The reports app marks the job it could not publish
as failed with the reason (retry from the page or the API), and its beat task publishes
again any queued job whose message a Redis restart lost. When Redis returns, work
resumes without a restart.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.exceptions import APIException

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class QueueUnavailable(Exception):
    """The broker could not take the task."""


class ServiceUnavailable(APIException):
    status_code = 503
    default_detail = _(
        "The processing queue is unavailable for a moment. Nothing was lost: try again in a minute."
    )
    default_code = "queue_unavailable"
    wait = RETRY_AFTER_SECONDS  # DRF's exception handler turns it into Retry-After


def enqueue(task: Task, args: tuple[Any, ...] = (), **options: Any) -> None:
    """``task.apply_async(args, **options)`` with one quick attempt at the broker."""
    try:
        task.apply_async(args, retry=False, **options)
    except (BrokerError, RedisConnectionError, RedisTimeoutError, OSError) as error:
        logger.warning("queue unavailable for %s: %s", task.name, error.__class__.__name__)
        raise QueueUnavailable(task.name) from error


class QueueUnavailableMiddleware:
    """Turns ``QueueUnavailable`` escaping an HTML view into the 503 page."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, QueueUnavailable):
            return None
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
