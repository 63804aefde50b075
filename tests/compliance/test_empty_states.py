"""A new organisation's lists say what to do next, with the button to do it, to whoever
may do it (issue 9: "empty states that say what to do next")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from compliance.models import Organisation
from tests.helpers import fr, page_text

EMPTY_LISTS = [
    (
        "evidence_list",
        "No evidence yet. Add a policy, a report or a screenshot and link it to the "
        "requirements it proves: the SoA and the audits then show it.",
        "evidence_new",
    ),
    (
        "incident_list",
        "No incident recorded. When something happens, declare it at once: the NIS2 and "
        "GDPR clocks run from the moment you became aware, and Egide shows what is owed to "
        "whom.",
        "incident_new",
    ),
    (
        "asset_list",
        "No asset yet. Start with what holds health data: the patient record system, its "
        "database, the backups and the host.",
        "asset_new",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "guidance", "next_step"), EMPTY_LISTS)
def test_an_empty_list_says_what_to_do_next(
    owner_client: Client, org_a: Organisation, page: str, guidance: str, next_step: str
) -> None:
    response = owner_client.get(reverse(page, args=[org_a.slug]))
    assert response.status_code == 200
    text = page_text(response)
    assert fr(guidance) in text
    assert fr(guidance) != guidance, "the guidance is translated into French"
    assert text.count(f'href="{reverse(next_step, args=[org_a.slug])}"') >= 2  # head + empty


@pytest.mark.django_db
def test_a_viewer_gets_the_guidance_without_the_button(
    member_client: Client, org_a: Organisation
) -> None:
    text = page_text(member_client.get(reverse("incident_list", args=[org_a.slug])))
    assert fr(EMPTY_LISTS[1][1]) in text
    assert reverse("incident_new", args=[org_a.slug]) not in text
