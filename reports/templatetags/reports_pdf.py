"""Template helpers of the PDF templates."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def pdf_static(path: str) -> str:
    """The URL of a static file as the PDF renderer resolves it (``{% static %}`` would
    give the hashed name of the production storage, which the finders do not know)."""
    return f"{settings.STATIC_URL}{path}"


@register.filter
def filesize(value: int | None) -> str:
    """Bytes in a short, language-neutral form (1.2 MB, 350 kB, 12 B)."""
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""
