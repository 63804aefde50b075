"""Reminder e-mails before due dates: sent on the configured days, once per action and day."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings

from audits.choices import ActionStatus
from audits.models import ActionReminder, RemediationAction
from audits.services import action_reminders_send, finding_create
from audits.tasks import send_action_reminders_task

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def finding(org_a, owner):
    return finding_create(actor=owner, organisation=org_a, title="x", severity="minor")


def make(finding, owner, days, status=ActionStatus.OPEN):
    return RemediationAction.objects.create(
        organisation=finding.organisation,
        finding=finding,
        title=f"Action J-{days}",
        owner=owner,
        priority="medium",
        due_date=TODAY + datetime.timedelta(days=days),
        status=status,
    )


@override_settings(AUDITS_REMINDER_DAYS=[7, 1])
def test_owners_are_reminded_on_the_configured_days_only(finding, owner):
    make(finding, owner, 7)
    make(finding, owner, 1)
    make(finding, owner, 3)
    make(finding, owner, 7, status=ActionStatus.DONE)
    assert action_reminders_send(today=TODAY) == 2
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [m.subject for m in mail.outbox if "Action J-7" in m.subject or "Action J-1" in m.subject]
    )
    assert {m.to[0] for m in mail.outbox} == {owner.email}
    assert all(finding.organisation.name in m.body for m in mail.outbox)


@override_settings(AUDITS_REMINDER_DAYS=[7])
def test_a_second_run_the_same_day_sends_nothing_more(finding, owner):
    make(finding, owner, 7)
    assert action_reminders_send(today=TODAY) == 1
    assert action_reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert ActionReminder.objects.count() == 1


@override_settings(AUDITS_REMINDER_DAYS=[7, 1])
def test_the_next_reminder_day_sends_again(finding, owner):
    action = make(finding, owner, 7)
    action_reminders_send(today=TODAY)
    action_reminders_send(today=action.due_date - datetime.timedelta(days=1))
    assert len(mail.outbox) == 2


@override_settings(AUDITS_REMINDER_DAYS=[0])
def test_actions_without_owner_are_skipped_and_the_task_runs(finding, owner):
    RemediationAction.objects.create(
        organisation=finding.organisation,
        finding=finding,
        title="orpheline",
        priority="low",
        due_date=datetime.date.today(),
    )
    # .apply() runs the task here: in CI a broker is configured but no worker listens.
    assert send_action_reminders_task.apply().get() == 0


@override_settings(
    AUDITS_REMINDER_DAYS=[7], EMAIL_BACKEND="tests.audits.test_reminders.BrokenBackend"
)
def test_a_failed_send_can_be_retried_the_same_day(finding, owner):
    make(finding, owner, 7)
    assert action_reminders_send(today=TODAY) == 0
    assert not ActionReminder.objects.exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")
