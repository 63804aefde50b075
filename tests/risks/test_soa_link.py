"""The SoA shows the risks each control treats, flags an excluded control that treats a
risk, and an inclusion justification can name the risks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import Organisation, User
from controls.models import Applicability, Requirement
from controls.services.statuses import requirement_status_update
from risks.models import Risk
from tests.helpers import page_text

MakeRisk = Callable[..., Risk]
Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.django_db

ISO = "iso27001-2022"


def soa_page(client: Client, organisation: Organisation, query: str = "") -> str:
    return page_text(client.get(reverse("soa", args=[organisation.slug]) + query))


def test_the_soa_shows_how_many_risks_an_applicable_control_treats(
    org_a: Organisation, owner: User, owner_client: Client, make_risk: MakeRisk, requirement: Find
) -> None:
    control = requirement(ISO, "A.8.7")
    requirement_status_update(
        actor=owner,
        organisation=org_a,
        requirement=control,
        applicable=True,
        inclusion_justification="Postes de travail.",
    )
    make_risk(title="Rançongiciel", existing_controls=[control])
    make_risk(title="Clé USB", planned_controls=[control])

    page = soa_page(owner_client, org_a, "?theme=technological")

    assert "traite 2 risques" in page
    assert reverse("risk_register", args=[org_a.slug]) + "?control=A.8.7" in page


def test_an_excluded_control_that_treats_a_risk_is_flagged(
    org_a: Organisation, owner: User, owner_client: Client, make_risk: MakeRisk, requirement: Find
) -> None:
    control = requirement(ISO, "A.8.7")
    requirement_status_update(
        actor=owner,
        organisation=org_a,
        requirement=control,
        applicable=False,
        exclusion_justification="Pas de poste de travail.",
    )
    assert "exclue mais traite un risque" not in soa_page(owner_client, org_a)

    make_risk(title="Rançongiciel", existing_controls=[control])

    assert "exclue mais traite un risque" in soa_page(owner_client, org_a)
    coverage = page_text(owner_client.get(reverse("risk_soa_coverage", args=[org_a.slug])))
    assert "1 mesure est exclue de la DdA alors qu'elle traite un risque." in coverage


def test_another_organisations_risks_are_not_counted(
    org_a: Organisation, org_b: Organisation, owner_client: Client, requirement: Find, risk_b: Risk
) -> None:
    from risks.models import RiskControl

    RiskControl.objects.create(risk=risk_b, requirement=requirement(ISO, "A.8.7"), role="existing")

    assert "traite 1 risque" not in soa_page(owner_client, org_a)


def test_the_soa_page_query_count_does_not_grow_with_risks(
    org_a: Organisation, owner: User, owner_client: Client, make_risk: MakeRisk, requirement: Find
) -> None:
    for ref in ("A.8.7", "A.8.13", "A.5.15", "A.6.3"):
        requirement_status_update(
            actor=owner,
            organisation=org_a,
            requirement=requirement(ISO, ref),
            applicable=True,
            inclusion_justification="Retenue.",
        )
    url = reverse("soa", args=[org_a.slug])
    owner_client.get(url)
    with CaptureQueriesContext(connection) as before:
        owner_client.get(url)
    for ref in ("A.8.7", "A.8.13", "A.5.15", "A.6.3"):
        make_risk(title=f"Risque {ref}", existing_controls=[requirement(ISO, ref)])
    with CaptureQueriesContext(connection) as after:
        owner_client.get(url)

    assert len(after) == len(before)
    assert "traite 1 risque" in page_text(owner_client.get(url))


def test_the_inclusion_justification_names_the_risks(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk, requirement: Find
) -> None:
    control = requirement(ISO, "A.8.13")
    risk = make_risk(title="Panne du DPI", planned_controls=[control])

    response = owner_client.post(reverse("risk_soa_justify", args=[org_a.slug, control.pk]))

    assert response.status_code == 302
    line = Applicability.objects.get(organisation=org_a, requirement=control)
    assert line.applicable is True
    assert f"{risk.reference} Panne du DPI" in line.inclusion_justification
    # Twice does not repeat it.
    owner_client.post(reverse("risk_soa_justify", args=[org_a.slug, control.pk]))
    line.refresh_from_db()
    assert line.inclusion_justification.count(risk.reference) == 1


def test_justifying_needs_the_soa_permission(
    org_a: Organisation, client_as: Callable[[str], Client], make_risk: MakeRisk, requirement: Find
) -> None:
    control = requirement(ISO, "A.8.13")
    make_risk(planned_controls=[control])

    response = client_as("contributor").post(
        reverse("risk_soa_justify", args=[org_a.slug, control.pk])
    )

    assert response.status_code == 403
    assert not Applicability.objects.filter(requirement=control).exists()
