"""The organisation's dashboard: where it stands, with every figure linked to its list."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compliance.choices import Role
from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor
from controls.models import Framework, Requirement, ScoreSnapshot
from controls.services.history import score_snapshots_record
from controls.services.statuses import requirement_status_update
from controls.tasks import record_score_snapshots_task
from tests.helpers import page_text

ACTOR = SystemActor("tests")


@pytest.fixture
def soa_started(
    catalogues: None, org_a: Organisation, requirement: Callable[[str, str], Requirement]
) -> None:
    """Two Annex A controls applicable: one implemented, one partial (75 % of 2)."""
    for ref_id, status in (("A.5.1", "implemented"), ("A.5.2", "partial")):
        requirement_status_update(
            actor=ACTOR,
            organisation=org_a,
            requirement=requirement("iso27001-2022", ref_id),
            applicable=True,
            inclusion_justification="Risque identifié",
            status=status,
        )


def overview(client: Client, organisation: Organisation) -> str:
    response = client.get(reverse("organisation_home", args=[organisation.slug]))
    assert response.status_code == 200
    return page_text(response)


def test_snapshot_records_the_computed_score(
    soa_started: None, org_a: Organisation, iso: Framework
) -> None:
    snapshots = score_snapshots_record(organisation=org_a)

    iso_snapshot = next(s for s in snapshots if s.framework_id == iso.pk)
    # 91 controls undecided count as not started: (1 + 0.5) / 93 ≈ 2 %.
    assert iso_snapshot.counted == 93
    assert iso_snapshot.percent == round(100 * 1.5 / 93)
    assert iso_snapshot.by_status["implemented"] == 1


def test_recording_twice_a_day_keeps_one_snapshot_with_the_latest_figure(
    soa_started: None,
    org_a: Organisation,
    iso: Framework,
    requirement: Callable[[str, str], Requirement],
) -> None:
    score_snapshots_record(organisation=org_a)
    requirement_status_update(
        actor=ACTOR,
        organisation=org_a,
        requirement=requirement("iso27001-2022", "A.5.2"),
        status="implemented",
    )
    score_snapshots_record(organisation=org_a)

    today = ScoreSnapshot.objects.filter(organisation=org_a, framework=iso)
    assert today.count() == 1
    assert today.get().percent == round(100 * 2 / 93)


def test_nightly_task_records_every_active_organisation(
    soa_started: None, org_a: Organisation, org_b: Organisation
) -> None:
    recorded = record_score_snapshots_task()

    frameworks = Framework.objects.count()
    assert recorded == 2 * frameworks
    assert ScoreSnapshot.objects.filter(organisation=org_b).count() == frameworks


def test_overview_shows_each_framework_score_linked_to_its_page(
    soa_started: None, org_a: Organisation, owner_client: Client
) -> None:
    page = overview(owner_client, org_a)

    assert "Conformité par référentiel" in page
    assert f'href="/o/{org_a.slug}/soa/"' in page
    assert f'href="/o/{org_a.slug}/frameworks/nis2/"' in page
    assert f"{round(100 * 1.5 / 93)} %" in page


def test_overview_counts_soa_controls_by_theme_with_filtered_links(
    soa_started: None, org_a: Organisation, owner_client: Client
) -> None:
    page = overview(owner_client, org_a)

    link = f"/o/{org_a.slug}/soa/?theme=organizational&status=implemented"
    assert f'<a href="{link}"' in page
    # 37 organisational controls: 1 implemented, 1 partial, 35 not started.
    assert "Non commencé : 35" in page


def test_trend_line_drawn_from_recorded_days(
    soa_started: None, org_a: Organisation, owner_client: Client
) -> None:
    score_snapshots_record(
        organisation=org_a, day=timezone.localdate() - datetime.timedelta(days=10)
    )
    page = overview(owner_client, org_a)

    assert 'class="sparkline"' in page
    # The chart's text alternative gives the figures it draws.
    assert f"{round(100 * 1.5 / 93)} % le" in page


def test_a_framework_without_history_says_so(
    soa_started: None, org_a: Organisation, owner_client: Client
) -> None:
    assert "pas encore d'historique" in overview(owner_client, org_a)


def test_snapshots_of_another_organisation_never_show(
    soa_started: None, org_a: Organisation, org_b: Organisation, outsider_client: Client
) -> None:
    score_snapshots_record(organisation=org_a)

    page = overview(outsider_client, org_b)

    assert 'class="sparkline"' not in page


def test_viewer_sees_the_position_too(
    soa_started: None, org_a: Organisation, client_as: Callable[[str], Client]
) -> None:
    page = overview(client_as(Role.VIEWER), org_a)

    assert "Conformité par référentiel" in page


def test_overview_query_count_does_not_grow_with_history(
    soa_started: None,
    org_a: Organisation,
    owner_client: Client,
) -> None:
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            overview(owner_client, org_a)
        return len(captured.captured_queries)

    count_queries()  # the first visit also stores the last organisation in the session
    one_day = count_queries()
    for days_ago in range(1, 60):
        score_snapshots_record(
            organisation=org_a, day=timezone.localdate() - datetime.timedelta(days=days_ago)
        )
    assert count_queries() == one_day
