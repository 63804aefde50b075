"""Background work of the risk app: review reminders (Celery beat, daily)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from risks.services.reviews import risk_review_remind, risks_due_for_review


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def risk_review_reminders_task() -> dict[str, int]:
    """Remind each risk owner whose review date has come. Safe to run twice: each
    reminder claims its row before it is sent."""
    due = risks_due_for_review(timezone.localdate())
    sent = sum(1 for risk_id in due if risk_review_remind(risk_id=risk_id))
    return {"due": len(due), "sent": sent}
