"""/api/v1/incidents/: an incident opened by API shows its obligations immediately."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from compliance.models import AuditEvent, Organisation
from incidents.models import Incident, Notification

BREACH = {
    "title": "Exfiltration de dossiers patients",
    "aware_at": "2026-01-31T09:30:00+01:00",
    "nis2_significant": True,
    "personal_data_breach": True,
    "high_risk": True,
    "art34_exception": None,
    "acting_as_processor": False,
    "health_establishment_serious": True,
    "trust_service_provider": False,
    "ongoing": True,
}


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def by_regime(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["regime"]: n for n in body["notifications"]}


@pytest.mark.django_db
class TestCreate:
    def test_a_new_breach_owes_its_notifications_at_once_in_utc(self, writer: Client) -> None:
        response = post(writer, "/api/v1/incidents/", BREACH)
        assert response.status_code == 201, response.content
        owed = by_regime(response.json())
        assert set(owed) == {
            "nis2_early_warning",
            "nis2_notification",
            "nis2_progress_report",
            "gdpr_authority",
            "gdpr_data_subjects",
            "health_ars",
        }
        assert owed["nis2_early_warning"]["due_at"] == "2026-02-01T08:30:00Z"
        assert owed["gdpr_authority"]["due_at"] == "2026-02-03T08:30:00Z"
        assert owed["gdpr_authority"]["deadline_kind"] == "hours"
        # without undue delay: the moment of awareness
        assert owed["gdpr_data_subjects"]["due_at"] == "2026-01-31T08:30:00Z"
        assert owed["gdpr_data_subjects"]["deadline_kind"] == "without_undue_delay"
        assert owed["health_ars"]["sent_at"] is None
        assert response.json()["nis2_applies"] is True

    def test_nis2_is_not_owed_by_an_organisation_outside_its_scope(
        self, writer: Client, essential_org: Organisation
    ) -> None:
        essential_org.nis2_classification = "out_of_scope"
        essential_org.save(update_fields=["nis2_classification"])
        body = post(writer, "/api/v1/incidents/", BREACH).json()
        assert body["nis2_applies"] is False
        assert not any(regime.startswith("nis2") for regime in by_regime(body))

    def test_creation_is_audited(self, writer: Client, essential_org: Organisation) -> None:
        post(writer, "/api/v1/incidents/", BREACH)
        event = AuditEvent.objects.get(action="incidents.create")
        assert event.organisation == essential_org
        assert event.actor_label.startswith("api-key:")

    def test_a_time_without_offset_is_refused(self, writer: Client) -> None:
        response = post(writer, "/api/v1/incidents/", {**BREACH, "aware_at": "2026-01-31T09:30:00"})
        assert response.status_code == 400
        assert "aware_at" in response.json()
        assert not Incident.objects.exists()

    def test_an_unknown_art34_exception_is_refused(self, writer: Client) -> None:
        response = post(writer, "/api/v1/incidents/", {**BREACH, "art34_exception": "because"})
        assert response.status_code == 400

    def test_a_read_only_key_cannot_open_an_incident(self, reader: Client) -> None:
        assert post(reader, "/api/v1/incidents/", BREACH).status_code == 403

    def test_a_host_cannot_open_an_incident_for_a_customer_with_its_own_key(
        self, other_writer: Client, essential_org: Organisation
    ) -> None:
        response = post(
            other_writer, "/api/v1/incidents/", {**BREACH, "organisation": essential_org.slug}
        )
        assert response.status_code == 400
        assert not Incident.objects.filter(organisation=essential_org).exists()

    def test_with_the_customers_key_the_incident_lands_in_the_customer_org(
        self, writer: Client, essential_org: Organisation
    ) -> None:
        response = post(
            writer, "/api/v1/incidents/", {**BREACH, "organisation": essential_org.slug}
        )
        assert response.status_code == 201
        assert Incident.objects.get().organisation == essential_org


@pytest.mark.django_db
class TestQualificationAndNotifications:
    def test_requalifying_recomputes_what_is_owed(self, writer: Client) -> None:
        created = post(writer, "/api/v1/incidents/", BREACH).json()
        response = writer.patch(
            f"/api/v1/incidents/{created['id']}/",
            {"art34_exception": "unintelligible", "nis2_significant": False},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert set(by_regime(response.json())) == {"gdpr_authority", "health_ars"}
        event = AuditEvent.objects.get(action="incidents.qualify")
        assert "gdpr_data_subjects" in event.changes["notifications"]["removed"]

    def test_mark_sent_with_a_reference(self, writer: Client) -> None:
        created = post(writer, "/api/v1/incidents/", BREACH).json()
        ars = by_regime(created)["health_ars"]
        url = f"/api/v1/incidents/{created['id']}/notifications/{ars['id']}/mark-sent/"
        response = post(
            writer, url, {"reference": "ARS-2026-0042", "sent_at": "2026-01-31T11:00:00+01:00"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["sent_at"] == "2026-01-31T10:00:00Z"
        listing = writer.get(f"/api/v1/incidents/{created['id']}/notifications/?sent=true").json()
        assert [n["reference"] for n in listing] == ["ARS-2026-0042"]
        assert AuditEvent.objects.filter(action="incidents.notification_sent").count() == 1

    def test_a_late_cnil_notification_needs_the_reasons_for_the_delay(self, writer: Client) -> None:
        created = post(writer, "/api/v1/incidents/", BREACH).json()
        cnil = by_regime(created)["gdpr_authority"]
        url = f"/api/v1/incidents/{created['id']}/notifications/{cnil['id']}/mark-sent/"
        late = {"reference": "CNIL-1", "sent_at": "2026-02-05T10:00:00+01:00"}
        response = post(writer, url, late)
        assert response.status_code == 400
        assert "delay_reasons" in response.json()
        assert Notification.objects.get(pk=cnil["id"]).sent_at is None
        response = post(
            writer, url, {**late, "delay_reasons": "Périmètre inconnu avant l'expertise."}
        )
        assert response.status_code == 200


@pytest.mark.django_db
class TestTenancy:
    def test_another_organisations_incident_is_a_404(
        self, writer: Client, other_writer: Client
    ) -> None:
        created = post(writer, "/api/v1/incidents/", BREACH).json()
        pk = created["id"]
        nid = created["notifications"][0]["id"]
        assert other_writer.get(f"/api/v1/incidents/{pk}/").status_code == 404
        assert other_writer.get(f"/api/v1/incidents/{pk}/notifications/").status_code == 404
        assert (
            post(
                other_writer, f"/api/v1/incidents/{pk}/notifications/{nid}/mark-sent/", {}
            ).status_code
            == 404
        )
        response = other_writer.patch(
            f"/api/v1/incidents/{pk}/", {"high_risk": False}, content_type="application/json"
        )
        assert response.status_code == 404
        assert other_writer.get("/api/v1/incidents/").json()["count"] == 0

    def test_without_a_key_it_is_a_401(self) -> None:
        assert Client().get("/api/v1/incidents/").status_code == 401


@pytest.mark.django_db
class TestAwarenessFilters:
    """Found by the schemathesis run on PostgreSQL: an offset beyond ±15:59, valid in
    ISO 8601 and in Python, was sent to the database as written and answered 500."""

    def test_any_iso_offset_filters_by_the_same_instant(self, writer: Client) -> None:
        post(writer, "/api/v1/incidents/", BREACH)  # aware at 08:30 UTC
        # 08:29 UTC written with an offset PostgreSQL itself would refuse
        after = writer.get("/api/v1/incidents/", {"aware_after": "2026-02-01T02:23:00+17:54"})
        assert after.status_code == 200, after.content
        assert after.json()["count"] == 1
        before = writer.get("/api/v1/incidents/", {"aware_before": "2026-02-01T02:23:00+17:54"})
        assert before.json()["count"] == 0

    def test_an_instant_before_year_one_in_utc_is_a_400_naming_the_filter(
        self, writer: Client
    ) -> None:
        response = writer.get("/api/v1/incidents/", {"aware_before": "0001-01-01T00:10:00+17:54"})
        assert response.status_code == 400
        assert "aware_before" in response.json()
