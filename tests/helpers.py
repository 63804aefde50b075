"""Small helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import Client, override_settings
from django.utils import translation
from django.utils.functional import Promise

from compliance.models import User


def fr(message: str | Promise) -> str:
    """``message`` (a msgid or a lazy label) as a French-speaking user reads it."""
    with translation.override("fr"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def page_text(response: Any) -> str:
    """The page as the browser shows it: entities decoded, so that a message reads the
    same whether the template escaped it (form errors) or not ({% translate %})."""
    return html.unescape(response.content.decode())


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@contextmanager
def tasks_run_in_process() -> Iterator[None]:
    """Celery tasks run inside the caller, also when REDIS_URL is set (CI) and no worker
    listens. Celery reads its configuration from the settings once, so it is set on the
    app itself; ``override_settings`` alone works only when nothing has read it yet."""
    from compliance.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved
