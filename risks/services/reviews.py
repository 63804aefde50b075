"""Periodic review of risks (ISO/IEC 27001:2022 8.2: assessments at planned intervals)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from compliance.services.audit_trail import SystemActor, audit_event_record
from risks.models import Risk

logger = logging.getLogger(__name__)
REMINDER_ACTOR = SystemActor("risk-review-reminders")


def risks_due_for_review(today: datetime.date) -> list[int]:
    """Risks whose review date has come and whose owner was not yet reminded of it."""
    return list(
        Risk.objects.filter(review_date__lte=today, owner__isnull=False, owner__is_active=True)
        .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_date")))
        .values_list("pk", flat=True)
    )


def risk_review_remind(*, risk_id: int) -> bool:
    """Send one reminder to the risk owner for the risk's current review date. Claims the
    row with a conditional update first, so two workers (or a retried task) never send
    the same reminder twice."""
    with transaction.atomic():
        risk = (
            Risk.objects.select_related("owner", "organisation")
            .filter(pk=risk_id, review_date__isnull=False, owner__isnull=False)
            .first()
        )
        if risk is None or risk.review_date is None or risk.owner is None:
            return False
        claimed = (
            Risk.objects.filter(pk=risk_id)
            .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_date")))
            .update(review_reminded_for=F("review_date"))
        )
        if not claimed:
            return False
        audit_event_record(
            actor=REMINDER_ACTOR,
            organisation=risk.organisation,
            action="risks.review_reminded",
            target=risk,
            changes={"review_date": risk.review_date.isoformat(), "owner": risk.owner.email},
        )
        owner = risk.owner
        url = reverse("risk_detail", args=[risk.organisation.slug, risk.pk])
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Risk review due: %(ref)s") % {"ref": risk.reference}
            body = _(
                "The risk %(ref)s “%(title)s” of %(org)s is due for review on %(date)s.\n"
                "Review its levels and treatment: %(url)s"
            ) % {
                "ref": risk.reference,
                "title": risk.title,
                "org": risk.organisation.name,
                "date": risk.review_date.isoformat(),
                "url": url,
            }
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
        )
    return True
