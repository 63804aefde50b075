"""Notification drafts as documents: printable HTML always, PDF through the reports
machinery (``reports.registry``) when it is installed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from incidents.drafts import draft_lines
from incidents.models import Notification

DOCUMENT_KIND = "incident_notification"


def draft_context(notification: Notification, language: str) -> dict[str, Any]:
    incident = notification.incident
    return {
        "notification": notification,
        "incident": incident,
        "organisation": incident.organisation,
        "lines": draft_lines(notification, language),
        "language": language,
    }


def render_draft_html(
    request: HttpRequest, notification: Notification, language: str
) -> HttpResponse:
    """The draft as a standalone page for the browser's "print to PDF"."""
    with translation.override(language):
        return render(request, "incidents/draft_print.html", draft_context(notification, language))


def pdf_available() -> bool:
    """True once the reports app offers our document kind."""
    try:
        from reports.registry import get_document
    except ImportError:
        return False
    return get_document(DOCUMENT_KIND) is not None
