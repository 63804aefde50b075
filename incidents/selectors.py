"""Reads for the incident pages, the API and the dashboard (fixed query counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from compliance.models import Organisation
from incidents.choices import DeadlineKind
from incidents.models import Incident, IncidentQuerySet, Notification


@dataclass(frozen=True)
class Clock:
    """A notification not sent yet, seen at ``now``: how long is left (negative when
    late). An immediate duty ("without undue delay") is simply owed now."""

    notification: Notification
    now: datetime

    @property
    def incident(self) -> Incident:
        return self.notification.incident

    @property
    def remaining_seconds(self) -> int:
        return int((self.notification.due_at - self.now).total_seconds())

    @property
    def immediate(self) -> bool:
        return self.notification.deadline_kind == DeadlineKind.WITHOUT_UNDUE_DELAY

    @property
    def overdue(self) -> bool:
        return not self.immediate and self.remaining_seconds < 0

    @property
    def elapsed_fraction(self) -> float:
        total = (self.notification.due_at - self.notification.starts_at).total_seconds()
        if total <= 0:
            return 1.0
        return min(max((self.now - self.notification.starts_at).total_seconds() / total, 0.0), 1.0)

    @property
    def remaining_text(self) -> str:
        """What the page shows before the script takes over (and without script)."""
        if self.immediate:
            return _("owed now (without undue delay)")
        if self.overdue:
            return _("overdue by %s") % duration_text(-self.remaining_seconds)
        return _("%s left") % duration_text(self.remaining_seconds)


def duration_text(seconds: int) -> str:
    minutes = max(seconds, 0) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h %(minutes)02d min") % {
            "days": days,
            "hours": hours,
            "minutes": minutes,
        }
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def clocks_of(notifications: list[Notification], now: datetime | None = None) -> list[Clock]:
    now = now or timezone.now()
    return [Clock(n, now) for n in notifications if n.sent_at is None]


def clock_labels() -> dict[str, str]:
    """The countdown's wording for ``incidents/_clock.html``, translated once per page."""
    return {
        "left": _("%s left"),
        "late": _("overdue by %s"),
        "units": ",".join(
            (pgettext("days", "d"), pgettext("hours", "h"), pgettext("minutes", "min"))
        ),
    }


def running_clocks(organisation: Organisation, now: datetime | None = None) -> list[Clock]:
    """Every notification the organisation still owes, soonest deadline first, with the
    incident it belongs to (one query): for the dashboard. Render them with
    ``{% include "incidents/_running_clocks.html" with clocks=... clock_labels=... %}``
    (``clock_labels()`` above) and ``static/js/incident-clocks.js``."""
    pending = (
        Notification.objects.filter(incident__organisation=organisation, sent_at__isnull=True)
        .select_related("incident")
        .order_by("due_at", "id")
    )
    return clocks_of(list(pending), now)


def incidents_with_notifications(incidents: IncidentQuerySet) -> IncidentQuerySet:
    """Incidents with their notifications, owner and campaign (two queries in all)."""
    return incidents.select_related("owner", "campaign", "organisation").prefetch_related(
        Prefetch("notifications", queryset=Notification.objects.order_by("due_at", "id"))
    )
