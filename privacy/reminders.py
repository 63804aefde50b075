"""Warnings before an Article 66 authorisation (loi n° 78-17 art. 66-III) or an HDS
certificate (CSP art. L.1111-8) expires: 90, 30 and 7 days before, by e-mail to the
members who keep the register. Each (object, expiry date, threshold) is sent once: the
``ExpiryReminder`` row is the proof, and its unique constraint stops a second worker."""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.models import Membership, Organisation
from compliance.permissions import Permission, role_has_permission
from compliance.services.audit_trail import SystemActor, audit_event_record
from privacy.choices import RouteKind
from privacy.models import Article66Route, ExpiryReminder, Processor

logger = logging.getLogger(__name__)

THRESHOLDS = (90, 30, 7)
ACTOR = SystemActor("privacy.expiry_reminders")


@dataclass(frozen=True)
class Expiring:
    organisation: Organisation
    object_type: str
    object_id: int
    expires_on: datetime.date
    what: str
    path: str


def threshold_for(days_left: int) -> int | None:
    """The most urgent threshold reached: 25 days left → the 30-day warning."""
    reached = [t for t in THRESHOLDS if days_left <= t]
    return min(reached) if reached and days_left >= 0 else None


def _expiring(today: datetime.date) -> list[Expiring]:
    horizon = today + datetime.timedelta(days=max(THRESHOLDS))
    items = []
    for route in Article66Route.objects.filter(
        kind=RouteKind.AUTHORISATION,
        expires_on__gte=today,
        expires_on__lte=horizon,
        processing__organisation__is_active=True,
    ).select_related("processing__organisation"):
        assert route.expires_on is not None
        organisation = route.processing.organisation
        items.append(
            Expiring(
                organisation,
                "route",
                route.pk,
                route.expires_on,
                _("CNIL authorisation %(number)s for “%(processing)s”")
                % {"number": route.decision_number, "processing": route.processing},
                reverse("register_processing", args=[organisation.slug, route.processing_id]),
            )
        )
    for processor in (
        Processor.objects.filter(
            hds_certificate_expires_on__gte=today,
            hds_certificate_expires_on__lte=horizon,
            organisation__is_active=True,
        )
        .exclude(hds_certificate_number="")
        .select_related("organisation")
    ):
        assert processor.hds_certificate_expires_on is not None
        items.append(
            Expiring(
                processor.organisation,
                "processor",
                processor.pk,
                processor.hds_certificate_expires_on,
                _("HDS certificate %(number)s of %(processor)s")
                % {"number": processor.hds_certificate_number, "processor": processor.name},
                reverse("register_processors", args=[processor.organisation.slug]),
            )
        )
    return items


def _recipients(organisation: Organisation) -> list[str]:
    return sorted(
        m.user.email
        for m in Membership.objects.filter(
            organisation=organisation, user__is_active=True
        ).select_related("user")
        if role_has_permission(m.role, Permission.EDIT_REGISTER)
    )


def expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send the warnings due today; returns how many were sent. Safe to run twice."""
    today = today or timezone.localdate()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for item in _expiring(today):
            days_left = (item.expires_on - today).days
            threshold = threshold_for(days_left)
            if threshold is None:
                continue
            recipients = _recipients(item.organisation)
            if not recipients:
                continue
            subject = _("[Egide] Expires in %(days)s days: %(what)s") % {
                "days": days_left,
                "what": item.what,
            }
            body = _(
                "%(what)s expires on %(date)s (in %(days)s days).\n\n"
                "Renew it in time, or record the new one in the processing register:\n"
                "%(path)s\n"
            ) % {
                "what": item.what,
                "date": item.expires_on.isoformat(),
                "days": days_left,
                "path": item.path,
            }
            try:
                with transaction.atomic():
                    reminder = ExpiryReminder.objects.create(
                        organisation=item.organisation,
                        object_type=item.object_type,
                        object_id=item.object_id,
                        expires_on=item.expires_on,
                        threshold_days=threshold,
                        recipients=recipients,
                    )
                    audit_event_record(
                        actor=ACTOR,
                        organisation=item.organisation,
                        action="privacy.expiry_reminder",
                        target=reminder,
                        changes={
                            "object": f"{item.object_type}:{item.object_id}",
                            "expires_on": item.expires_on,
                            "threshold_days": threshold,
                            "recipients": recipients,
                        },
                    )
                    transaction.on_commit(
                        functools.partial(send_mail, subject, body, None, recipients)
                    )
            except IntegrityError:
                continue  # already sent (by this task earlier, or by a concurrent worker)
            sent += 1
    return sent
