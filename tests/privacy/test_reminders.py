"""Warnings 90, 30 and 7 days before an authorisation or an HDS certificate expires."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from compliance.choices import Role
from compliance.models import Organisation
from privacy import services
from privacy.models import ExpiryReminder, ProcessingActivity, Processor
from privacy.reminders import expiry_reminders_send, threshold_for
from privacy.tasks import privacy_daily_task
from tests.factories import MembershipFactory
from tests.privacy.conftest import ACTOR

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def authorisation(make_processing: Callable[..., ProcessingActivity]) -> ProcessingActivity:
    processing = make_processing(name="Cohorte", uses=["research"])
    services.route_set(
        actor=ACTOR,
        processing=processing,
        kind="authorisation",
        decision_number="DR-2024-7",
        decision_date=datetime.date(2024, 1, 1),
        scope="Cohorte",
        expires_on=TODAY + datetime.timedelta(days=90),
    )
    return processing


@pytest.fixture
def keepers(org_a: Organisation) -> list[str]:
    MembershipFactory.create(organisation=org_a, role=Role.VIEWER, user__email="viewer@t.example")
    return [
        MembershipFactory.create(organisation=org_a, role=role, user__email=email).user.email
        for role, email in (
            (Role.MANAGER, "manager@t.example"),
            (Role.CONTRIBUTOR, "dpo@t.example"),
        )
    ]


@pytest.mark.parametrize(
    ("days", "threshold"),
    [(91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_thresholds(days: int, threshold: int | None) -> None:
    assert threshold_for(days) == threshold


def test_warnings_at_90_30_and_7_days_once_each(
    authorisation: ProcessingActivity, keepers: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    sent = []
    for offset in range(0, 95):
        day = TODAY + datetime.timedelta(days=offset)
        with django_capture_on_commit_callbacks(execute=True):
            if expiry_reminders_send(today=day):
                sent.append(offset)
            expiry_reminders_send(today=day)  # a second run the same day sends nothing
    assert sent == [0, 60, 83]  # 90, 30 and 7 days before
    assert len(mail.outbox) == 3
    assert sorted(mail.outbox[0].to) == sorted(keepers)  # managers and DPO, not the viewer
    assert "DR-2024-7" in mail.outbox[0].subject and "90" in mail.outbox[0].subject
    assert "expire" in mail.outbox[0].body  # French by default


def test_a_renewed_expiry_is_warned_again(
    authorisation: ProcessingActivity, keepers: list[str]
) -> None:
    expiry_reminders_send(today=TODAY)
    services.route_set(
        actor=ACTOR, processing=authorisation, expires_on=TODAY + datetime.timedelta(days=100)
    )
    assert expiry_reminders_send(today=TODAY + datetime.timedelta(days=10)) == 1
    assert ExpiryReminder.objects.count() == 2


def test_hds_certificates_are_warned_too(
    make_processor: Callable[..., Processor],
    keepers: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_processor(
        name="Cloud HDS",
        hds_certificate_number="HDS-77",
        hds_certificate_expires_on=TODAY + datetime.timedelta(days=7),
    )
    make_processor(name="Sans certificat")
    with django_capture_on_commit_callbacks(execute=True):
        assert expiry_reminders_send(today=TODAY) == 1
    assert "HDS-77" in mail.outbox[0].subject and "7" in mail.outbox[0].subject


def test_the_daily_task_recomputes_then_warns(
    authorisation: ProcessingActivity, keepers: list[str]
) -> None:
    result = privacy_daily_task.apply().get()  # in-process: CI has a broker, no worker
    assert result["processings"] == 1
