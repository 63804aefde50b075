"""Findings are stored and recomputed on every change; routes are validated; the CNIL
scenario and the demo come out flagged with the right articles."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.models import AuditEvent, Organisation
from privacy import demo, services
from privacy.models import ComplianceFinding, ProcessingActivity, Processor
from privacy.selectors import privacy_alerts
from tests.factories import OrganisationFactory
from tests.privacy.conftest import ACTOR, rule_codes

Make = Callable[..., ProcessingActivity]


def test_findings_are_stored_when_a_processing_is_created(make_processing: Make) -> None:
    processing = make_processing(article9_condition="")
    finding = processing.findings.get(rule_code="ART9-NO-CONDITION")
    assert finding.severity == "critical"
    assert finding.article == "gdpr:9.1 gdpr:9.2"
    assert (
        finding.message_en
        == "Special categories (Health) are processed with no Art. 9(2) condition."
    )
    assert finding.message_fr == (
        "Des catégories particulières (Santé) sont traitées sans condition de l'art. 9(2)."
    )


def test_recording_the_route_clears_the_finding(make_processing: Make) -> None:
    processing = make_processing()
    assert rule_codes(processing) == {"ART66-NO-ROUTE"}
    services.route_set(actor=ACTOR, processing=processing, kind="exempt", exemption_reason="care")
    assert rule_codes(processing) == set()


def test_changing_the_processing_recomputes(make_processing: Make) -> None:
    processing = make_processing()
    services.route_set(actor=ACTOR, processing=processing, kind="exempt", exemption_reason="care")
    services.processing_update(actor=ACTOR, processing=processing, uses=["care", "statistics"])
    assert rule_codes(processing) == {"ART66-MISSING"}


def test_an_expired_hds_certificate_flags_every_processing_it_hosts(
    make_processing: Make, make_processor: Callable[..., Processor]
) -> None:
    host = make_processor(
        hds_certificate_number="HDS-1", hds_certificate_expires_on=datetime.date(2030, 1, 1)
    )
    processing = make_processing()
    services.recipient_add(
        actor=ACTOR, processing=processing, kind="processor", name="", processor=host
    )
    assert "HDS-CERTIFICATE" not in rule_codes(processing)
    services.processor_update(
        actor=ACTOR, processor=host, hds_certificate_expires_on=datetime.date(2020, 1, 1)
    )
    assert "HDS-CERTIFICATE" in rule_codes(processing)


def test_a_processor_of_another_organisation_cannot_be_linked(
    make_processing: Make, make_processor: Callable[..., Processor], org_b: Organisation
) -> None:
    foreign = make_processor(organisation=org_b)
    with pytest.raises(ValidationError):
        services.recipient_add(
            actor=ACTOR, processing=make_processing(), kind="processor", name="", processor=foreign
        )


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"kind": "exempt"}, "exemption_reason"),
        ({"kind": "mr_declaration", "methodology": "MR-004"}, "filing_date"),
        (
            {"kind": "warehouse_declaration", "filing_date": datetime.date(2026, 1, 1)},
            "receipt_number",
        ),
        ({"kind": "authorisation", "decision_number": "D-1", "scope": "x"}, "decision_date"),
        ({"kind": "pending"}, "filing_date"),
    ],
)
def test_each_route_needs_its_evidence(
    make_processing: Make, fields: dict[str, Any], missing: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.route_set(actor=ACTOR, processing=make_processing(), **fields)
    assert missing in error.value.message_dict


def test_only_health_data_processing_gets_a_route(make_processing: Make) -> None:
    processing = make_processing(special_categories=[], article9_condition="")
    with pytest.raises(ValidationError):
        services.route_set(
            actor=ACTOR, processing=processing, kind="exempt", exemption_reason="care"
        )


def test_one_route_per_processing_changes_in_place(make_processing: Make) -> None:
    processing = make_processing(uses=["research"])
    services.route_set(
        actor=ACTOR, processing=processing, kind="pending", filing_date=datetime.date(2026, 1, 5)
    )
    route = services.route_set(
        actor=ACTOR,
        processing=processing,
        kind="authorisation",
        decision_number="DR-2026-1",
        decision_date=datetime.date(2026, 6, 1),
        scope="Étude",
        expires_on=datetime.date(2031, 6, 1),
    )
    assert processing.__class__.objects.get(pk=processing.pk).route.pk == route.pk
    actions = list(
        AuditEvent.objects.filter(action="privacy.route_set")
        .order_by("sequence")
        .values_list("changes", flat=True)
    )
    assert len(actions) == 2 and actions[1]["kind"] == ["pending", "authorisation"]


def test_references_are_unique_in_an_organisation(
    make_processing: Make, org_b: Organisation
) -> None:
    make_processing(reference="T-900")
    with pytest.raises(ValidationError) as error:
        make_processing(reference="t-900")
    assert "reference" in error.value.message_dict
    make_processing(organisation=org_b, reference="T-900")  # another organisation may


def test_every_write_is_audited(make_processing: Make) -> None:
    processing = make_processing()
    services.processing_update(actor=ACTOR, processing=processing, name="DPI")
    services.processing_delete(actor=ACTOR, processing=processing)
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == [
        "privacy.processing_create",
        "privacy.processing_update",
        "privacy.processing_delete",
    ]
    assert not ComplianceFinding.objects.exists()


class TestCnilObservatoryScenario:
    """SAN-2024-013: a publisher's "observatory" collects pseudonymised consultation data
    from practices and sells statistics, with no Article 66 formality."""

    @pytest.fixture
    def observatory(self, make_processing: Make) -> ProcessingActivity:
        processing = make_processing(
            name="Observatoire",
            uses=["statistics"],
            legal_basis="",
            article9_condition="",
            large_scale=True,
            claims_anonymised=True,
        )
        services.recipient_add(
            actor=ACTOR, processing=processing, kind="commercial_reuser", name="Éditeur"
        )
        return processing

    def test_it_is_flagged_with_the_right_articles(self, observatory: ProcessingActivity) -> None:
        findings = {f.rule_code: f for f in observatory.findings.all()}
        assert set(findings) == {
            "ART66-MISSING", "ANON-CLAIM", "ART9-NO-CONDITION", "ART6-NO-BASIS", "DPIA-MISSING",
        }  # fmt: skip
        assert findings["ART66-MISSING"].severity == "critical"
        assert "lil-art66:AUTH" in findings["ART66-MISSING"].article
        assert "cnil-san-2024-013" in findings["ANON-CLAIM"].article
        assert "gdpr:35.3" in findings["DPIA-MISSING"].article
        assert "Éditeur" in findings["ART66-MISSING"].message_fr

    def test_a_publisher_calling_itself_processor_is_flagged_too(
        self, make_processing: Make
    ) -> None:
        processing = make_processing(role="processor", uses=["hosting", "statistics"])
        assert {"PROCESSOR-REUSE", "ART66-MISSING"} <= rule_codes(processing)

    def test_an_authorisation_covering_it_clears_the_critical_finding(
        self, observatory: ProcessingActivity
    ) -> None:
        services.route_set(
            actor=ACTOR,
            processing=observatory,
            kind="authorisation",
            decision_number="DR-1",
            decision_date=datetime.date(2026, 1, 1),
            scope="Statistiques",
            covered_uses=["care", "statistics"],
            covered_recipient_kinds=["commercial_reuser"],
        )
        assert "ART66-MISSING" not in rule_codes(observatory)


def test_privacy_alerts_counts_and_expiries(
    make_processing: Make,
    make_processor: Callable[..., Processor],
    org_a: Organisation,
    django_assert_num_queries: Any,
) -> None:
    today = timezone.localdate()
    make_processing(article9_condition="")  # critical + medium
    authorised = make_processing(uses=["research"])
    services.route_set(
        actor=ACTOR,
        processing=authorised,
        kind="authorisation",
        decision_number="DR-2",
        decision_date=today - datetime.timedelta(days=400),
        scope="Étude",
        expires_on=today + datetime.timedelta(days=20),
    )
    make_processor(
        hds_certificate_number="HDS-9",
        hds_certificate_expires_on=today - datetime.timedelta(days=1),
    )
    with django_assert_num_queries(5):
        alerts = privacy_alerts(org_a)
    assert alerts.findings_by_severity == {"critical": 1, "high": 0, "medium": 1, "low": 0}
    assert alerts.flagged_processings == 1 and alerts.processings == 2
    assert [r.processing_id for r in alerts.expiring_routes] == [authorised.pk]
    assert [p.hds_certificate_number for p in alerts.expired_certificates] == ["HDS-9"]


def test_the_demo_register_flags_the_observatory_and_is_idempotent(db: None) -> None:
    organisations = {
        slug: OrganisationFactory.create(slug=slug, name=slug)
        for slug in ("clinique-des-lilas", "hds-exemple")
    }
    demo.seed(organisations=organisations, actor=ACTOR)
    clinic = ProcessingActivity.objects.filter(organisation__slug="clinique-des-lilas")
    assert clinic.count() >= 10
    observatory = clinic.get(name__startswith="Observatoire")
    assert rule_codes(observatory) == {
        "ART66-MISSING", "ANON-CLAIM", "ART9-NO-CONDITION", "ART6-NO-BASIS", "DPIA-MISSING",
    }  # fmt: skip
    research = clinic.get(route__methodology="MR-004")
    assert rule_codes(research) == set()
    host_lines = ProcessingActivity.objects.filter(
        organisation__slug="hds-exemple", role="processor"
    )
    assert host_lines.count() >= 2
    assert Processor.objects.filter(organisation__slug="hds-exemple").count() >= 2
    counts = (
        ProcessingActivity.objects.count(),
        ComplianceFinding.objects.count(),
        AuditEvent.objects.count(),
    )
    demo.seed(organisations=organisations, actor=ACTOR)
    assert (
        ProcessingActivity.objects.count(),
        ComplianceFinding.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
