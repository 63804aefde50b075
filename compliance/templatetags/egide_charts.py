"""Small server-rendered SVG charts: readable, printable, no JavaScript, no CDN.

Each chart carries ``role="img"`` and a text alternative in ``aria-label``; pages put the
same figures in a table or a list next to it, so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 160, 36, 3


@register.simple_tag
def sparkline(points: Sequence[tuple[str, int | None]], label: str) -> SafeString:
    """A 0-100 % trend line; ``points`` are (day label, percent or None), oldest first."""
    values = [(day, value) for day, value in points if value is not None]
    if not values:
        return format_html('<span class="muted">{}</span>', _("no history yet"))
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / max(len(values) - 1, 1)
    coords = [
        (SPARK_PAD + i * step, SPARK_PAD + inner_h * (1 - value / 100))
        for i, (_day, value) in enumerate(values)
    ]
    first_day, first_value = values[0]
    last_day, last_value = values[-1]
    alternative = _("%(label)s: %(first)s %% on %(first_day)s, %(last)s %% on %(last_day)s") % {
        "label": label,
        "first": first_value,
        "first_day": first_day,
        "last": last_value,
        "last_day": last_day,
    }
    polyline = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{alt}"><title>{alt}</title>'
        '<line x1="0" y1="{base}" x2="{w}" y2="{base}" class="axis"/>'
        '<polyline points="{points}" fill="none"/>'
        '<circle cx="{cx}" cy="{cy}" r="2.5"/></svg>',
        w=SPARK_WIDTH,
        h=SPARK_HEIGHT,
        base=SPARK_HEIGHT - SPARK_PAD,
        alt=alternative,
        points=polyline,
        cx=f"{last_x:.1f}",
        cy=f"{last_y:.1f}",
    )


@register.simple_tag
def stacked_bar(segments: Sequence[tuple[str, int, str]], label: str) -> SafeString:
    """One horizontal bar split into (label, count, css class) segments, e.g. the SoA
    controls of a theme by status."""
    total = sum(count for _label, count, _css in segments)
    if not total:
        return format_html('<span class="muted">{}</span>', _("nothing to show"))
    alternative = (
        label + ": " + ", ".join(f"{name} {count}" for name, count, _css in segments if count)
    )
    x = 0.0
    rects = []
    for name, count, css in segments:
        if not count:
            continue
        width = 100 * count / total
        rects.append((css, f"{x:.2f}", f"{width:.2f}", f"{name}: {count}"))
        x += width
    body = format_html_join(
        "",
        '<rect class="{}" x="{}%" y="0" width="{}%" height="14"><title>{}</title></rect>',
        rects,
    )
    return format_html(
        '<svg class="stacked-bar" width="100%" height="14" role="img" aria-label="{}">{}</svg>',
        alternative,
        body,
    )
