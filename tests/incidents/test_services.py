"""Recomputation when the qualification changes, and deadlines around DST and month ends
with frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.models import AuditEvent, Organisation
from compliance.services.audit_trail import SystemActor, audit_trail_verify
from incidents.models import Incident, IncidentEvent
from incidents.selectors import running_clocks
from incidents.services import incident_close, incident_qualify, notification_mark_sent

from .conftest import make_incident

pytestmark = pytest.mark.django_db
ACTOR = SystemActor("tests")


def regimes(incident: Incident) -> dict[str, datetime]:
    return {n.regime: n.due_at for n in incident.notifications.all()}


class TestRecompute:
    def test_a_sent_notification_is_kept_when_no_longer_owed(
        self, essential_org: Organisation
    ) -> None:
        incident = make_incident(
            essential_org,
            aware_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            personal_data_breach=True,
            high_risk=True,
            health_establishment_serious=True,
        )
        ars = incident.notifications.get(regime="health_ars")
        notification_mark_sent(actor=ACTOR, notification=ars, reference="ARS-1")
        incident_qualify(
            actor=ACTOR, incident=incident, health_establishment_serious=False, high_risk=False
        )
        assert set(regimes(incident)) == {"gdpr_authority", "health_ars"}  # ARS kept: sent
        assert not incident.notifications.filter(regime="gdpr_data_subjects").exists()

    def test_the_change_is_in_the_audit_trail_and_the_timeline(
        self, essential_org: Organisation
    ) -> None:
        incident = make_incident(essential_org, personal_data_breach=True)
        incident_qualify(actor=ACTOR, incident=incident, nis2_significant=True)
        event = AuditEvent.objects.get(action="incidents.qualify")
        assert event.changes["nis2_significant"] == [False, True]
        assert set(event.changes["notifications"]["added"]) == {
            "nis2_early_warning",
            "nis2_notification",
            "nis2_progress_report",
        }
        assert IncidentEvent.objects.filter(incident=incident, kind="qualified").exists()
        assert all(report.intact for report in audit_trail_verify(organisation=essential_org))

    def test_moving_awareness_moves_unsent_deadlines(self, essential_org: Organisation) -> None:
        aware = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        incident = make_incident(essential_org, aware_at=aware, personal_data_breach=True)
        incident_qualify(actor=ACTOR, incident=incident, gdpr_aware_at=aware + timedelta(hours=6))
        assert regimes(incident)["gdpr_authority"] == aware + timedelta(hours=78)

    def test_sending_the_nis2_notification_moves_the_one_month_report(
        self, essential_org: Organisation
    ) -> None:
        aware = datetime(2026, 1, 30, 9, 0, tzinfo=UTC)
        incident = make_incident(essential_org, aware_at=aware, nis2_significant=True)
        assert regimes(incident)["nis2_progress_report"] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        notification = incident.notifications.get(regime="nis2_notification")
        with time_machine.travel(datetime(2026, 1, 31, 9, 0, tzinfo=UTC), tick=False):
            notification_mark_sent(actor=ACTOR, notification=notification)
        # sent 31 January 10:00 Paris: due on the last day of February, not 3 March
        assert regimes(incident)["nis2_progress_report"] == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)

    def test_closing_an_ongoing_incident_turns_the_progress_report_into_the_final_one(
        self, essential_org: Organisation
    ) -> None:
        incident = make_incident(essential_org, nis2_significant=True)
        incident_close(actor=ACTOR, incident=incident)
        assert "nis2_final_report" in regimes(incident)
        assert "nis2_progress_report" not in regimes(incident)

    def test_a_bad_qualification_is_refused_and_changes_nothing(
        self, essential_org: Organisation
    ) -> None:
        incident = make_incident(essential_org, personal_data_breach=True)
        with pytest.raises(ValidationError):
            incident_qualify(actor=ACTOR, incident=incident, art34_exception="unintelligible")
        incident.refresh_from_db()
        assert incident.art34_exception == ""
        assert not AuditEvent.objects.filter(action="incidents.qualify").exists()

    def test_awareness_in_the_future_is_refused(self, essential_org: Organisation) -> None:
        incident = make_incident(essential_org, personal_data_breach=True)
        with pytest.raises(ValidationError):
            incident_qualify(
                actor=ACTOR, incident=incident, aware_at=datetime(2099, 1, 1, tzinfo=UTC)
            )


class TestFrozenTime:
    def test_the_spring_dst_night_does_not_shorten_72_hours(
        self, essential_org: Organisation
    ) -> None:
        # Saturday 28 March 2026, 12:00 Paris (CET); clocks go forward on Sunday 29.
        aware = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
        with time_machine.travel(aware + timedelta(hours=1), tick=False):
            incident = make_incident(essential_org, aware_at=aware, personal_data_breach=True)
            clock = running_clocks(essential_org)[0]
            assert clock.remaining_seconds == 71 * 3600
        due = regimes(incident)["gdpr_authority"]
        assert due == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)  # 13:00 CEST on the wall

    def test_the_page_shows_the_deadline_in_paris_time(
        self, essential_org: Organisation, owner_client: object
    ) -> None:
        from django.test import Client

        aware = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
        with time_machine.travel(aware + timedelta(hours=1), tick=True):
            incident = make_incident(essential_org, aware_at=aware, personal_data_breach=True)
            assert isinstance(owner_client, Client)
            text = owner_client.get(
                f"/o/{essential_org.slug}/incidents/{incident.pk}/"
            ).content.decode()
        assert "31 mars 2026 13:00 CEST" in text
        assert 'data-due="2026-03-31T13:00:00+02:00"' in text

    def test_aware_on_31_january_the_clocks_run_into_february(
        self, essential_org: Organisation
    ) -> None:
        aware = datetime(2026, 1, 31, 22, 30, tzinfo=UTC)  # 23:30 in Paris
        with time_machine.travel(aware + timedelta(minutes=5), tick=False):
            incident = make_incident(essential_org, aware_at=aware, nis2_significant=True)
        owed = regimes(incident)
        assert owed["nis2_early_warning"] == datetime(2026, 2, 1, 22, 30, tzinfo=UTC)
        assert owed["nis2_notification"] == datetime(2026, 2, 3, 22, 30, tzinfo=UTC)
        # 3 February 23:30 Paris + one month = 3 March 23:30 Paris
        assert owed["nis2_progress_report"] == datetime(2026, 3, 3, 22, 30, tzinfo=UTC)


def test_running_clocks_lists_what_is_owed_soonest_first(
    essential_org: Organisation, org_b: Organisation, django_assert_num_queries: object
) -> None:
    make_incident(essential_org, personal_data_breach=True, health_establishment_serious=True)
    make_incident(org_b, personal_data_breach=True)
    with django_assert_num_queries(1):  # type: ignore[operator]
        clocks = running_clocks(essential_org)
        assert [c.notification.regime for c in clocks] == ["health_ars", "gdpr_authority"]
        assert clocks[0].immediate and not clocks[1].overdue


def test_the_dashboard_partial_renders_the_running_clocks(
    rf: object, essential_org: Organisation
) -> None:
    from django.template.loader import render_to_string

    from incidents.selectors import clock_labels

    make_incident(essential_org, title="Fuite", personal_data_breach=True)
    html = render_to_string(
        "incidents/_running_clocks.html",
        {
            "clocks": running_clocks(essential_org),
            "clock_labels": clock_labels(),
            "current_organisation": essential_org,
        },
    )
    assert "Fuite" in html and "Notification RGPD à la CNIL" in html
    assert 'data-left="reste %s"' in html


def test_a_notification_cannot_be_sent_before_awareness(essential_org: Organisation) -> None:
    aware = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    incident = make_incident(essential_org, aware_at=aware, health_establishment_serious=True)
    with pytest.raises(ValidationError):
        notification_mark_sent(
            actor=ACTOR,
            notification=incident.notifications.get(),
            sent_at=aware - timedelta(hours=1),
        )
