"""One test per row of the rule table (incidents.rules), plus the month-end and DST cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from compliance.choices import Nis2Classification
from incidents.choices import Art34Exception, DeadlineKind, Regime
from incidents.rules import Facts, add_one_month, owed_notifications

AWARE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BASE = Facts(
    nis2_classification=Nis2Classification.ESSENTIAL,
    nis2_aware_at=AWARE,
    gdpr_aware_at=AWARE,
    health_aware_at=AWARE,
)


def owed(facts: Facts) -> dict[str, tuple[datetime, str]]:
    return {o.regime: (o.due_at, o.deadline_kind) for o in owed_notifications(facts)}


def test_nothing_is_owed_for_an_unqualified_incident() -> None:
    assert owed(BASE) == {}


def test_nis2_early_warning_is_due_24_hours_after_awareness() -> None:
    result = owed(replace(BASE, nis2_significant=True))
    assert result[Regime.NIS2_EARLY_WARNING] == (AWARE + timedelta(hours=24), DeadlineKind.HOURS)


def test_nis2_notification_is_due_72_hours_after_awareness() -> None:
    result = owed(replace(BASE, nis2_significant=True))
    assert result[Regime.NIS2_NOTIFICATION] == (AWARE + timedelta(hours=72), DeadlineKind.HOURS)


def test_a_trust_service_provider_notifies_within_24_hours() -> None:
    result = owed(replace(BASE, nis2_significant=True, trust_service_provider=True))
    assert result[Regime.NIS2_NOTIFICATION][0] == AWARE + timedelta(hours=24)


@pytest.mark.parametrize(
    "classification", [Nis2Classification.OUT_OF_SCOPE, Nis2Classification.UNDETERMINED]
)
def test_nis2_owes_nothing_outside_essential_and_important_entities(classification: str) -> None:
    assert owed(replace(BASE, nis2_significant=True, nis2_classification=classification)) == {}


def test_nis2_while_ongoing_a_progress_report_is_owed_one_month_after_the_notification_due() -> (
    None
):
    result = owed(replace(BASE, nis2_significant=True, ongoing=True))
    # notification due 5 March 08:00 UTC (09:00 Paris) -> 5 April 09:00 Paris = 07:00 UTC
    assert result[Regime.NIS2_PROGRESS_REPORT][0] == datetime(2026, 4, 5, 7, 0, tzinfo=UTC)
    assert Regime.NIS2_FINAL_REPORT not in result


def test_nis2_final_report_counts_from_the_notification_actually_sent() -> None:
    sent = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    facts = replace(
        BASE,
        nis2_significant=True,
        ongoing=False,
        handling_ended_at=sent,
        nis2_notification_sent_at=sent,
    )
    result = owed(facts)
    assert result[Regime.NIS2_FINAL_REPORT][0] == datetime(2026, 4, 3, 14, 0, tzinfo=UTC)
    assert Regime.NIS2_PROGRESS_REPORT not in result


def test_nis2_handling_ended_after_the_mark_owes_a_progress_report_then_a_final_one() -> None:
    ended = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
    result = owed(replace(BASE, nis2_significant=True, ongoing=False, handling_ended_at=ended))
    assert result[Regime.NIS2_PROGRESS_REPORT][0] == datetime(2026, 4, 5, 7, 0, tzinfo=UTC)
    assert result[Regime.NIS2_FINAL_REPORT][0] == datetime(2026, 6, 20, 10, 0, tzinfo=UTC)


def test_gdpr_authority_is_due_72_hours_after_awareness_of_the_breach() -> None:
    result = owed(replace(BASE, personal_data_breach=True))
    assert result == {Regime.GDPR_AUTHORITY: (AWARE + timedelta(hours=72), DeadlineKind.HOURS)}


def test_gdpr_authority_is_not_owed_when_the_breach_is_unlikely_to_result_in_risk() -> None:
    assert owed(replace(BASE, personal_data_breach=True, risk_unlikely=True)) == {}


def test_gdpr_data_subjects_are_owed_without_undue_delay_when_the_risk_is_high() -> None:
    result = owed(replace(BASE, personal_data_breach=True, high_risk=True))
    assert result[Regime.GDPR_DATA_SUBJECTS] == (AWARE, DeadlineKind.WITHOUT_UNDUE_DELAY)


@pytest.mark.parametrize(
    "exception", [Art34Exception.UNINTELLIGIBLE, Art34Exception.RISK_NO_LONGER_LIKELY]
)
def test_an_art34_exception_lifts_the_communication_to_data_subjects(exception: str) -> None:
    result = owed(
        replace(BASE, personal_data_breach=True, high_risk=True, art34_exception=exception)
    )
    assert set(result) == {Regime.GDPR_AUTHORITY}


def test_disproportionate_effort_owes_a_public_communication_instead() -> None:
    result = owed(
        replace(
            BASE,
            personal_data_breach=True,
            high_risk=True,
            art34_exception=Art34Exception.DISPROPORTIONATE_EFFORT,
        )
    )
    assert set(result) == {Regime.GDPR_AUTHORITY, Regime.GDPR_PUBLIC_COMMUNICATION}


def test_a_processor_tells_the_controller_without_undue_delay_and_not_the_cnil() -> None:
    result = owed(
        replace(BASE, personal_data_breach=True, high_risk=True, acting_as_processor=True)
    )
    assert result == {Regime.GDPR_CONTROLLER: (AWARE, DeadlineKind.WITHOUT_UNDUE_DELAY)}


def test_a_serious_health_incident_is_reported_to_the_ars_without_delay() -> None:
    result = owed(replace(BASE, health_establishment_serious=True))
    assert result == {Regime.HEALTH_ARS: (AWARE, DeadlineKind.WITHOUT_UNDUE_DELAY)}


def test_each_regime_counts_from_its_own_awareness() -> None:
    later = AWARE + timedelta(hours=30)
    result = owed(
        replace(BASE, nis2_significant=True, personal_data_breach=True, gdpr_aware_at=later)
    )
    assert result[Regime.NIS2_NOTIFICATION][0] == AWARE + timedelta(hours=72)
    assert result[Regime.GDPR_AUTHORITY][0] == later + timedelta(hours=72)


class TestOneMonth:
    def test_sent_on_31_january_the_final_report_is_due_on_28_february(self) -> None:
        sent = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)  # 10:00 in Paris
        assert add_one_month(sent) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)

    def test_in_a_leap_year_it_is_29_february(self) -> None:
        assert add_one_month(datetime(2028, 1, 31, 9, 0, tzinfo=UTC)) == datetime(
            2028, 2, 29, 9, 0, tzinfo=UTC
        )

    def test_the_month_is_counted_on_the_paris_calendar_near_midnight(self) -> None:
        # 1 March 00:30 in Paris is still 28 February in UTC: the legal day is 1 March.
        sent = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
        assert add_one_month(sent) == datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 1 April 00:30

    def test_across_the_spring_dst_change_the_wall_clock_time_is_kept(self) -> None:
        sent = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 CET
        assert add_one_month(sent) == datetime(2026, 4, 10, 8, 0, tzinfo=UTC)  # 10:00 CEST

    def test_december_rolls_into_january(self) -> None:
        assert add_one_month(datetime(2026, 12, 31, 11, 0, tzinfo=UTC)) == datetime(
            2027, 1, 31, 11, 0, tzinfo=UTC
        )


def test_72_hours_across_the_autumn_dst_change_are_72_real_hours() -> None:
    aware = datetime(2026, 10, 24, 10, 0, tzinfo=UTC)  # Saturday 12:00 CEST
    result = owed(replace(BASE, personal_data_breach=True, gdpr_aware_at=aware))
    due = result[Regime.GDPR_AUTHORITY][0]
    assert due - aware == timedelta(hours=72)
    assert due == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)  # Tuesday 11:00 CET on the wall
