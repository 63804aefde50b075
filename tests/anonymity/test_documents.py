"""The assessment as a PDF document (reports registry) and as evidence."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from anonymity import documents
from anonymity.models import AnonymityAssessment
from compliance.models import Organisation, User
from reports.registry import BuildRequest, get_document
from tests.anonymity.test_pages_and_api import make_assessment


def test_registered_and_scoped(owner: User, org_a: Organisation, org_b: Organisation) -> None:
    assessment = make_assessment(org_a, owner)
    document = get_document("anonymity_assessment")
    assert document is not None
    assert document.clean(org_a, {"assessment": str(assessment.pk)}) == {
        "assessment": assessment.pk
    }
    with pytest.raises(ValidationError):
        document.clean(org_b, {"assessment": str(assessment.pk)})


def test_build_renders_and_manifest_detects_changes(owner: User, org_a: Organisation) -> None:
    assessment = make_assessment(org_a, owner)
    built = documents.build(
        BuildRequest(organisation=org_a, parameters={"assessment": assessment.pk}, language="fr")
    )
    html = render_to_string(built.template, {**built.context, "subtitle": built.subtitle})
    assert "Pseudonymisé" in html and assessment.file_sha256 in html
    item = built.manifest_items[0]
    assert documents.check(org_a, item) is None
    AnonymityAssessment.objects.filter(pk=assessment.pk).update(results={"tampered": True})
    assert documents.check(org_a, item) is not None


def test_file_as_evidence(owner_client: Client, owner: User, org_a: Organisation) -> None:
    from evidence.models import Evidence

    assessment = make_assessment(org_a, owner)
    response = owner_client.post(reverse("anonymity_evidence", args=[org_a.slug, assessment.pk]))
    assert response.status_code == 302
    evidence = Evidence.objects.get(organisation=org_a)
    assert assessment.file_name in evidence.title
