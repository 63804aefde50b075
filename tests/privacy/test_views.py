"""The register pages as a DPO uses them: list, processing page, forms, routes, rules,
processors; tenancy (404), permissions (403) and fixed query counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from compliance.models import AuditEvent, Organisation, User
from privacy import services
from privacy.models import Article66Route, ProcessingActivity, Processor
from tests.helpers import logged_in, page_text
from tests.privacy.conftest import ACTOR, rule_codes

Make = Callable[..., ProcessingActivity]


def url(name: str, org: Organisation, *args: Any) -> str:
    return reverse(name, args=[org.slug, *args])


def test_the_nav_tab_reads_registre(owner_client: Client, org_a: Organisation) -> None:
    page = page_text(owner_client.get(url("organisation_home", org_a)))
    assert ">Registre</a>" in page


def test_the_register_flags_the_observatory_with_its_articles(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    make_processing(name="Dossier patient")
    observatory = make_processing(name="Observatoire", uses=["statistics"], claims_anonymised=True)
    page = page_text(owner_client.get(url("register_list", org_a)))
    assert "Registre des traitements" in page
    assert "Observatoire" in page and "ART66-MISSING" in page and "ANON-CLAIM" in page
    detail = page_text(owner_client.get(url("register_processing", org_a, observatory.pk)))
    assert "sans formalité de l'article 66" in detail
    assert "art. 66-III loi n° 78-17" in detail  # the article, as a French reader cites it
    assert "RGPD considérant 26" in detail


def test_filters_narrow_the_register(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    make_processing(name="Paie", special_categories=[], article9_condition="")
    make_processing(name="Cohorte", uses=["research"])
    page = page_text(
        owner_client.get(
            url("register_list", org_a), {"special_category": "health", "severity": "critical"}
        )
    )
    assert "Cohorte" in page and "Paie" not in page
    page = page_text(owner_client.get(url("register_list", org_a), {"route": "none", "q": "pai"}))
    assert "Paie" in page and "Cohorte" not in page


def test_creating_a_processing_through_the_long_form(
    owner_client: Client, org_a: Organisation
) -> None:
    response = owner_client.post(
        url("register_processing_new", org_a),
        {
            "reference": "T-050",
            "name": "Téléconsultation",
            "role": "controller",
            "purposes": "Consultations à distance",
            "uses": ["care"],
            "special_categories": ["health"],
            "legal_basis": "c",
            "data_location": "eea",
            "large_scale": "on",
        },
    )
    processing = ProcessingActivity.objects.get(organisation=org_a, reference="T-050")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/register/{processing.pk}/"
    )
    assert {"ART9-NO-CONDITION", "DPIA-MISSING"} <= rule_codes(processing)
    assert AuditEvent.objects.filter(
        action="privacy.processing_create", actor_user__isnull=False
    ).exists()


def test_a_bad_form_keeps_what_was_typed_and_shows_the_errors(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    make_processing(reference="T-001")
    response = owner_client.post(
        url("register_processing_new", org_a),
        {
            "reference": "T-001",
            "name": "Doublon très important",
            "role": "controller",
            "data_location": "eea",
            "dpia_review_on": "2027-01-01",
        },
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "Doublon très important" in page
    assert "Un autre traitement utilise déjà cette référence." in page


def test_recording_a_route_clears_the_flag(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    processing = make_processing(uses=["research"])
    route_url = url("register_route", org_a, processing.pk)
    assert "MR-004" in page_text(owner_client.get(route_url))
    missing = owner_client.post(route_url, {"kind": "mr_declaration", "methodology": "MR-004"})
    assert "Obligatoire pour cette voie." in page_text(missing)
    response = owner_client.post(
        route_url,
        {
            "kind": "mr_declaration",
            "methodology": "MR-004",
            "filing_date": "2026-03-01",
            "receipt_number": "R-42",
            "covered_uses": ["care", "research"],
        },
    )
    assert response.status_code == 302
    assert Article66Route.objects.get(processing=processing).receipt_number == "R-42"
    assert rule_codes(processing) == set()


def test_removing_a_route_asks_first(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    processing = make_processing()
    services.route_set(actor=ACTOR, processing=processing, kind="exempt", exemption_reason="care")
    delete_url = url("register_route_delete", org_a, processing.pk)
    assert "Retirer la voie de l'article 66 ?" in page_text(owner_client.get(delete_url))
    assert Article66Route.objects.filter(processing=processing).exists()
    owner_client.post(delete_url)
    assert not Article66Route.objects.filter(processing=processing).exists()
    assert rule_codes(processing) == {"ART66-NO-ROUTE"}


def test_recipients_and_processors(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    processing = make_processing()
    owner_client.post(
        url("register_processor_new", org_a),
        {
            "name": "Cloud Santé",
            "hosts_data": "on",
            "location": "eea",
            "hds_certificate_number": "HDS-5",
            "hds_certificate_expires_on": "2020-01-01",
            "hds_activities": ["1", "6"],
        },
    )
    host = Processor.objects.get(organisation=org_a)
    response = owner_client.post(
        url("register_recipient_add", org_a, processing.pk),
        {
            "recipient-kind": "processor",
            "recipient-processor": host.pk,
            "recipient-location": "eea",
        },
    )
    assert response.status_code == 302
    assert "HDS-CERTIFICATE" in rule_codes(processing)
    page = page_text(owner_client.get(url("register_processors", org_a)))
    assert "Cloud Santé" in page and "expiré" in page and processing.reference in page
    refused = owner_client.post(url("register_processor_delete", org_a, host.pk), follow=True)
    assert "retirez-le d'abord" in page_text(refused)


def test_the_rules_page_lists_each_rule_with_its_legal_basis(
    owner_client: Client, org_a: Organisation
) -> None:
    page = page_text(owner_client.get(url("register_rules", org_a)))
    assert "ART66-MISSING" in page and "Formalité de l'article 66 manquante" in page
    assert (
        "art. 66-III loi n° 78-17" in page
        and "CSP art. L.1111-8" in page
        and "RGPD art. 35(3)" in page
    )


def test_the_processing_page_in_english(
    owner_client: Client, org_a: Organisation, make_processing: Make
) -> None:
    processing = make_processing(article9_condition="")
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = page_text(owner_client.get(url("register_processing", org_a, processing.pk)))
    assert "Special categories (Health) are processed with no Art. 9(2) condition." in page
    assert "GDPR Art. 9(1)" in page


class TestTenancyAndPermissions:
    @pytest.fixture
    def foreign(self, make_processing: Make, org_b: Organisation) -> ProcessingActivity:
        return make_processing(organisation=org_b)

    @pytest.mark.parametrize(
        "name",
        [
            "register_processing",
            "register_processing_edit",
            "register_route",
            "register_processing_delete",
        ],
    )
    def test_another_organisations_processing_is_a_404(
        self, owner_client: Client, org_a: Organisation, foreign: ProcessingActivity, name: str
    ) -> None:
        assert owner_client.get(url(name, org_a, foreign.pk)).status_code == 404
        assert owner_client.post(url(name, org_a, foreign.pk), {}).status_code == 404

    def test_another_organisations_register_is_a_404(
        self, outsider_client: Client, org_a: Organisation
    ) -> None:
        assert outsider_client.get(url("register_list", org_a)).status_code == 404

    def test_another_organisations_processor_is_a_404(
        self, owner_client: Client, org_a: Organisation, org_b: Organisation
    ) -> None:
        processor = services.processor_create(actor=ACTOR, organisation=org_b, name="Autre")
        assert (
            owner_client.get(url("register_processor_edit", org_a, processor.pk)).status_code == 404
        )

    def test_a_viewer_reads_but_cannot_edit(
        self, member_client: Client, org_a: Organisation, make_processing: Make
    ) -> None:
        processing = make_processing()
        assert member_client.get(url("register_list", org_a)).status_code == 200
        page = page_text(member_client.get(url("register_processing", org_a, processing.pk)))
        assert "Modifier" not in page
        for name in ("register_processing_edit", "register_route", "register_processing_delete"):
            assert member_client.post(url(name, org_a, processing.pk), {}).status_code == 403
        assert member_client.get(url("register_processing_new", org_a)).status_code == 403
        assert member_client.get(url("register_import", org_a)).status_code == 403

    def test_an_auditor_reads_the_register_without_editing(
        self, auditor: User, org_a: Organisation
    ) -> None:
        client = logged_in(auditor)
        assert client.get(url("register_rules", org_a)).status_code == 200
        assert client.get(url("register_processor_new", org_a)).status_code == 403

    def test_the_clinic_dpo_contributor_edits(
        self, contributor_client: Client, org_a: Organisation
    ) -> None:
        assert contributor_client.get(url("register_processing_new", org_a)).status_code == 200


def _add_lines(make_processing: Make, make_processor: Callable[..., Processor], count: int) -> None:
    host = make_processor(
        hds_certificate_number="H", hds_certificate_expires_on=datetime.date(2030, 1, 1)
    )
    for _ in range(count):
        processing = make_processing(uses=["research"], claims_anonymised=True)
        services.recipient_add(
            actor=ACTOR, processing=processing, kind="processor", name="", processor=host
        )
        services.recipient_add(actor=ACTOR, processing=processing, kind="care_team", name="Équipe")
        services.route_set(
            actor=ACTOR,
            processing=processing,
            kind="authorisation",
            decision_number="D",
            decision_date=datetime.date(2025, 1, 1),
            scope="x",
            expires_on=datetime.date(2026, 12, 1),
        )


@pytest.mark.parametrize("rows", [1, 12])
def test_register_list_query_count_is_fixed(
    owner_client: Client,
    org_a: Organisation,
    make_processing: Make,
    make_processor: Callable[..., Processor],
    django_assert_num_queries: Any,
    rows: int,
) -> None:
    _add_lines(make_processing, make_processor, rows)
    # 6 to open the page (session, user, two OTP device lookups, membership check and
    # membership), 3 for the lines (processings + route, recipients + processors,
    # findings), 5 for privacy_alerts, 1 for the navigation memberships, the session save,
    # and the organisation switcher: the same for 1 line and for 12.
    with django_assert_num_queries(18):
        response = owner_client.get(url("register_list", org_a))
    assert page_text(response).count("ANON-CLAIM") == rows


@pytest.mark.parametrize("rows", [1, 12])
def test_processing_page_and_processors_query_counts(
    owner_client: Client,
    org_a: Organisation,
    make_processing: Make,
    make_processor: Callable[..., Processor],
    django_assert_num_queries: Any,
    rows: int,
) -> None:
    _add_lines(make_processing, make_processor, rows)
    with django_assert_num_queries(13):  # processors + recipients + their processings
        owner_client.get(url("register_processors", org_a))
    processing = ProcessingActivity.objects.filter(organisation=org_a).first()
    assert processing is not None
    with django_assert_num_queries(11):  # the line (3) and the processor choices (1)
        owner_client.get(url("register_processing", org_a, processing.pk))
