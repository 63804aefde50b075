"""Reminder e-mails to action owners before their due dates (Celery beat, daily)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.models import ActionReminder, RemediationAction

logger = logging.getLogger(__name__)


def reminder_days() -> list[int]:
    return sorted({int(d) for d in getattr(settings, "AUDITS_REMINDER_DAYS", [7, 1])}, reverse=True)


def action_reminders_send(*, today: datetime.date | None = None) -> int:
    """Mail the owner of every open action due in exactly one of ``AUDITS_REMINDER_DAYS``
    days. The (action, day) row is claimed first, so a second run the same day, or two
    workers at once, send nothing more. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    due_dates = {today + datetime.timedelta(days=d): d for d in reminder_days()}
    actions = (
        RemediationAction.objects.still_open()
        .filter(due_date__in=list(due_dates), owner__isnull=False, owner__is_active=True)
        .select_related("owner", "finding", "organisation")
        .order_by("pk")
    )
    sent = 0
    for action in actions:
        assert action.owner is not None
        try:
            with transaction.atomic():
                ActionReminder.objects.create(
                    action=action,
                    sent_on=today,
                    days_before=due_dates[action.due_date],
                    recipient=action.owner.email,
                )
        except IntegrityError:
            continue  # already reminded today
        path = reverse(
            "audits:action_edit", kwargs={"org_slug": action.organisation.slug, "pk": action.pk}
        )
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Egide: “%(title)s” is due on %(date)s") % {
                "title": action.title[:80],
                "date": action.due_date.isoformat(),
            }
            body = _(
                "Hello,\n\nThe remediation action “%(title)s” (finding %(finding)s, "
                "%(organisation)s) is due on %(date)s.\n\n%(url)s\n"
            ) % {
                "title": action.title,
                "finding": action.finding.reference,
                "organisation": action.organisation.name,
                "date": action.due_date.isoformat(),
                "url": getattr(settings, "EGIDE_BASE_URL", "").rstrip("/") + path,
            }
        try:
            send_mail(subject, body, None, [action.owner.email])
        except Exception:
            # Free today's claim so that a retry later today can still send it.
            ActionReminder.objects.filter(action=action, sent_on=today).delete()
            logger.exception("reminder not sent", extra={"action_id": action.pk})
            continue
        sent += 1
    return sent
