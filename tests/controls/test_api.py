"""The catalogue, SoA and status endpoints of /api/v1/, as an HDS host uses them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance.choices import ApiKeyScope, Role
from compliance.models import AuditEvent, Organisation
from compliance.services.audit_trail import audit_trail_verify
from controls.models import Applicability, Framework, Requirement
from controls.services.statuses import requirement_status_update
from evidence.services import evidence_create
from tests.factories import MembershipFactory, issue_api_key

pytestmark = pytest.mark.usefixtures("catalogues")


def api(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE="fr")


@pytest.fixture
def reader(org_a: Organisation) -> Client:
    return api(issue_api_key(org_a, [ApiKeyScope.READ]).raw_key)


@pytest.fixture
def writer(org_a: Organisation) -> Client:
    return api(issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)


@pytest.fixture
def other_reader(org_b: Organisation) -> Client:
    return api(issue_api_key(org_b, [ApiKeyScope.READ]).raw_key)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type="application/json")


class TestCatalogue:
    def test_without_a_key_the_catalogue_is_refused(self) -> None:
        response = Client().get("/api/v1/frameworks/")
        assert response.status_code == 401

    def test_frameworks_lists_the_six_built_in_catalogues(self, reader: Client) -> None:
        codes = {item["code"] for item in reader.get("/api/v1/frameworks/").json()}
        assert {"iso27001-2022", "nis2", "gdpr", "hds-2024", "lil-art66", "csp-incidents"} <= codes

    def test_a_theme_filter_gives_the_37_organisational_controls(self, reader: Client) -> None:
        body = reader.get(
            "/api/v1/frameworks/iso27001-2022/requirements/"
            "?theme=organizational&assessable=true&page_size=100"
        ).json()
        assert body["count"] == 37
        assert {item["ref_id"] for item in body["results"]} >= {"A.5.1", "A.5.37"}

    def test_the_attribute_filter_finds_the_controls_new_in_2022(self, reader: Client) -> None:
        body = reader.get(
            "/api/v1/frameworks/iso27001-2022/requirements/"
            "?attribute=new_in_2022:true&assessable=true&page_size=100"
        ).json()
        controls = {item["ref_id"] for item in body["results"] if item["kind"] == "control"}
        assert controls == {
            "A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10",
            "A.8.11", "A.8.12", "A.8.16", "A.8.23", "A.8.28",
        }  # fmt: skip

    def test_a_malformed_attribute_filter_says_how_to_write_it(self, reader: Client) -> None:
        response = reader.get("/api/v1/frameworks/iso27001-2022/requirements/?attribute=oops")
        assert response.status_code == 400
        assert "control_type:preventive" in str(response.json())

    def test_text_search_and_mapped_requirements(self, reader: Client) -> None:
        body = reader.get("/api/v1/frameworks/iso27001-2022/requirements/?q=A.8.24").json()
        [control] = body["results"]
        assert control["parent"] == "A.8"
        assert {"framework": "nis2", "ref_id": "21.2.h", "relationship": "intersect"} in control[
            "mapped"
        ]

    def test_an_unknown_framework_is_a_404(self, reader: Client) -> None:
        assert reader.get("/api/v1/frameworks/nope/requirements/").status_code == 404

    def test_the_requirement_list_runs_the_same_queries_for_10_or_100_items(
        self, reader: Client
    ) -> None:
        url = "/api/v1/frameworks/iso27001-2022/requirements/?page_size="
        reader.get(url + "1")  # the key's first use records its last_used_at
        with CaptureQueriesContext(connection) as few:
            assert reader.get(url + "10").status_code == 200
        with CaptureQueriesContext(connection) as many:
            assert reader.get(url + "100").status_code == 200
        assert len(few) == len(many)


class TestSoa:
    def test_the_soa_has_93_lines_undecided_at_first(self, reader: Client) -> None:
        lines = reader.get("/api/v1/soa/").json()
        assert len(lines) == 93
        assert {line["applicable"] for line in lines} == {None}

    def test_a_write_key_records_a_decision_and_it_is_audited(
        self, writer: Client, org_a: Organisation
    ) -> None:
        response = patch(
            writer,
            "/api/v1/soa/A.8.24/",
            {"applicable": True, "inclusion_justification": "Chiffrement des sauvegardes."},
        )

        assert response.status_code == 200, response.content
        assert response.json()["applicable"] is True
        event = AuditEvent.objects.filter(organisation=org_a, action="soa_line.update").get()
        assert event.actor_api_key is not None
        assert event.changes["applicable"] == [None, True]
        assert all(report.intact for report in audit_trail_verify(organisation=org_a))

    def test_a_read_only_key_cannot_write(self, reader: Client) -> None:
        response = patch(reader, "/api/v1/soa/A.8.24/", {"status": "implemented"})
        assert response.status_code == 403
        assert not Applicability.objects.exists()

    def test_an_exclusion_without_justification_is_refused_in_french(self, writer: Client) -> None:
        response = patch(writer, "/api/v1/soa/A.8.30/", {"applicable": False})
        assert response.status_code == 400
        assert "justification" in str(response.json()["exclusion_justification"])
        assert not Applicability.objects.exists()

    def test_the_owner_must_be_a_member_of_the_organisation(
        self, writer: Client, org_b: Organisation
    ) -> None:
        stranger = MembershipFactory.create(organisation=org_b, role=Role.MANAGER).user
        response = patch(writer, "/api/v1/soa/A.5.1/", {"owner": stranger.email})
        assert response.status_code == 400
        assert "owner" in response.json()

    def test_another_organisations_decisions_are_invisible(
        self, writer: Client, other_reader: Client
    ) -> None:
        patch(writer, "/api/v1/soa/A.5.1/", {"applicable": True, "inclusion_justification": "x"})

        line = other_reader.get("/api/v1/soa/A.5.1/").json()

        assert line["applicable"] is None

    def test_the_soa_list_runs_the_same_queries_with_1_or_93_decided_lines(
        self, reader: Client, org_a: Organisation, iso: Framework
    ) -> None:
        actor = MembershipFactory.create(organisation=org_a, role=Role.MANAGER).user
        controls = list(Requirement.objects.soa_controls().filter(framework=iso))
        requirement_status_update(
            actor=actor, organisation=org_a, requirement=controls[0], status="planned"
        )
        reader.get("/api/v1/soa/")  # the key's first use records its last_used_at
        with CaptureQueriesContext(connection) as one:
            reader.get("/api/v1/soa/")
        for control in controls[1:]:
            requirement_status_update(
                actor=actor, organisation=org_a, requirement=control, status="planned"
            )
        for number in range(5):  # evidence linked to every control
            evidence_create(
                actor=actor,
                organisation=org_a,
                title=f"Preuve {number}",
                url="https://intranet.example/preuve",
                requirements=controls,
            )
        with CaptureQueriesContext(connection) as all_of_them:
            reader.get("/api/v1/soa/")
        assert len(one) == len(all_of_them)

    def test_each_soa_line_counts_its_linked_evidence(
        self, reader: Client, org_a: Organisation, org_b: Organisation, iso: Framework
    ) -> None:
        actor = MembershipFactory.create(organisation=org_a, role=Role.MANAGER).user
        control = Requirement.objects.soa_controls().get(framework=iso, ref_id="A.5.1")
        evidence_create(
            actor=actor,
            organisation=org_a,
            title="Politique",
            url="https://x.example/p",
            requirements=[control],
        )
        evidence_create(
            actor=actor,
            organisation=org_a,
            title="Ancienne politique",
            url="https://x.example/old",
            requirements=[control],
            expires_on=datetime.date(2020, 1, 1),
        )
        other = MembershipFactory.create(organisation=org_b, role=Role.MANAGER).user
        evidence_create(
            actor=other,
            organisation=org_b,
            title="Autre",
            url="https://y.example",
            requirements=[control],
        )

        line = reader.get("/api/v1/soa/A.5.1/").json()
        listed = next(row for row in reader.get("/api/v1/soa/").json() if row["ref_id"] == "A.5.1")

        assert line["evidence"] == {"valid": 1, "expired": 1, "compromised": 0}
        assert listed["evidence"] == line["evidence"]


class TestStatuses:
    def test_a_nis2_status_is_offered_on_the_mapped_soa_controls(self, writer: Client) -> None:
        response = patch(
            writer, "/api/v1/frameworks/nis2/statuses/21.2.b/", {"status": "implemented"}
        )
        assert response.status_code == 200, response.content

        line = writer.get("/api/v1/soa/A.5.24/").json()

        assert line["status"] == "not_started"  # offered, not applied
        assert line["suggested_status"] == "partial"  # intersect: at most partial
        assert line["suggested_from"] == "nis2:21.2.b"

    def test_a_grouping_node_has_no_status(self, reader: Client) -> None:
        assert reader.get("/api/v1/frameworks/nis2/statuses/21/").status_code == 404

    def test_soa_controls_are_not_reachable_as_statuses(self, reader: Client) -> None:
        response = reader.get("/api/v1/frameworks/iso27001-2022/statuses/A.5.1/")
        assert response.status_code == 404

    def test_an_unknown_status_is_refused(self, writer: Client) -> None:
        response = patch(writer, "/api/v1/frameworks/nis2/statuses/21.2.b/", {"status": "done"})
        assert response.status_code == 400
