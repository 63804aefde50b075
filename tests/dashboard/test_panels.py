"""The dashboard's "this week" panels on the demo data: every figure is the count a
person would get from the filtered list behind it, and the page costs the same number of
queries for a busy clinic and a quiet host."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import Finding, RemediationAction
from compliance.choices import Role
from compliance.models import Membership, User
from evidence.models import Evidence
from incidents.models import Notification
from privacy.models import ComplianceFinding
from tests.demodata import CLINIC, HOST, demo
from tests.helpers import logged_in, page_text

__all__ = ["demo"]
pytestmark = pytest.mark.django_db


def member(slug: str, role: str = Role.MANAGER) -> User:
    return Membership.objects.filter(organisation__slug=slug, role=role).first().user  # type: ignore[union-attr]


def dashboard(client: Client, slug: str) -> str:
    response = client.get(f"/o/{slug}/")
    assert response.status_code == 200
    return page_text(response)


def figure(page: str, href: str) -> int:
    """The number shown inside the link to ``href``."""
    match = re.search(
        r'<a href="' + re.escape(href) + r'"[^>]*><span class="figure">(\d+)</span>', page
    )
    assert match, f"no figure links to {href}"
    return int(match[1])


def test_open_findings_by_severity_match_the_register(demo: None) -> None:
    page = dashboard(logged_in(member(CLINIC)), CLINIC)
    findings = Finding.objects.filter(organisation__slug=CLINIC, status="open")

    assert findings.exists(), "the demo clinic has open findings"
    for severity in ("major", "minor", "observation", "opportunity"):
        href = f"/o/{CLINIC}/findings/?status=open&severity={severity}"
        assert figure(page, href) == findings.filter(severity=severity).count()


def test_overdue_and_due_soon_actions_are_counted_from_due_dates(demo: None) -> None:
    page = dashboard(logged_in(member(CLINIC)), CLINIC)
    today = timezone.localdate()
    open_actions = RemediationAction.objects.filter(
        finding__organisation__slug=CLINIC, status__in=["open", "in_progress"]
    )

    overdue = open_actions.filter(due_date__lt=today).count()
    assert overdue, "the demo plan has overdue actions"
    assert figure(page, f"/o/{CLINIC}/plan/#overdue") == overdue
    assert (
        figure(page, f"/o/{CLINIC}/plan/#due-soon")
        == open_actions.filter(
            due_date__gte=today, due_date__lte=today + datetime.timedelta(days=30)
        ).count()
    )


def test_running_clocks_list_each_notification_owed(demo: None) -> None:
    page = dashboard(logged_in(member(CLINIC)), CLINIC)
    owed = Notification.objects.filter(incident__organisation__slug=CLINIC, sent_at__isnull=True)

    assert owed.exists(), "the demo ransomware incident has running clocks"
    first = owed.select_related("incident").order_by("due_at", "id").first()
    assert first is not None
    assert first.incident.title in page
    assert f'href="/o/{CLINIC}/incidents/{first.incident_id}/"' in page


def test_article_66_findings_link_to_the_flagged_register(demo: None) -> None:
    page = dashboard(logged_in(member(CLINIC)), CLINIC)
    critical = ComplianceFinding.objects.filter(organisation__slug=CLINIC, severity="critical")

    assert critical.exists(), "the observatory processing is flagged critical"
    assert figure(page, f"/o/{CLINIC}/register/?severity=critical") == critical.count()


def test_expired_evidence_is_counted(demo: None) -> None:
    page = dashboard(logged_in(member(CLINIC)), CLINIC)
    expired = Evidence.objects.filter(
        organisation__slug=CLINIC, expires_on__lt=timezone.localdate()
    ).count()

    assert figure(page, f"/o/{CLINIC}/evidence/?state=expired") == expired


def test_host_dashboard_counts_only_the_host(demo: None) -> None:
    page = dashboard(logged_in(member(HOST)), HOST)

    host_findings = Finding.objects.filter(organisation__slug=HOST, status="open").count()
    total = sum(
        figure(page, f"/o/{HOST}/findings/?status=open&severity={s}")
        for s in ("major", "minor", "observation", "opportunity")
    )
    assert total == host_findings


def test_a_viewer_sees_the_this_week_panels(demo: None) -> None:
    page = dashboard(logged_in(member(CLINIC, Role.VIEWER)), CLINIC)

    assert "Constats ouverts" in page
    assert "Délais de notification" in page


def test_the_dashboard_costs_the_same_queries_busy_or_quiet(demo: None) -> None:
    def queries(slug: str) -> int:
        client = logged_in(member(slug))
        client.get(f"/o/{slug}/")  # first visit stores the organisation in the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/o/{slug}/").status_code == 200
        return len(captured.captured_queries)

    assert queries(CLINIC) == queries(HOST)


def test_htmx_refresh_returns_the_this_week_panels_alone(demo: None) -> None:
    client = logged_in(member(CLINIC))

    response = client.get(f"/o/{CLINIC}/?panel=this-week", headers={"HX-Request": "true"})
    page = page_text(response)

    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="this-week"')
    assert "<html" not in page
    assert "Délais de notification" in page
    # Without htmx the same URL is the whole page.
    assert "<html" in page_text(client.get(f"/o/{CLINIC}/?panel=this-week"))


def test_the_refresh_is_scoped_like_the_page(demo: None) -> None:
    response = logged_in(member(HOST)).get(
        f"/o/{CLINIC}/?panel=this-week", headers={"HX-Request": "true"}
    )

    assert response.status_code == 404
