"""The risk pages: tenancy (404), permissions (403), forms, register query counts,
exports, heat map, library."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from compliance.models import AuditEvent, Organisation, User
from controls.models import Framework, Requirement
from risks.models import Asset, Risk
from risks.services.assets import asset_create
from tests.helpers import page_text
from tests.risks.conftest import ACTOR

MakeRisk = Callable[..., Risk]
Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.django_db


def url(name: str, organisation: Organisation, *args: object) -> str:
    return reverse(name, args=[organisation.slug, *args])


PAGES = [
    "risk_register",
    "risk_heatmap",
    "risk_treatment_plan",
    "asset_list",
    "risk_library",
    "risk_method",
    "risk_export",
]


@pytest.mark.parametrize("name", PAGES)
def test_a_viewer_sees_every_risk_page(
    org_a: Organisation, member_client: Client, method_a: object, name: str
) -> None:
    assert member_client.get(url(name, org_a)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_another_organisation_is_a_404(
    org_a: Organisation, outsider_client: Client, name: str
) -> None:
    assert outsider_client.get(url(name, org_a)).status_code == 404


def test_another_organisations_risk_is_a_404(
    org_a: Organisation, owner_client: Client, risk_b: Risk
) -> None:
    assert owner_client.get(url("risk_detail", org_a, risk_b.pk)).status_code == 404
    assert owner_client.get(url("risk_edit", org_a, risk_b.pk)).status_code == 404
    assert owner_client.post(url("risk_delete", org_a, risk_b.pk)).status_code == 404
    assert Risk.objects.filter(pk=risk_b.pk).exists()


@pytest.mark.parametrize("name", ["risk_new", "asset_new", "risk_library_select"])
def test_a_viewer_gets_403_on_writes(org_a: Organisation, member_client: Client, name: str) -> None:
    assert member_client.post(url(name, org_a), {"title": "x"}).status_code == 403


def test_a_viewer_cannot_change_the_method(org_a: Organisation, member_client: Client) -> None:
    response = member_client.post(url("risk_method", org_a), {"likelihood_size": "3"})
    assert response.status_code == 403


def test_the_nav_shows_the_risks_tab(org_a: Organisation, member_client: Client) -> None:
    page = page_text(member_client.get(url("organisation_home", org_a)))
    assert url("risk_register", org_a) in page
    assert "Risques" in page


def test_creating_a_risk_through_the_form(
    org_a: Organisation, owner: User, owner_client: Client, method_a: object
) -> None:
    asset = asset_create(actor=ACTOR, organisation=org_a, name="DPI", kind="system")
    response = owner_client.post(
        url("risk_new", org_a),
        {
            "title": "Rançongiciel",
            "assets": [asset.pk],
            "affects_availability": "on",
            "current_likelihood": "3",
            "current_impact": "4",
            "treatment": "reduce",
            "owner": owner.pk,
        },
    )

    assert response.status_code == 302
    risk = Risk.objects.get(organisation=org_a)
    assert risk.current_level.score == 12  # type: ignore[union-attr]
    assert list(risk.assets.all()) == [asset]
    assert AuditEvent.objects.filter(organisation=org_a, action="risks.risk_created").exists()


def test_a_half_given_level_is_refused_and_nothing_is_lost(
    org_a: Organisation, owner_client: Client, method_a: object
) -> None:
    response = owner_client.post(
        url("risk_new", org_a),
        {"title": "Hameçonnage du personnel", "current_likelihood": "3", "threat": "Courriel"},
    )

    assert response.status_code == 200
    page = page_text(response)
    assert "Hameçonnage du personnel" in page and "Courriel" in page
    assert 'class="error"' in page
    assert not Risk.objects.exists()


def test_the_asset_form_refuses_a_duplicate_name(org_a: Organisation, owner_client: Client) -> None:
    asset_create(actor=ACTOR, organisation=org_a, name="DPI", kind="system")

    response = owner_client.post(
        url("asset_new", org_a),
        {"name": "dpi", "kind": "system", "classification": "internal"},
    )

    assert response.status_code == 200
    assert Asset.objects.filter(organisation=org_a).count() == 1


@pytest.fixture
def register_queries(
    org_a: Organisation, owner: User, owner_client: Client, make_risk: MakeRisk, iso: Framework
) -> tuple[int, int]:
    from controls.models import Requirement

    controls = list(Requirement.objects.soa_controls().filter(framework=iso)[:3])

    def add(n: int) -> None:
        for i in range(n):
            asset = asset_create(
                actor=ACTOR,
                organisation=org_a,
                name=f"Actif {Risk.objects.count()}-{i}",
                kind="system",
            )
            make_risk(
                title=f"Risque {i}",
                assets=[asset],
                existing_controls=controls[:2],
                planned_controls=controls[2:],
                owner=owner,
                current_likelihood=2,
                current_impact=2,
            )

    add(1)
    owner_client.get(url("risk_register", org_a))
    with CaptureQueriesContext(connection) as one:
        assert owner_client.get(url("risk_register", org_a)).status_code == 200
    add(12)
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(url("risk_register", org_a))
    assert page_text(response).count("R-0") >= 13
    return len(one), len(many)


def test_the_register_runs_the_same_queries_with_1_or_13_risks(
    register_queries: tuple[int, int],
) -> None:
    one, many = register_queries
    # 1. session, 2. user, 3-5. two-factor checks, 6. membership, 7. risks with owner,
    # acceptor and method, 8. their assets, 9. their control links with requirements,
    # 10. the method in force, 11-12. the owner and asset choices of the filters,
    # 13. the organisation switcher. Nothing per row.
    assert one == many
    assert one == 13


def test_the_register_filters_by_control(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk, requirement: Find
) -> None:
    control = requirement("iso27001-2022", "A.8.7")
    make_risk(title="Avec A.8.7", existing_controls=[control])
    make_risk(title="Sans contrôle")

    page = page_text(owner_client.get(url("risk_register", org_a) + "?control=A.8.7"))

    assert "Avec A.8.7" in page
    assert "Sans contrôle" not in page


def test_exports_list_every_risk_and_defuse_formulas(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk
) -> None:
    make_risk(title='=HYPERLINK("http://evil")', current_likelihood=2, current_impact=3)

    response = owner_client.get(url("risk_export", org_a) + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Référence"
    assert rows[1][0] == "R-001"
    assert rows[1][1].startswith("'=")

    response = owner_client.get(url("risk_export", org_a) + "?format=xlsx&lang=en")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Reference"
    assert sheet["A3"].value == "R-001"


def test_the_heat_map_places_current_and_residual_risks(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk
) -> None:
    make_risk(
        title="Panne",
        current_likelihood=4,
        current_impact=4,
        residual_likelihood=1,
        residual_impact=2,
    )

    page = page_text(owner_client.get(url("risk_heatmap", org_a)))

    assert page.count("<svg") == 2
    assert 'role="img"' in page
    # The text alternative lists the risk at both stages.
    assert page.count("R-001</a> Panne") == 2


def test_the_library_adds_scenarios_once(
    org_a: Organisation, owner_client: Client, iso: Framework
) -> None:
    codes = {"codes": ["hds-exi05-a", "ransomware-patient-record"]}
    owner_client.post(url("risk_library_select", org_a), codes)
    owner_client.post(url("risk_library_select", org_a), codes)

    risks = list(Risk.objects.filter(organisation=org_a))
    assert len(risks) == 2
    media = next(r for r in risks if r.library_code == "hds-exi05-a")
    assert media.title == "A. Défaillance d'un support"
    assert media.source_reference.startswith("Référentiel HDS v2, EXI 05")
    assert {c.requirement.ref_id for c in media.control_links.all()} == {"A.7.10", "A.8.13"}


def test_the_library_refuses_an_unknown_code(org_a: Organisation, owner_client: Client) -> None:
    owner_client.post(url("risk_library_select", org_a), {"codes": ["nope"]})
    assert not Risk.objects.exists()


def test_the_method_form_adopts_a_new_version(
    org_a: Organisation, owner_client: Client, method_a: object
) -> None:
    data = {
        "likelihood_size": "5",
        "impact_size": "3",
        "acceptance_threshold": "5",
        "acceptor_roles": ["manager"],
        "likelihood_1_fr": "Exceptionnelle",
        "likelihood_1_en": "Exceptional",
    }
    response = owner_client.post(url("risk_method", org_a), data)

    assert response.status_code == 302
    from risks.services.method import method_current

    method = method_current(org_a)
    assert method is not None and method.version == 2
    assert (method.likelihood_size, method.impact_size) == (5, 3)
    assert method.likelihood_labels[0] == {"fr": "Exceptionnelle", "en": "Exceptional"}
    assert method.likelihood_labels[4]["en"] == "Almost certain"


def test_the_risk_page_shows_the_old_method_and_offers_reassessment(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk
) -> None:
    from tests.risks.conftest import make_method

    risk = make_risk(current_likelihood=4, current_impact=4)
    make_method(org_a, size=3, threshold=3)

    page = page_text(owner_client.get(url("risk_detail", org_a, risk.pk)))

    assert "Quasi certaine" in page
    assert url("risk_reassess", org_a, risk.pk) in page


def test_delete_asks_for_confirmation(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk
) -> None:
    risk = make_risk()
    assert owner_client.get(url("risk_delete", org_a, risk.pk)).status_code == 200
    assert Risk.objects.filter(pk=risk.pk).exists()
    assert owner_client.post(url("risk_delete", org_a, risk.pk)).status_code == 302
    assert not Risk.objects.filter(pk=risk.pk).exists()


@pytest.mark.parametrize("name", ["risk_treatment_plan", "risk_heatmap", "asset_list"])
def test_other_list_pages_run_the_same_queries_for_1_or_8_risks(
    org_a: Organisation, owner: User, owner_client: Client, make_risk: MakeRisk, name: str
) -> None:
    from risks.services.actions import risk_action_create

    def add() -> None:
        asset = asset_create(
            actor=ACTOR, organisation=org_a, name=f"Actif {Risk.objects.count()}", kind="site"
        )
        risk = make_risk(
            assets=[asset], owner=owner, treatment="reduce", current_likelihood=3, current_impact=3
        )
        risk_action_create(
            actor=ACTOR, risk=risk, title="Action", due_date=datetime.date(2027, 3, 1), owner=owner
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url(name, org_a)).status_code == 200
        return len(queries)

    add()
    count()
    one = count()
    for _n in range(7):
        add()
    assert count() == one


def test_the_heat_map_sets_aside_risks_of_an_older_method(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk
) -> None:
    from tests.risks.conftest import make_method

    make_risk(title="Ancien", current_likelihood=4, current_impact=4)
    make_method(org_a, size=5, threshold=6)

    page = page_text(owner_client.get(url("risk_heatmap", org_a)))

    assert "R-001</a> (v1)" in page
    assert page.count("<svg") == 2


def test_deleting_an_asset_asks_first_and_unlinks_it(
    org_a: Organisation, owner_client: Client, make_risk: MakeRisk, org_b: Organisation
) -> None:
    asset = asset_create(actor=ACTOR, organisation=org_a, name="Serveur", kind="system")
    theirs = asset_create(actor=ACTOR, organisation=org_b, name="Serveur", kind="system")
    risk = make_risk(title="Panne", assets=[asset])

    confirm = page_text(owner_client.get(url("asset_delete", org_a, asset.pk)))
    assert "R-001 Panne" in confirm
    assert owner_client.post(url("asset_delete", org_a, theirs.pk)).status_code == 404
    assert owner_client.post(url("asset_delete", org_a, asset.pk)).status_code == 302

    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert list(risk.assets.all()) == []
    assert AuditEvent.objects.filter(action="risks.asset_deleted").count() == 1


def test_the_register_filters_by_owner_among_members_only(
    org_a: Organisation, owner: User, owner_client: Client, make_risk: MakeRisk, outsider: User
) -> None:
    make_risk(title="À moi", owner=owner)
    make_risk(title="Sans propriétaire")

    page = page_text(owner_client.get(url("risk_register", org_a) + f"?owner={owner.pk}"))
    foreign = page_text(owner_client.get(url("risk_register", org_a) + f"?owner={outsider.pk}"))

    assert f'<option value="{owner.pk}" selected>' in page
    assert f'value="{outsider.pk}"' not in page
    assert "À moi" in page and "Sans propriétaire" not in page
    assert "À moi" not in foreign
