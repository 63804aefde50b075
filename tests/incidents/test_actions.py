"""Facts, timeline, closing, and tenancy of every incident page; API query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from compliance.models import AuditEvent, Organisation
from incidents.models import Incident, IncidentEvent
from tests.helpers import page_text

from .conftest import make_incident

pytestmark = pytest.mark.django_db


def url(incident: Incident, rest: str = "") -> str:
    return f"/o/{incident.organisation.slug}/incidents/{incident.pk}/{rest}"


def test_the_declaration_form_offers_only_members_as_owner(
    owner_client: Client, essential_org: Organisation, outsider: Any
) -> None:
    text = page_text(owner_client.get(f"/o/{essential_org.slug}/incidents/new/"))
    assert "owner@tilleuls.example" in text or "Prénom" in text
    assert "outsider@sante-sud.example" not in text


def test_editing_the_facts_is_audited_and_on_the_timeline(
    owner_client: Client, ransomware: Incident
) -> None:
    response = owner_client.post(
        url(ransomware, "edit/"),
        {
            "title": ransomware.title,
            "description": "Chiffrement du DPI",
            "data_subjects_count": "1200",
            "suspected_malicious": "true",
            "cross_border_impact": "unknown",
        },
    )
    assert response.status_code == 302, page_text(response)
    ransomware.refresh_from_db()
    assert ransomware.data_subjects_count == 1200 and ransomware.suspected_malicious is True
    assert AuditEvent.objects.filter(action="incidents.update").exists()
    assert IncidentEvent.objects.filter(incident=ransomware, kind="facts").exists()


def test_a_negative_count_is_refused_next_to_the_field(
    owner_client: Client, ransomware: Incident
) -> None:
    response = owner_client.post(
        url(ransomware, "edit/"), {"title": "X", "data_subjects_count": "-3"}
    )
    assert response.status_code == 200
    assert 'class="field has-error"' in page_text(response)


def test_adding_to_the_timeline(owner_client: Client, ransomware: Incident) -> None:
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = owner_client.post(
        url(ransomware, "events/"), {"occurred_at": when, "text": "Plainte déposée"}
    )
    assert response.status_code == 302
    assert "Plainte déposée" in page_text(owner_client.get(url(ransomware)))


def test_closing_asks_first_then_closes(owner_client: Client, ransomware: Incident) -> None:
    confirm = page_text(owner_client.get(url(ransomware, "close/")))
    assert "Clore l'incident ?" in confirm and "restent dues" in confirm
    ransomware.refresh_from_db()
    assert ransomware.closed_at is None
    assert owner_client.post(url(ransomware, "close/")).status_code == 302
    ransomware.refresh_from_db()
    assert ransomware.closed_at is not None and not ransomware.ongoing


@pytest.mark.parametrize(
    ("method", "rest"),
    [
        ("get", "campaign/"),
        ("get", "campaign/letter/"),
        ("get", "close/"),
        ("post", "close/"),
        ("post", "events/"),
        ("post", "lessons/"),
        ("post", "qualify/"),
    ],
)
def test_every_page_of_another_organisations_incident_is_a_404(
    outsider_client: Client, ransomware: Incident, method: str, rest: str
) -> None:
    response = getattr(outsider_client, method)(url(ransomware, rest), {})
    assert response.status_code == 404


@pytest.mark.parametrize("rest", ["edit/", "close/", "campaign/"])
def test_a_viewer_is_refused_the_manage_pages(
    member_client: Client, ransomware: Incident, rest: str
) -> None:
    assert member_client.get(url(ransomware, rest)).status_code == 403


@pytest.mark.parametrize("count", [1, 5])
def test_the_api_list_runs_a_fixed_number_of_queries(
    reader: Client, essential_org: Organisation, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        make_incident(
            essential_org, title=f"I{n}", nis2_significant=True, personal_data_breach=True
        )
    # key lookup, key last-used stamp, COUNT, incidents (+owner, campaign), notifications
    with django_assert_num_queries(5):
        body = reader.get("/api/v1/incidents/").json()
    assert body["count"] == count
    assert len(body["results"][0]["notifications"]) == 4
