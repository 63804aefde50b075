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


def _notification_in(organisation: Any, notification_id: Any) -> Notification | None:
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        return None
    return (
        Notification.objects.filter(incident__organisation=organisation, pk=pk)
        .select_related("incident__organisation")
        .first()
    )


def clean_notification(organisation: Any, parameters: dict[str, Any]) -> dict[str, Any]:
    """Only a notification of the requesting organisation (another one's is refused
    exactly like a missing one)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    notification = _notification_in(organisation, parameters.get("notification"))
    if notification is None:
        raise ValidationError(_("No such notification in this organisation."))
    return {"notification": notification.pk}


def draft_sha256(notification: Notification) -> str:
    import hashlib
    import json

    content = {
        "regime": notification.regime,
        "due_at": notification.due_at.isoformat(),
        "sent_at": notification.sent_at.isoformat() if notification.sent_at else None,
        "lines": {line.code: line.value for line in draft_lines(notification, "fr")},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def build_notification(request: Any) -> Any:
    """The draft of one notification as a PDF (reports machinery; read-only)."""
    from reports.registry import Built

    notification = _notification_in(request.organisation, request.parameters.get("notification"))
    if notification is None:
        raise ValueError("notification not found")
    return Built(
        title=notification.get_regime_display(),
        subtitle=notification.article,
        template="incidents/pdf/notification.html",
        context=draft_context(notification, request.language),
        manifest_items=[
            {
                "type": DOCUMENT_KIND,
                "id": notification.pk,
                "regime": notification.regime,
                "sha256": draft_sha256(notification),
            }
        ],
    )


def check_notification(organisation: Any, item: dict[str, Any]) -> str | None:
    from django.utils.translation import gettext as _

    notification = _notification_in(organisation, item.get("id"))
    if notification is None:
        return _("The notification no longer exists.")
    if draft_sha256(notification) != item.get("sha256"):
        return _("The notification's draft has changed since the document was made.")
    return None


def register_documents() -> None:
    """Offer the notification drafts as PDF documents when the reports app is there."""
    try:
        from reports.registry import register_document, register_manifest_check
    except ImportError:  # printable HTML stays available
        return
    from django.utils.translation import gettext_lazy as _

    register_document(
        DOCUMENT_KIND,
        label=_("Incident notification (draft)"),
        build=build_notification,
        clean=clean_notification,
    )
    register_manifest_check(DOCUMENT_KIND, check_notification)
