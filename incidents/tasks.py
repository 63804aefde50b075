"""Background work of the incidents app (Celery beat runs it every few minutes)."""

from __future__ import annotations

from celery import shared_task

from incidents.reminders import reminders_send


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def incident_reminders_task() -> int:
    """E-mail the reminders that have come due. Safe to run twice: each reminder is
    claimed by a unique row before its e-mail goes out."""
    return reminders_send()
