"""Beat reminders: half-time, 2 hours before, when a deadline passes; never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.choices import Role
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from incidents.models import Incident
from incidents.reminders import reminders_send
from incidents.services import incident_qualify, notification_mark_sent
from incidents.tasks import incident_reminders_task
from tests.factories import MembershipFactory

from .conftest import make_incident

pytestmark = pytest.mark.django_db
AWARE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def breach(essential_org: Organisation, owner: User) -> Incident:
    # Only the 72 h CNIL clock: half-time at +36 h, 2 h before at +70 h, overdue at +72 h.
    with time_machine.travel(AWARE + timedelta(minutes=1), tick=False):
        return make_incident(essential_org, aware_at=AWARE, owner=owner, personal_data_breach=True)


def run_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return reminders_send()


def test_nothing_is_sent_before_half_time(breach: Incident) -> None:
    assert run_at(AWARE + timedelta(hours=35)) == 0
    assert mail.outbox == []


def test_half_time_reminds_the_owner_and_the_managers(
    breach: Incident, essential_org: Organisation
) -> None:
    contributor = MembershipFactory.create(organisation=essential_org, role=Role.CONTRIBUTOR)
    manager = MembershipFactory.create(organisation=essential_org, role=Role.MANAGER)
    assert run_at(AWARE + timedelta(hours=36, minutes=2)) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"owner@tilleuls.example", manager.user.email}
    assert contributor.user.email not in message.to
    assert "Notification RGPD à la CNIL" in message.subject
    assert "1 j 11 h 58 min" in message.subject  # time left


def test_two_hours_before_then_overdue_each_once(breach: Incident) -> None:
    run_at(AWARE + timedelta(hours=36, minutes=1))
    assert run_at(AWARE + timedelta(hours=70, minutes=1)) == 1
    assert "1 h 59 min" in mail.outbox[-1].subject
    assert run_at(AWARE + timedelta(hours=72, minutes=1)) == 1
    assert mail.outbox[-1].subject.startswith("Échéance dépassée")
    assert len(mail.outbox) == 3


def test_no_duplicates_when_beat_runs_again(breach: Incident) -> None:
    moment = AWARE + timedelta(hours=36, minutes=1)
    assert run_at(moment) == 1
    assert run_at(moment + timedelta(minutes=5)) == 0
    with time_machine.travel(moment + timedelta(minutes=10), tick=False):
        assert incident_reminders_task.apply().get() == 0
    assert len(mail.outbox) == 1


def test_after_an_outage_one_email_covers_the_missed_moments(breach: Incident) -> None:
    assert run_at(AWARE + timedelta(hours=80)) == 1
    assert mail.outbox[0].subject.startswith("Échéance dépassée")
    assert run_at(AWARE + timedelta(hours=81)) == 0


def test_a_sent_notification_is_not_reminded(breach: Incident) -> None:
    notification = breach.notifications.get()
    with time_machine.travel(AWARE + timedelta(hours=10), tick=False):
        notification_mark_sent(
            actor=SystemActor("tests"), notification=notification, reference="C1"
        )
    assert run_at(AWARE + timedelta(hours=73)) == 0


def test_a_moved_deadline_is_reminded_again(breach: Incident) -> None:
    run_at(AWARE + timedelta(hours=36, minutes=1))
    later = AWARE + timedelta(hours=10)
    with time_machine.travel(AWARE + timedelta(hours=37), tick=False):
        incident_qualify(actor=SystemActor("tests"), incident=breach, gdpr_aware_at=later)
    # new half-time: 10 h + 36 h
    assert run_at(later + timedelta(hours=36, minutes=1)) == 1
    assert len(mail.outbox) == 2


def test_an_immediate_duty_is_reminded_once(essential_org: Organisation, owner: User) -> None:
    with time_machine.travel(AWARE, tick=False):
        make_incident(essential_org, aware_at=AWARE, owner=owner, health_establishment_serious=True)
    assert run_at(AWARE + timedelta(minutes=5)) == 1
    assert mail.outbox[0].subject.startswith("À envoyer maintenant")
    assert run_at(AWARE + timedelta(minutes=10)) == 0


def test_the_reminders_are_scheduled_in_beat() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["incidents-reminders"]
    assert entry["task"] == "incidents.tasks.incident_reminders_task"
