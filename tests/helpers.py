"""Small helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import html
from typing import Any

from django.test import Client
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
