"""The evidence demo: real small files of every kind, one expired, one link; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from compliance.models import AuditEvent
from compliance.services.audit_trail import SystemActor
from evidence import demo
from evidence.models import Evidence, EvidenceRevision
from evidence.selectors import evidence_counts
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.usefixtures("catalogues", "db")


def test_the_demo_seeds_real_files_once() -> None:
    clinic = OrganisationFactory.create(slug="clinique-des-lilas", name="Clinique des Lilas")
    actor = SystemActor("seed_demo")

    demo.seed(organisations={clinic.slug: clinic}, actor=actor)
    events = AuditEvent.objects.count()
    demo.seed(organisations={clinic.slug: clinic}, actor=actor)

    assert AuditEvent.objects.count() == events
    items = Evidence.objects.filter(organisation=clinic)
    assert items.count() == 9
    assert items.filter(url__gt="").count() == 1
    assert [e.title for e in items if e.is_expired()] == ["Attestations de sensibilisation 2024"]
    types = set(EvidenceRevision.objects.values_list("media_type", flat=True))
    assert types == {"text/plain", "text/csv", "image/png", "application/pdf"}
    assert all(e.requirements.exists() for e in items)
    counts = evidence_counts(clinic)
    assert sum(c.expired for c in counts.values()) == 1
    call_command("verify_evidence", "--organisation", clinic.slug)  # every file intact
