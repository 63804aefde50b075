"""Template helpers of the risk pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from risks.models.method import Level

register = template.Library()


@register.simple_tag
def level_badge(level: Level | None) -> SafeString:
    """A level as a coloured score, its labels for screen readers and as a tooltip. A
    tag rather than an included template: the register shows three per row."""
    if level is None:
        return mark_safe('<span class="muted">—</span>')
    above = "" if level.acceptable else format_html(" — {}", _("above the acceptance threshold"))
    return format_html(
        '<span class="level {}" title="{}">{}'
        '<span class="visually-hidden"> ({} &times; {}){}</span></span>',
        level.css_class,
        _("likelihood %(l)s, impact %(i)s")
        % {"l": level.likelihood_label, "i": level.impact_label},
        level.score,
        level.likelihood_label,
        level.impact_label,
        above,
    )
