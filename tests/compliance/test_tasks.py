"""The nightly audit-trail verification task (compliance/tasks.py), run in-process."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from compliance.models import AuditEvent, Organisation
from compliance.tasks import verify_audit_trail_task
from tests.factories import issue_api_key


@pytest.fixture
def events(org_a: Organisation) -> list[AuditEvent]:
    for name in ("one", "two", "three"):
        issue_api_key(org_a, name=name)
    return list(AuditEvent.objects.filter(organisation=org_a).order_by("sequence"))


def test_reports_an_intact_trail(events: list[AuditEvent]) -> None:
    result = verify_audit_trail_task.apply().get()

    assert result == {"chains": 1, "events": 3, "broken": []}


def test_logs_an_error_naming_the_first_broken_event(
    events: list[AuditEvent], caplog: pytest.LogCaptureFixture
) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE compliance_auditevent "
                "DISABLE TRIGGER compliance_auditevent_no_update_delete"
            )
        cursor.execute("DELETE FROM compliance_auditevent WHERE id = %s", [events[1].pk])

    with caplog.at_level(logging.ERROR, logger="compliance.tasks"):
        result = verify_audit_trail_task.apply().get()

    assert result["broken"] == [events[0].chain_key]
    [record] = [r for r in caplog.records if r.name == "compliance.tasks"]
    assert record.levelno == logging.ERROR
    assert record.event_id == events[2].pk  # type: ignore[attr-defined]
    assert record.sequence == 3  # type: ignore[attr-defined]


def test_checks_one_organisation_when_asked(
    events: list[AuditEvent], org_a: Organisation, org_b: Organisation
) -> None:
    issue_api_key(org_b)

    result = verify_audit_trail_task.apply(kwargs={"organisation_id": org_b.pk}).get()

    assert result == {"chains": 1, "events": 1, "broken": []}
