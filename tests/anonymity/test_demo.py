"""The demo assessment: pseudonymised with reasons, linked to T-010, idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anonymity import demo
from anonymity.models import AnonymityAssessment
from compliance.services.audit_trail import SystemActor
from tests.factories import OrganisationFactory


def test_demo_seed_is_idempotent_and_pseudonymised(
    db: None, make_processing: Callable[..., Any]
) -> None:
    clinic = OrganisationFactory.create(slug="clinique-des-lilas")
    processing = make_processing(organisation=clinic, reference="T-010", claims_anonymised=True)
    actor = SystemActor("demo")
    demo.seed(organisations={"clinique-des-lilas": clinic}, actor=actor)
    demo.seed(organisations={"clinique-des-lilas": clinic}, actor=actor)
    assessment = AnonymityAssessment.objects.get()
    assert assessment.processing == processing
    assert assessment.verdict == "pseudonymised"
    codes = {r["code"] for r in assessment.results["reasons"]}
    assert {"persistent_pseudonym", "k_below_threshold", "free_text_categories"} <= codes
    assert assessment.results["rerun"] is not None
