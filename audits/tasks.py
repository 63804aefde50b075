"""Background work of the audits app: thin tasks that call services."""

from __future__ import annotations

from celery import shared_task

from audits.services.reminders import action_reminders_send


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def send_action_reminders_task() -> int:
    """Daily (Celery beat): remind owners of actions due soon. Safe to run twice: each
    (action, day) reminder is claimed by a unique row before its e-mail goes out."""
    return action_reminders_send()
