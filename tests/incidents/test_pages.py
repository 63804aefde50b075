"""The incident pages as a clinic manager, a viewer and an outsider see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from compliance.models import AuditEvent, Organisation, User
from incidents.models import Incident, Notification
from tests.helpers import page_text

from .conftest import make_incident

pytestmark = pytest.mark.django_db


def url(org: Organisation, rest: str = "") -> str:
    return f"/o/{org.slug}/incidents/{rest}"


class TestList:
    def test_the_list_shows_each_running_clock(
        self, owner_client: Client, ransomware: Incident
    ) -> None:
        response = owner_client.get(url(ransomware.organisation))
        assert response.status_code == 200
        text = page_text(response)
        assert "Rançongiciel sur le DPI" in text
        assert "Alerte précoce NIS2" in text or "NIS2 early warning" in text
        assert 'class="clock' in text and "data-due=" in text
        assert "js/incident-clocks.js" in text

    @pytest.mark.parametrize("count", [1, 6, 55])
    def test_the_list_runs_a_fixed_number_of_queries(
        self,
        owner_client: Client,
        essential_org: Organisation,
        owner: User,
        count: int,
        django_assert_num_queries: object,
    ) -> None:
        for n in range(count):
            make_incident(
                essential_org,
                title=f"Incident {n}",
                nis2_significant=True,
                personal_data_breach=True,
            )
        owner_client.get(url(essential_org))  # warm the session
        # session, user, 2 OTP devices, 2FA membership check, membership+organisation,
        # COUNT for the pager, incidents (+owner, campaign), notifications, the nav's
        # memberships
        with django_assert_num_queries(10):  # type: ignore[operator]
            response = owner_client.get(url(essential_org))
        assert response.status_code == 200

    def test_another_organisations_list_is_a_404(
        self, outsider_client: Client, ransomware: Incident
    ) -> None:
        assert outsider_client.get(url(ransomware.organisation)).status_code == 404


class TestDetail:
    def test_overdue_clocks_show_in_red(
        self, owner_client: Client, essential_org: Organisation
    ) -> None:
        incident = make_incident(
            essential_org,
            aware_at=timezone.now() - timedelta(hours=80),
            personal_data_breach=True,
        )
        text = page_text(owner_client.get(url(essential_org, f"{incident.pk}/")))
        assert 'class="clock overdue"' in text
        assert "en retard de 8 h" in text

    def test_another_organisations_incident_is_a_404(
        self, outsider_client: Client, ransomware: Incident
    ) -> None:
        org = ransomware.organisation
        n = ransomware.notifications.first()
        assert n is not None
        for path in (
            f"{ransomware.pk}/",
            f"{ransomware.pk}/edit/",
            f"{ransomware.pk}/notifications/{n.pk}/draft/",
            f"{ransomware.pk}/notifications/{n.pk}/draft/print/",
        ):
            assert outsider_client.get(url(org, path)).status_code == 404, path
        response = outsider_client.post(url(org, f"{ransomware.pk}/notifications/{n.pk}/sent/"), {})
        assert response.status_code == 404

    def test_a_viewer_sees_but_cannot_qualify(
        self, member_client: Client, ransomware: Incident
    ) -> None:
        org = ransomware.organisation
        assert member_client.get(url(org, f"{ransomware.pk}/")).status_code == 200
        response = member_client.post(
            url(org, f"{ransomware.pk}/qualify/"), {"aware_at": "2026-01-01T10:00"}
        )
        assert response.status_code == 403
        assert member_client.get(url(org, "new/")).status_code == 403


class TestForms:
    def test_declaring_an_incident_starts_its_clocks(
        self, owner_client: Client, essential_org: Organisation
    ) -> None:
        response = owner_client.post(
            url(essential_org, "new/"),
            {
                "title": "Fuite de données",
                "aware_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "personal_data_breach": "on",
                "ongoing": "on",
            },
        )
        assert response.status_code == 302
        incident = Incident.objects.get(title="Fuite de données")
        assert [n.regime for n in incident.notifications.all()] == ["gdpr_authority"]

    def test_a_late_cnil_notification_without_reasons_is_refused_on_the_page(
        self, owner_client: Client, essential_org: Organisation
    ) -> None:
        incident = make_incident(
            essential_org,
            aware_at=timezone.now() - timedelta(hours=100),
            personal_data_breach=True,
        )
        n = incident.notifications.get()
        prefix = f"n{n.pk}"
        response = owner_client.post(
            url(essential_org, f"{incident.pk}/notifications/{n.pk}/sent/"),
            {
                f"{prefix}-sent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                f"{prefix}-reference": "X1",
            },
        )
        assert response.status_code == 400
        assert "indiquez les motifs du retard" in page_text(response)
        assert 'value="X1"' in page_text(response)  # nothing typed is lost
        n.refresh_from_db()
        assert n.sent_at is None

    def test_requalifying_on_the_page_is_in_the_audit_trail_and_the_timeline(
        self, owner_client: Client, ransomware: Incident
    ) -> None:
        org = ransomware.organisation
        response = owner_client.post(
            url(org, f"{ransomware.pk}/qualify/"),
            {
                "aware_at": timezone.localtime(ransomware.aware_at).strftime("%Y-%m-%dT%H:%M"),
                "personal_data_breach": "on",
                "high_risk": "on",
                "art34_exception": "unintelligible",
                "ongoing": "on",
            },
        )
        assert response.status_code == 302, page_text(response)
        regimes = set(
            Notification.objects.filter(incident=ransomware).values_list("regime", flat=True)
        )
        assert regimes == {"gdpr_authority"}
        assert AuditEvent.objects.filter(action="incidents.qualify").exists()
        text = page_text(owner_client.get(url(org, f"{ransomware.pk}/")))
        assert "Qualification modifiée" in text or "Qualification changed" in text


def test_the_list_is_paginated(owner_client: Client, essential_org: Organisation) -> None:
    for n in range(52):
        make_incident(essential_org, title=f"Incident n°{n:02d}", personal_data_breach=True)
    first = page_text(owner_client.get(url(essential_org)))
    assert "Page 1 sur 2" in first
    second = page_text(owner_client.get(url(essential_org) + "?page=2"))
    assert "Incident n°00" in second and "Incident n°51" not in second
