"""Global search: what a member may open, nothing of another organisation, fast."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Finding
from compliance.choices import Role
from compliance.models import Membership, User
from evidence.models import Evidence
from privacy.models import ProcessingActivity
from tests.demodata import CLINIC, HOST, demo
from tests.helpers import logged_in, page_text

__all__ = ["demo"]
pytestmark = pytest.mark.django_db


def member(slug: str, role: str = Role.MANAGER) -> User:
    return Membership.objects.filter(organisation__slug=slug, role=role).first().user  # type: ignore[union-attr]


def results(slug: str, query: str, role: str = Role.MANAGER) -> str:
    response = logged_in(member(slug, role)).get(f"/o/{slug}/search/", {"q": query})
    assert response.status_code == 200
    return page_text(response)


def test_finds_a_requirement_by_reference_and_links_to_its_row(demo: None) -> None:
    page = results(CLINIC, "A.5.15")

    assert "A.5.15" in page
    assert f'href="/o/{CLINIC}/soa/#req-a515"' in page


def test_every_word_must_match(demo: None) -> None:
    evidence = Evidence.objects.filter(organisation__slug=CLINIC).first()
    assert evidence is not None
    first, last = evidence.title.split()[0], evidence.title.split()[-1]

    page = results(CLINIC, f"{first.lower()} {last.upper()}")

    assert evidence.title in page
    assert f'href="/o/{CLINIC}/evidence/{evidence.pk}/"' in page
    assert evidence.title not in results(CLINIC, f"{first} zzzqqq")


def test_finds_findings_and_processing_activities(demo: None) -> None:
    finding = Finding.objects.filter(organisation__slug=CLINIC).first()
    processing = ProcessingActivity.objects.filter(organisation__slug=CLINIC).first()
    assert finding is not None and processing is not None

    assert f'href="/o/{CLINIC}/findings/{finding.pk}/"' in results(CLINIC, finding.title)
    assert f'href="/o/{CLINIC}/register/{processing.pk}/"' in results(CLINIC, processing.name)


def test_never_shows_another_organisation(demo: None) -> None:
    clinic_evidence = Evidence.objects.filter(organisation__slug=CLINIC).first()
    assert clinic_evidence is not None

    page = results(HOST, clinic_evidence.title)

    assert f"/evidence/{clinic_evidence.pk}/" not in page


def test_another_organisation_search_page_is_a_404(demo: None) -> None:
    response = logged_in(member(HOST)).get(f"/o/{CLINIC}/search/", {"q": "politique"})

    assert response.status_code == 404


def test_a_one_letter_query_asks_for_more(demo: None) -> None:
    assert "au moins deux caractères" in results(CLINIC, "a")


def test_no_match_says_what_to_try(demo: None) -> None:
    assert "Rien ne correspond" in results(CLINIC, "xqzwxqzw")


def test_search_is_bounded_in_queries_and_time(demo: None) -> None:
    client = logged_in(member(CLINIC))
    client.get(f"/o/{CLINIC}/search/", {"q": "a"})
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(f"/o/{CLINIC}/search/", {"q": "e"})
        elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert len(captured.captured_queries) <= 15  # session, membership, one per kind
    assert elapsed < 1.0
