"""Reminders before and after each notification deadline, e-mailed to the incident's
owner and the organisation's managers (run every few minutes by Celery beat).

By default: when half of the time has elapsed, 2 hours before the deadline, and when it
passes (``EGIDE_INCIDENT_REMINDER_FRACTIONS``, ``EGIDE_INCIDENT_REMINDER_HOURS_BEFORE``).
A duty "without undue delay" is owed at once: one reminder says so. ``ReminderSent``
remembers what went out, per deadline, so no reminder is sent twice, even by two runs
at the same time; if the deadline moves (requalification), the new one is reminded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.choices import Role
from compliance.models import Membership
from incidents.choices import DeadlineKind, ReminderKind
from incidents.models import Notification, ReminderSent
from incidents.selectors import duration_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    kind: str
    threshold: str
    at: datetime


def _schedule(notification: Notification) -> list[Due]:
    """Every reminder moment of one notification, in time order."""
    if notification.deadline_kind == DeadlineKind.WITHOUT_UNDUE_DELAY:
        return [Due(ReminderKind.OVERDUE, "", notification.due_at)]
    span = notification.due_at - notification.starts_at
    moments = [
        Due(ReminderKind.FRACTION, str(f), notification.starts_at + span * float(f))
        for f in settings.EGIDE_INCIDENT_REMINDER_FRACTIONS
    ]
    moments += [
        Due(ReminderKind.BEFORE, str(h), notification.due_at - timedelta(hours=float(h)))
        for h in settings.EGIDE_INCIDENT_REMINDER_HOURS_BEFORE
        if timedelta(hours=float(h)) < span
    ]
    moments.append(Due(ReminderKind.OVERDUE, "", notification.due_at))
    return sorted(moments, key=lambda due: due.at)


def _message(notification: Notification, due: Due, now: datetime) -> tuple[str, str]:
    incident = notification.incident
    regime = notification.get_regime_display()
    when = timezone.localtime(notification.due_at).strftime("%d/%m/%Y %H:%M %Z")
    if notification.deadline_kind == DeadlineKind.WITHOUT_UNDUE_DELAY:
        subject = _("To send now: %(regime)s (%(incident)s)")
        line = _("This notification is owed without undue delay (%(article)s).")
    elif due.kind == ReminderKind.OVERDUE:
        subject = _("Deadline passed: %(regime)s (%(incident)s)")
        line = _(
            "The deadline was %(when)s (%(article)s). "
            "Send it now; record the reasons for the delay."
        )
    else:
        subject = _("%(left)s left: %(regime)s (%(incident)s)")
        line = _("Due by %(when)s (%(article)s).")
    values = {
        "regime": regime,
        "incident": incident.title,
        "article": notification.article,
        "when": when,
        "left": duration_text(int((notification.due_at - now).total_seconds())),
    }
    body = "\n\n".join(
        [
            line % values,
            _("Recipient: %s") % notification.recipient,
            _("Open the incident in Egide to prepare the draft and record the sending."),
        ]
    )
    return (subject % values)[:200], body


def reminders_send(now: datetime | None = None) -> int:
    """Send every reminder that has come due and was not sent yet; returns how many
    e-mails went out."""
    now = now or timezone.now()
    pending = list(
        Notification.objects.filter(sent_at__isnull=True, incident__organisation__is_active=True)
        .select_related("incident__owner", "incident__organisation")
        .order_by("due_at")
    )
    if not pending:
        return 0
    managers: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in={n.incident.organisation_id for n in pending},
        role=Role.MANAGER,
        user__is_active=True,
    ).select_related("user"):
        managers.setdefault(membership.organisation_id, []).append(membership.user.email)

    # What was already sent, in one query: a beat run where nothing new came due costs
    # two queries, however many clocks run.
    done = set(
        ReminderSent.objects.filter(notification__sent_at__isnull=True).values_list(
            "notification_id", "kind", "threshold", "due_at"
        )
    )
    sent = 0
    for notification in pending:
        come_due = [
            due
            for due in _schedule(notification)
            if due.at <= now
            and (notification.pk, due.kind, due.threshold, notification.due_at) not in done
        ]
        if not come_due:
            continue
        claimed: list[Due] = []
        for due in come_due:
            try:
                with transaction.atomic():
                    _, created = ReminderSent.objects.get_or_create(
                        notification=notification,
                        kind=due.kind,
                        threshold=due.threshold,
                        due_at=notification.due_at,
                    )
            except IntegrityError:  # another run claimed it at the same moment
                created = False
            if created:
                claimed.append(due)
        if not claimed:
            continue
        # Several moments passed at once (beat was down): one e-mail, about the latest.
        incident = notification.incident
        recipients = set(managers.get(incident.organisation_id, []))
        if incident.owner and incident.owner.is_active:
            recipients.add(incident.owner.email)
        if not recipients:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(notification, claimed[-1], now)
        send_mail(subject, body, None, sorted(recipients))
        sent += 1
        logger.info(
            "incident reminder sent",
            extra={"notification": notification.pk, "kind": claimed[-1].kind},
        )
    return sent
