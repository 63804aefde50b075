"""The risk API: scoped to the key's organisation, audited, filtered, paginated."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance.models import AuditEvent, Organisation, User
from controls.models import Framework, Requirement
from risks.models import Asset, Risk
from risks.services.assets import asset_create
from tests.factories import issue_api_key
from tests.risks.conftest import ACTOR

MakeRisk = Callable[..., Risk]
Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.django_db

BASE = "/api/v1/risks/"


def auth(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def read_key(org_a: Organisation) -> str:
    return issue_api_key(org_a, ["read"]).raw_key


@pytest.fixture
def write_key(org_a: Organisation) -> str:
    return issue_api_key(org_a, ["read", "write"]).raw_key


def test_the_register_lists_the_keys_organisation_only(
    client: Client, read_key: str, make_risk: MakeRisk, risk_b: Risk
) -> None:
    mine = make_risk(title="Rançongiciel", current_likelihood=3, current_impact=4)

    body = client.get(BASE, headers=auth(read_key)).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert row["reference"] == mine.reference
    assert row["current_level"]["score"] == 12
    assert row["current_level"]["acceptable"] is False
    assert row["methodology_version"] == 1


def test_another_organisations_risk_is_a_404(
    client: Client, read_key: str, write_key: str, risk_b: Risk
) -> None:
    assert client.get(f"{BASE}{risk_b.pk}/", headers=auth(read_key)).status_code == 404
    response = client.patch(
        f"{BASE}{risk_b.pk}/treatment/",
        {"treatment": "accept"},
        content_type="application/json",
        headers=auth(write_key),
    )
    assert response.status_code == 404
    risk_b.refresh_from_db()
    assert risk_b.treatment == ""


def test_a_read_key_cannot_write(client: Client, read_key: str, method_a: object) -> None:
    response = client.post(
        BASE, {"title": "x"}, content_type="application/json", headers=auth(read_key)
    )
    assert response.status_code == 403
    assert not Risk.objects.exists()


def test_no_key_is_a_401(client: Client) -> None:
    assert client.get(BASE).status_code == 401


def test_creating_a_risk_with_assets_controls_and_owner_is_audited(
    client: Client, write_key: str, org_a: Organisation, owner: User, iso: Framework
) -> None:
    asset = asset_create(actor=ACTOR, organisation=org_a, name="DPI", kind="system")
    response = client.post(
        BASE,
        {
            "title": "Panne du DPI",
            "assets": [asset.pk],
            "existing_controls": ["A.8.13", "iso27001-2022:A.8.14"],
            "current_likelihood": 2,
            "current_impact": 4,
            "owner": owner.email,
        },
        content_type="application/json",
        headers=auth(write_key),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["existing_controls"] == ["iso27001-2022:A.8.13", "iso27001-2022:A.8.14"]
    assert body["owner"] == owner.email
    assert body["assets"] == [asset.pk]
    event = AuditEvent.objects.get(action="risks.risk_created")
    assert event.actor_api_key is not None


def test_bad_input_is_a_400_naming_the_field(
    client: Client, write_key: str, method_a: object, outsider: User, iso: Framework
) -> None:
    for payload, field in (
        ({"title": "x", "current_likelihood": 5, "current_impact": 1}, "current_likelihood"),
        ({"title": "x", "owner": outsider.email}, "owner"),
        ({"title": "x", "existing_controls": ["A.99.1"]}, "existing_controls"),
        ({"title": "x", "assets": [999999]}, "assets"),
    ):
        response = client.post(
            BASE, payload, content_type="application/json", headers=auth(write_key)
        )
        assert response.status_code == 400, payload
        assert field in response.json()
    assert not Risk.objects.exists()


def test_another_organisations_asset_cannot_be_attached(
    client: Client, write_key: str, org_b: Organisation, method_a: object
) -> None:
    theirs = asset_create(actor=ACTOR, organisation=org_b, name="Leur DPI", kind="system")
    response = client.post(
        BASE,
        {"title": "x", "assets": [theirs.pk]},
        content_type="application/json",
        headers=auth(write_key),
    )
    assert response.status_code == 400


def test_the_treatment_endpoint_changes_the_treatment(
    client: Client, write_key: str, make_risk: MakeRisk, iso: Framework
) -> None:
    risk = make_risk(current_likelihood=3, current_impact=3)

    response = client.patch(
        f"{BASE}{risk.pk}/treatment/",
        {
            "treatment": "reduce",
            "planned_controls": ["A.8.7"],
            "residual_likelihood": 1,
            "residual_impact": 3,
        },
        content_type="application/json",
        headers=auth(write_key),
    )

    assert response.status_code == 200, response.content
    assert response.json()["residual_level"]["score"] == 3
    listed = client.get(f"{BASE}treatments/?treatment=reduce", headers=auth(write_key)).json()
    assert [row["reference"] for row in listed["results"]] == [risk.reference]


def test_filters_and_pagination(
    client: Client, read_key: str, make_risk: MakeRisk, iso: Framework, requirement: Find
) -> None:
    control = requirement("iso27001-2022", "A.5.15")
    make_risk(title="Accès", existing_controls=[control])
    for n in range(3):
        make_risk(title=f"Autre {n}")

    by_control = client.get(f"{BASE}?control=A.5.15", headers=auth(read_key)).json()
    page = client.get(f"{BASE}?page_size=2", headers=auth(read_key)).json()

    assert [r["title"] for r in by_control["results"]] == ["Accès"]
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]


def test_the_list_runs_the_same_queries_for_1_or_10_risks(
    client: Client, read_key: str, make_risk: MakeRisk, org_a: Organisation
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE, headers=auth(read_key)).status_code == 200
        return len(queries)

    asset = asset_create(actor=ACTOR, organisation=org_a, name="DPI", kind="system")
    make_risk(assets=[asset])
    count()  # the key's first use is recorded once
    one = count()
    for _n in range(9):
        make_risk(assets=[asset])
    assert count() == one


def test_assets_are_scoped_and_created_through_the_api(
    client: Client, write_key: str, org_b: Organisation, owner: User
) -> None:
    theirs = asset_create(actor=ACTOR, organisation=org_b, name="Leur DPI", kind="system")
    response = client.post(
        f"{BASE}assets/",
        {
            "name": "Données patients",
            "kind": "information",
            "health_data": True,
            "owner": owner.email,
        },
        content_type="application/json",
        headers=auth(write_key),
    )
    assert response.status_code == 201
    listed = client.get(f"{BASE}assets/?health_data=true", headers=auth(write_key)).json()
    assert [a["name"] for a in listed["results"]] == ["Données patients"]
    assert client.get(f"{BASE}assets/{theirs.pk}/", headers=auth(write_key)).status_code == 404
    assert Asset.objects.filter(organisation=org_b).count() == 1


def test_the_library_lists_hds_events_a_to_h(client: Client, read_key: str) -> None:
    body = client.get(f"{BASE}library/", headers=auth(read_key)).json()

    hds = [s for s in body if s["source"] == "hds_exi05"]
    assert [s["title_fr"][0] for s in hds] == list("ABCDEFGH")
    assert hds[7]["title_en"] == "H. Subjection to non-European laws"
    assert {s["code"] for s in body} >= {"ransomware-patient-record", "phishing-staff"}


def test_selecting_from_the_library(client: Client, write_key: str, iso: Framework) -> None:
    payload = {"codes": ["hds-exi05-c", "phishing-staff"], "language": "en"}
    response = client.post(
        f"{BASE}library/select/", payload, content_type="application/json", headers=auth(write_key)
    )
    again = client.post(
        f"{BASE}library/select/", payload, content_type="application/json", headers=auth(write_key)
    )

    assert response.status_code == 201
    assert sorted(r["title"] for r in response.json()) == [
        "C. Compromise of a data flow",
        "Phishing of staff",
    ]
    assert again.json() == []
    assert Risk.objects.count() == 2


def test_the_method_endpoint(client: Client, read_key: str, method_a: object) -> None:
    body = client.get(f"{BASE}method/", headers=auth(read_key)).json()
    assert body["version"] == 1
    assert body["acceptance_threshold"] == 4
    assert len(body["likelihood_labels"]) == 4


def test_the_treatment_links_remediation_actions_of_the_same_organisation_only(
    client: Client, write_key: str, make_risk: MakeRisk, risk_b: Risk
) -> None:
    import datetime

    from risks.services.actions import risk_action_create

    mine = make_risk(current_likelihood=2, current_impact=2)
    other = make_risk(title="Autre")
    action = risk_action_create(
        actor=ACTOR, risk=other, title="Chiffrer", due_date=datetime.date(2027, 2, 1)
    )
    theirs = risk_action_create(
        actor=ACTOR, risk=risk_b, title="Leur action", due_date=datetime.date(2027, 2, 1)
    )
    url = f"{BASE}{mine.pk}/treatment/"

    refused = client.patch(
        url, {"actions": [theirs.pk]}, content_type="application/json", headers=auth(write_key)
    )
    linked = client.patch(
        url, {"actions": [action.pk]}, content_type="application/json", headers=auth(write_key)
    )

    assert refused.status_code == 400
    assert linked.status_code == 200
    assert [a["title"] for a in linked.json()["actions"]] == ["Chiffrer"]


def test_filtering_by_an_owner_of_another_organisation_is_a_400(
    client: Client, read_key: str, owner: User, outsider: User, make_risk: MakeRisk
) -> None:
    make_risk(title="À moi", owner=owner)

    mine = client.get(f"{BASE}?owner={owner.pk}", headers=auth(read_key))
    foreign = client.get(f"{BASE}?owner={outsider.pk}", headers=auth(read_key))

    assert [r["title"] for r in mine.json()["results"]] == ["À moi"]
    assert foreign.status_code == 400
