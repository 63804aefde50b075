"""/api/v1/processing-activities/, /article66-routes/ and /compliance-findings/ as an HDS
host or a clinic's tooling uses them: scoped, paginated, filtered, audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compliance.models import AuditEvent, Organisation
from privacy import services
from privacy.models import Article66Route, ProcessingActivity, Processor
from tests.privacy.conftest import ACTOR, rule_codes

Make = Callable[..., ProcessingActivity]
BASE = "/api/v1/processing-activities/"
ROUTES = "/api/v1/article66-routes/"
FINDINGS = "/api/v1/compliance-findings/"


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type="application/json")


def test_without_a_key_it_is_refused() -> None:
    assert Client().get(BASE).status_code == 401


def test_the_register_with_routes_and_findings(reader: Client, make_processing: Make) -> None:
    processing = make_processing(uses=["statistics"])
    body = reader.get(BASE).json()
    assert body["count"] == 1
    [line] = body["results"]
    assert line["reference"] == processing.reference and line["special_categories"] == ["health"]
    assert line["route"] is None
    [finding] = line["findings"]
    assert finding["rule_code"] == "ART66-MISSING" and finding["severity"] == "critical"
    assert "lil-art66:AUTH" in finding["article"] and "art. 66-III" in finding["references"]


def test_filters_and_pagination(reader: Client, make_processing: Make) -> None:
    for _ in range(3):
        make_processing(uses=["research"])
    make_processing(name="Paie", special_categories=[], article9_condition="")
    assert reader.get(BASE, {"severity": "critical"}).json()["count"] == 3
    assert (
        reader.get(BASE, {"special_category": "health", "rule": "ART66-MISSING"}).json()["count"]
        == 3
    )
    page = reader.get(BASE, {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    assert reader.get(FINDINGS, {"rule": "ART66-MISSING"}).json()["count"] == 3
    assert reader.get(BASE, {"role": "nonsense"}).status_code == 400


def test_a_host_pushes_a_processor_line(writer: Client, org_a: Organisation) -> None:
    host = services.processor_create(
        actor=ACTOR,
        organisation=org_a,
        name="DC Ouest",
        hosts_data=True,
        hds_certificate_number="HDS-1",
        hds_certificate_expires_on=datetime.date(2030, 1, 1),
    )
    response = post(
        writer,
        BASE,
        {
            "reference": "H-1",
            "name": "Hébergement du DPI",
            "role": "processor",
            "controller_name": "Clinique",
            "purposes": "Hébergement",
            "uses": ["hosting"],
            "special_categories": ["health"],
            "security_measures": "ISO 27001",
            "recipients": [{"kind": "processor", "name": "", "processor_id": host.pk}],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["findings"] == [] and body["recipients"][0]["name"] == "DC Ouest"
    event = AuditEvent.objects.get(action="privacy.processing_create")
    assert event.actor_api_key is not None and event.organisation_id == org_a.pk


def test_bad_input_is_a_400_with_the_field(writer: Client, make_processing: Make) -> None:
    make_processing(reference="T-1")
    assert "reference" in post(writer, BASE, {"reference": "T-1", "name": "x"}).json()
    assert "uses" in post(writer, BASE, {"reference": "T-2", "name": "x", "uses": ["fun"]}).json()


def test_routes_are_written_and_findings_follow(writer: Client, make_processing: Make) -> None:
    processing = make_processing(uses=["research"])
    missing = post(writer, ROUTES, {"processing": processing.pk, "kind": "mr_declaration"})
    assert missing.status_code == 400 and "methodology" in missing.json()
    created = post(
        writer,
        ROUTES,
        {
            "processing": processing.pk,
            "kind": "mr_declaration",
            "methodology": "MR-004",
            "filing_date": "2026-02-01",
            "receipt_number": "R-1",
        },
    )
    assert created.status_code == 201
    assert rule_codes(processing) == set()
    again = post(
        writer,
        ROUTES,
        {"processing": processing.pk, "kind": "pending", "filing_date": "2026-01-01"},
    )
    assert again.status_code == 400
    changed = patch(
        writer, f"{ROUTES}{created.json()['id']}/", {"kind": "pending", "filing_date": "2026-01-01"}
    )
    assert changed.status_code == 200 and changed.json()["kind"] == "pending"
    assert "ART66-MISSING" in rule_codes(processing)
    assert writer.delete(f"{ROUTES}{created.json()['id']}/").status_code == 204
    assert not Article66Route.objects.exists()


def test_a_read_key_cannot_write(reader: Client, make_processing: Make) -> None:
    processing = make_processing()
    assert post(reader, BASE, {"reference": "T-9", "name": "x"}).status_code == 403
    assert patch(reader, f"{BASE}{processing.pk}/", {"name": "y"}).status_code == 403
    assert reader.delete(f"{BASE}{processing.pk}/").status_code == 403
    assert post(reader, FINDINGS, {}).status_code in (403, 405)


class TestTenancy:
    @pytest.fixture
    def foreign(self, make_processing: Make, org_b: Organisation) -> ProcessingActivity:
        processing = make_processing(organisation=org_b, uses=["research"])
        services.route_set(
            actor=ACTOR,
            processing=processing,
            kind="pending",
            filing_date=datetime.date(2026, 1, 1),
        )
        return processing

    def test_another_organisations_lines_are_invisible(
        self, writer: Client, foreign: ProcessingActivity
    ) -> None:
        assert writer.get(BASE).json()["count"] == 0
        assert writer.get(FINDINGS).json()["count"] == 0
        assert writer.get(f"{BASE}{foreign.pk}/").status_code == 404
        assert patch(writer, f"{BASE}{foreign.pk}/", {"name": "pris"}).status_code == 404
        assert writer.delete(f"{BASE}{foreign.pk}/").status_code == 404
        route = Article66Route.objects.get(processing=foreign)
        assert writer.get(f"{ROUTES}{route.pk}/").status_code == 404
        finding = foreign.findings.first()
        assert finding is not None and writer.get(f"{FINDINGS}{finding.pk}/").status_code == 404

    def test_a_route_cannot_be_put_on_a_foreign_processing(
        self, writer: Client, foreign: ProcessingActivity
    ) -> None:
        ProcessingActivity.objects.filter(pk=foreign.pk).update(name="inchangé")
        Article66Route.objects.filter(processing=foreign).delete()
        response = post(
            writer,
            ROUTES,
            {"processing": foreign.pk, "kind": "pending", "filing_date": "2026-01-01"},
        )
        assert response.status_code == 400 and "processing" in response.json()
        assert not Article66Route.objects.filter(processing=foreign).exists()

    def test_a_foreign_processor_cannot_be_linked(
        self, writer: Client, org_b: Organisation, make_processing: Make
    ) -> None:
        foreign_host: Processor = services.processor_create(
            actor=ACTOR, organisation=org_b, name="Autre"
        )
        processing = make_processing()
        response = patch(
            writer,
            f"{BASE}{processing.pk}/",
            {"recipients": [{"kind": "processor", "name": "", "processor_id": foreign_host.pk}]},
        )
        assert response.status_code == 400
        assert not processing.recipients.exists()


@pytest.mark.parametrize("rows", [1, 10])
def test_list_query_count_is_fixed(
    reader: Client, make_processing: Make, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        make_processing(uses=["research"])
    # key lookup + key last-used update, count, lines + route, recipients, findings
    with django_assert_num_queries(6):
        assert reader.get(BASE).status_code == 200
