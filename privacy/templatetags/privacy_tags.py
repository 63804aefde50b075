from __future__ import annotations

from django import template

from privacy.choices import Severity
from privacy.rules import references_label

register = template.Library()

_BADGE = {
    Severity.CRITICAL: "danger",
    Severity.HIGH: "danger",
    Severity.MEDIUM: "warning",
    Severity.LOW: "muted",
}


@register.filter
def severity_badge(severity: str | None) -> str:
    """The badge class of a severity code."""
    return _BADGE.get(Severity(severity), "") if severity else "ok"


@register.filter
def severity_label(severity: str | None) -> str:
    return str(Severity(severity).label) if severity else ""


@register.filter
def references(keys: str) -> str:
    """``gdpr:9.2 lil-art66:AUTH`` as the reader's language cites them."""
    return references_label(keys)
