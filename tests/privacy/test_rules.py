"""Each rule of the engine with a passing and a failing case, on in-memory facts."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from privacy import rules
from privacy.models import Article66Route, ProcessingActivity, Processor, Recipient
from privacy.rules import RULES, RULES_BY_CODE, Facts, evaluate, reference_label
from tests.privacy.conftest import CARE

TODAY = datetime.date(2026, 11, 28)


def processing(**fields: Any) -> ProcessingActivity:
    return ProcessingActivity(**{**CARE, "reference": "T-1", **fields})


def facts(
    p: ProcessingActivity | None = None,
    *,
    recipients: list[Recipient] | None = None,
    route: Article66Route | None = None,
    passed: bool = False,
) -> Facts:
    return Facts(p or processing(), recipients or [], route, TODAY, passed)


def route(**fields: Any) -> Article66Route:
    return Article66Route(**fields)


def fails(code: str, f: Facts) -> bool:
    return RULES_BY_CODE[code].check(f) is not None


def test_a_complete_care_processing_passes_every_rule() -> None:
    f = facts(route=route(kind="exempt", exemption_reason="care"))
    assert evaluate(f) == []


def test_every_rule_cites_its_article_in_its_docstring_and_references() -> None:
    for item in RULES:
        assert item.references, item.code
        assert any(word in item.explanation for word in ("Art", "art.", "EXI")), item.code


def test_every_catalogue_reference_exists_in_the_catalogues() -> None:
    """No invented article: each ``framework:ref`` key is a requirement of a catalogue."""
    catalogues = Path(settings.BASE_DIR) / "controls" / "catalogues"
    known: dict[str, set[str]] = {}
    for path in catalogues.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        refs: set[str] = set()
        stack = list(data["requirements"])
        while stack:
            item = stack.pop()
            refs.add(item["ref_id"])
            stack.extend(item.get("children", []))
        known[data["framework"]["code"]] = refs
    for item in RULES:
        for key in item.references:
            if key in rules.OTHER_REFERENCES:
                continue
            framework, _sep, ref = key.partition(":")
            assert ref in known[framework], key


def test_references_read_as_each_language_cites_them() -> None:
    assert reference_label("gdpr:9.2.a", "fr") == "RGPD art. 9(2)(a)"
    assert reference_label("gdpr:35.3", "en") == "GDPR Art. 35(3)"
    assert reference_label("lil-art66:AUTH", "fr") == "art. 66-III loi n° 78-17"
    assert reference_label("hds-2024:EXI-28", "en") == "HDS v2 EXI 28"


class TestArticle66Missing:
    def test_statistics_on_health_data_without_route_is_critical(self) -> None:
        f = facts(processing(uses=["care", "statistics"]))
        message = RULES_BY_CODE["ART66-MISSING"].check(f)
        assert message is not None
        assert "Statistics" in message.render("en")
        assert RULES_BY_CODE["ART66-MISSING"].severity == "critical"

    def test_a_commercial_reuser_needs_a_formality_too(self) -> None:
        reuser = Recipient(kind="commercial_reuser", name="Data broker")
        assert fails("ART66-MISSING", facts(recipients=[reuser]))

    def test_an_exemption_does_not_cover_research(self) -> None:
        f = facts(
            processing(uses=["research"]), route=route(kind="exempt", exemption_reason="care")
        )
        message = RULES_BY_CODE["ART66-MISSING"].check(f)
        assert message is not None and "Art. 65" in message.render("en")

    def test_a_pending_file_is_not_yet_a_formality(self) -> None:
        f = facts(processing(uses=["research"]), route=route(kind="pending"))
        assert fails("ART66-MISSING", f)

    def test_an_mr_declaration_is_a_valid_route(self) -> None:
        f = facts(
            processing(uses=["research"]),
            route=route(kind="mr_declaration", methodology="MR-004"),
        )
        assert not fails("ART66-MISSING", f)

    def test_research_on_data_without_health_category_is_not_in_scope(self) -> None:
        assert not fails(
            "ART66-MISSING", facts(processing(uses=["research"], special_categories=[]))
        )


class TestNoRoute:
    def test_health_data_for_care_without_a_route(self) -> None:
        assert fails("ART66-NO-ROUTE", facts())

    def test_with_its_exemption_recorded(self) -> None:
        assert not fails(
            "ART66-NO-ROUTE", facts(route=route(kind="exempt", exemption_reason="care"))
        )

    def test_a_processor_line_is_the_controllers_formality(self) -> None:
        assert not fails("ART66-NO-ROUTE", facts(processing(role="processor")))


class TestExpired:
    def test_an_authorisation_past_its_expiry(self) -> None:
        r = route(kind="authorisation", expires_on=TODAY - datetime.timedelta(days=1))
        assert fails("ART66-EXPIRED", facts(route=r))

    def test_an_authorisation_still_valid(self) -> None:
        r = route(kind="authorisation", expires_on=TODAY)
        assert not fails("ART66-EXPIRED", facts(route=r))


class TestScope:
    def test_recipients_outside_the_authorised_scope(self) -> None:
        r = route(
            kind="authorisation",
            covered_uses=["research"],
            covered_recipient_kinds=["research_body"],
        )
        f = facts(
            processing(uses=["research"]),
            recipients=[Recipient(kind="commercial_reuser", name="Labo")],
            route=r,
        )
        message = RULES_BY_CODE["ART66-SCOPE"].check(f)
        assert message is not None and "Commercial reuser" in message.render("en")

    def test_uses_outside_the_declared_scope(self) -> None:
        r = route(kind="mr_declaration", methodology="MR-004", covered_uses=["research"])
        assert fails("ART66-SCOPE", facts(processing(uses=["research", "statistics"]), route=r))

    def test_everything_recorded_is_covered(self) -> None:
        r = route(
            kind="authorisation",
            covered_uses=["research"],
            covered_recipient_kinds=["research_body"],
        )
        f = facts(
            processing(uses=["research"]),
            recipients=[Recipient(kind="research_body", name="URC")],
            route=r,
        )
        assert not fails("ART66-SCOPE", f)

    def test_an_exemption_covers_care_uses_only(self) -> None:
        r = route(kind="exempt", exemption_reason="care")
        assert fails("ART66-SCOPE", facts(processing(uses=["care", "hr"]), route=r))
        assert not fails("ART66-SCOPE", facts(processing(uses=["care", "billing"]), route=r))


class TestMrIdentifiers:
    def test_an_mr_project_holding_the_nir(self) -> None:
        r = route(kind="mr_declaration", methodology="MR-004")
        f = facts(processing(uses=["research"], direct_identifiers=["nir", "name"]), route=r)
        message = RULES_BY_CODE["ART66-MR-IDENTIFIERS"].check(f)
        assert message is not None and "MR-004" in message.render("en")

    def test_an_mr_project_without_direct_identifiers(self) -> None:
        r = route(kind="mr_declaration", methodology="MR-004")
        assert not fails("ART66-MR-IDENTIFIERS", facts(processing(uses=["research"]), route=r))

    def test_care_may_hold_them(self) -> None:
        r = route(kind="exempt", exemption_reason="care")
        assert not fails(
            "ART66-MR-IDENTIFIERS", facts(processing(direct_identifiers=["nir"]), route=r)
        )


class TestClaimedAnonymous:
    def test_a_claim_without_assessment_is_treated_as_pseudonymised(self) -> None:
        message = RULES_BY_CODE["ANON-CLAIM"].check(facts(processing(claims_anonymised=True)))
        assert message is not None and "pseudonymised" in message.render("en")

    def test_a_claim_with_a_passing_assessment(self) -> None:
        assert not fails("ANON-CLAIM", facts(processing(claims_anonymised=True), passed=True))

    def test_the_issue_7_hook_finds_no_assessment_for_an_unsaved_line(self) -> None:
        assert rules.anonymity_assessment_passed(processing(claims_anonymised=True)) is False


class TestArticles6And9:
    def test_health_data_without_an_article_9_condition(self) -> None:
        assert fails("ART9-NO-CONDITION", facts(processing(article9_condition="")))

    def test_with_a_condition(self) -> None:
        assert not fails("ART9-NO-CONDITION", facts())

    def test_no_special_category_needs_no_condition(self) -> None:
        assert not fails(
            "ART9-NO-CONDITION", facts(processing(special_categories=[], article9_condition=""))
        )

    def test_a_condition_without_a_lawful_basis(self) -> None:
        message = RULES_BY_CODE["ART6-NO-BASIS"].check(facts(processing(legal_basis="")))
        assert message is not None and "both are needed" in message.render("en")

    def test_a_lawful_basis_recorded(self) -> None:
        assert not fails("ART6-NO-BASIS", facts())


class TestDpia:
    def test_large_scale_health_data_need_a_dpia(self) -> None:
        message = RULES_BY_CODE["DPIA-MISSING"].check(facts(processing(large_scale=True)))
        assert message is not None and "35(3)(b)" in message.render("en")

    def test_a_dpia_done(self) -> None:
        p = processing(large_scale=True, dpia_done_on=TODAY)
        assert not fails("DPIA-MISSING", facts(p))

    def test_small_scale_needs_none(self) -> None:
        assert not fails("DPIA-MISSING", facts())

    def test_review_date_passed(self) -> None:
        p = processing(dpia_done_on=TODAY.replace(year=2024), dpia_review_on=TODAY.replace(day=1))
        assert fails("DPIA-REVIEW", facts(p))
        p.dpia_review_on = TODAY.replace(year=2027)
        assert not fails("DPIA-REVIEW", facts(p))


class TestTransfers:
    def test_data_outside_the_eea_without_safeguard(self) -> None:
        assert fails(
            "TRANSFER-NO-SAFEGUARD", facts(processing(third_country_transfers="USA (support)"))
        )

    def test_with_contractual_clauses(self) -> None:
        p = processing(third_country_transfers="USA (support)", transfer_safeguard="safeguards")
        assert not fails("TRANSFER-NO-SAFEGUARD", facts(p))

    def test_a_derogation_must_be_documented(self) -> None:
        p = processing(third_country_transfers="USA", transfer_safeguard="derogation")
        assert fails("TRANSFER-NO-SAFEGUARD", facts(p))
        p.transfer_safeguard_documentation = "Art. 49(1)(c), contrat avec la personne"
        assert not fails("TRANSFER-NO-SAFEGUARD", facts(p))

    def test_a_recipient_outside_the_eea(self) -> None:
        r = Recipient(kind="other", name="Support US", location="outside_eea")
        assert fails("TRANSFER-NO-SAFEGUARD", facts(recipients=[r]))


def host(**fields: Any) -> Recipient:
    processor = Processor(name="Cloud", hosts_data=True, **fields)
    return Recipient(kind="processor", name="Cloud", processor=processor)


class TestHosting:
    def test_health_data_stored_outside_the_eea(self) -> None:
        assert fails("HDS-EEA-STORAGE", facts(recipients=[host(location="outside_eea")]))
        assert not fails("HDS-EEA-STORAGE", facts(recipients=[host(location="eea")]))

    def test_a_host_without_hds_certificate(self) -> None:
        assert fails("HDS-CERTIFICATE", facts(recipients=[host()]))

    def test_a_host_whose_certificate_expired(self) -> None:
        expired = host(
            hds_certificate_number="HDS-1", hds_certificate_expires_on=TODAY.replace(year=2025)
        )
        assert fails("HDS-CERTIFICATE", facts(recipients=[expired]))

    def test_a_certified_host(self) -> None:
        valid = host(hds_certificate_number="HDS-1", hds_certificate_expires_on=TODAY)
        assert not fails("HDS-CERTIFICATE", facts(recipients=[valid]))

    def test_no_certificate_needed_without_health_data(self) -> None:
        assert not fails(
            "HDS-CERTIFICATE", facts(processing(special_categories=[]), recipients=[host()])
        )


class TestProcessorReuse:
    def test_a_processor_selling_statistics_acts_as_controller(self) -> None:
        p = processing(role="processor", uses=["hosting", "statistics"])
        assert fails("PROCESSOR-REUSE", facts(p))

    def test_a_processor_hosting_on_instructions(self) -> None:
        assert not fails("PROCESSOR-REUSE", facts(processing(role="processor", uses=["hosting"])))


class TestRegisterComplete:
    def test_missing_retention_and_security(self) -> None:
        message = RULES_BY_CODE["REGISTER-INCOMPLETE"].check(
            facts(processing(retention="", security_measures=""))
        )
        assert message is not None
        assert "erasure time limits" in message.render("en")
        assert "durées de conservation" in message.render("fr")

    def test_complete(self) -> None:
        assert not fails("REGISTER-INCOMPLETE", facts())

    def test_a_processor_line_needs_its_controller(self) -> None:
        p = processing(role="processor", controller_name="")
        assert fails("REGISTER-INCOMPLETE", facts(p))


@pytest.mark.parametrize("item", RULES, ids=lambda r: r.code)
def test_every_rule_has_a_french_title(item: rules.Rule) -> None:
    from django.utils import translation

    from tests.helpers import fr

    with translation.override("en"):
        english = str(item.title)
    assert fr(item.title) != english
