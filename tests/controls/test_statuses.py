"""A status recorded on one requirement is offered on the requirements mapped to it, and
a person confirms or dismisses the offer (docs/catalogue-format.md, "relationship")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from compliance.choices import Role
from compliance.models import AuditEvent, Organisation, User
from compliance.services.audit_trail import SystemActor, audit_trail_verify
from controls.choices import ImplementationStatus, Relationship
from controls.models import Applicability, ControlStatus, Requirement, RequirementMapping
from controls.models.status import StatusFields
from controls.services.catalogues import mapping_import_document
from controls.services.statuses import (
    derived_status,
    requirement_status_update,
    row_model,
    suggestion_confirm,
    suggestion_dismiss,
)
from tests.helpers import logged_in, page_text

ISO = "iso27001-2022"
IMPLEMENTED = ImplementationStatus.IMPLEMENTED
PARTIAL = ImplementationStatus.PARTIAL

Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.usefixtures("catalogues", "db")


def row(organisation: Organisation, requirement: Requirement) -> StatusFields:
    return row_model(requirement).objects.get(organisation=organisation, requirement=requirement)


def actions(organisation: Organisation) -> list[str]:
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def iso_controls_mapped_to(point: Requirement) -> list[Requirement]:
    return [link.target for link in RequirementMapping.objects.filter(source=point)]


@pytest.fixture
def point(requirement: Find) -> Requirement:
    """NIS2 Art. 21(2)(b), incident handling: seven Annex A controls intersect it."""
    return requirement("nis2", "21.2.b")


@pytest.fixture
def incident_handling_done(org_a: Organisation, owner: User, point: Requirement) -> None:
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=point, status=IMPLEMENTED
    )


# --- Offering a status across a mapping -----------------------------------------------


@pytest.mark.usefixtures("incident_handling_done")
def test_an_implemented_nis2_point_offers_partial_on_the_intersecting_annex_a_controls(
    org_a: Organisation, point: Requirement
) -> None:
    controls = iso_controls_mapped_to(point)
    assert {c.ref_id for c in controls} == {
        "A.5.24",
        "A.5.25",
        "A.5.26",
        "A.5.27",
        "A.5.28",
        "A.6.8",
        "A.8.16",
    }

    for control in controls:
        line = Applicability.objects.get(organisation=org_a, requirement=control)
        assert (line.suggested_status, line.suggested_from, line.suggested_relationship) == (
            PARTIAL,
            point,
            Relationship.INTERSECT,
        ), control.ref_id
        # Only an offer: the SoA line itself is as nobody has touched it.
        assert line.status == ImplementationStatus.NOT_STARTED
        assert line.applicable is None
        assert line.has_pending_suggestion


@pytest.mark.usefixtures("incident_handling_done")
def test_the_offer_stays_in_the_organisation(org_b: Organisation) -> None:
    assert not Applicability.objects.filter(organisation=org_b).exists()
    assert not ControlStatus.objects.filter(organisation=org_b).exists()


def test_no_offer_when_the_other_side_already_has_that_status(
    org_a: Organisation, owner: User, point: Requirement, requirement: Find
) -> None:
    control = requirement(ISO, "A.5.24")
    requirement_status_update(actor=owner, organisation=org_a, requirement=control, status=PARTIAL)

    requirement_status_update(
        actor=owner, organisation=org_a, requirement=point, status=IMPLEMENTED
    )

    line = row(org_a, control)
    assert line.suggested_status == ""
    assert not line.has_pending_suggestion
    assert row(org_a, requirement(ISO, "A.5.25")).suggested_status == PARTIAL


def test_a_superset_requirement_carries_its_status_over_as_it_is(
    org_a: Organisation, owner: User, requirement: Find
) -> None:
    # hds-2024 EXI-01 is a superset of ISO clause 4.4: HDS asks for the certified ISMS
    # and more, so an implemented EXI-01 means 4.4 is implemented too.
    hds, clause = requirement("hds-2024", "EXI-01"), requirement(ISO, "4.4")
    assert RequirementMapping.objects.get(source=hds, target=clause).relationship == "superset"

    requirement_status_update(actor=owner, organisation=org_a, requirement=hds, status=IMPLEMENTED)

    offered = row(org_a, clause)
    assert (offered.suggested_status, offered.suggested_relationship) == (IMPLEMENTED, "superset")
    assert offered.suggested_from == hds
    assert offered.status == ImplementationStatus.NOT_STARTED


def test_seen_from_the_other_side_a_superset_link_caps_the_offer_at_partial(
    org_a: Organisation, owner: User, requirement: Find
) -> None:
    # Clause 4.4 implemented says nothing of what HDS adds (scope, contract, sovereignty):
    # from this side the link reads "4.4 is a subset of EXI-01".
    hds, clause = requirement("hds-2024", "EXI-01"), requirement(ISO, "4.4")

    requirement_status_update(
        actor=owner, organisation=org_a, requirement=clause, status=IMPLEMENTED
    )

    offered = row(org_a, hds)
    assert (offered.suggested_status, offered.suggested_relationship) == (PARTIAL, "subset")
    assert offered.suggested_from == clause


@pytest.fixture
def nis2_to_gdpr(requirement: Find) -> dict[str, tuple[Requirement, Requirement]]:
    """A tiny mapping set with one link of each type (no built-in link is ``equal``)."""
    pairs = {
        "equal": ("21.2.c", "32.1.c"),
        "subset": ("21.2.h", "32.1.a"),
        "superset": ("21.2.d", "28"),
        "intersect": ("21.2.b", "33.1"),
    }
    mapping_import_document(
        {
            "schema": "egide-mapping/1",
            "source": {"framework": "nis2", "version": "2022/2555"},
            "target": {"framework": "gdpr", "version": "2016/679"},
            "links": [
                {"source": source, "target": target, "relationship": relationship}
                for relationship, (source, target) in pairs.items()
            ],
        },
        actor=SystemActor("tests"),
        name="nis2--gdpr.yaml",
    )
    return {
        relationship: (requirement("nis2", source), requirement("gdpr", target))
        for relationship, (source, target) in pairs.items()
    }


@pytest.mark.parametrize(
    ("relationship", "side", "offered", "read_from_changed_side"),
    [
        ("equal", "source", IMPLEMENTED, "equal"),
        ("equal", "target", IMPLEMENTED, "equal"),
        ("superset", "source", IMPLEMENTED, "superset"),
        ("superset", "target", PARTIAL, "subset"),
        ("subset", "source", PARTIAL, "subset"),
        ("subset", "target", IMPLEMENTED, "superset"),
        ("intersect", "source", PARTIAL, "intersect"),
        ("intersect", "target", PARTIAL, "intersect"),
    ],
)
def test_what_each_relationship_offers_from_each_side(
    org_a: Organisation,
    owner: User,
    nis2_to_gdpr: dict[str, tuple[Requirement, Requirement]],
    relationship: str,
    side: str,
    offered: str,
    read_from_changed_side: str,
) -> None:
    source, target = nis2_to_gdpr[relationship]
    changed, other = (source, target) if side == "source" else (target, source)

    requirement_status_update(
        actor=owner, organisation=org_a, requirement=changed, status=IMPLEMENTED
    )

    suggestion = row(org_a, other)
    assert suggestion.suggested_status == offered
    assert suggestion.suggested_relationship == read_from_changed_side
    assert suggestion.suggested_from == changed
    assert suggestion.status == ImplementationStatus.NOT_STARTED


@pytest.mark.parametrize("relationship", list(Relationship))
@pytest.mark.parametrize(
    "status",
    [ImplementationStatus.NOT_STARTED, ImplementationStatus.PLANNED],
)
def test_a_status_below_partial_is_offered_unchanged_whatever_the_link(
    relationship: Relationship, status: ImplementationStatus
) -> None:
    # The cap only ever lowers: "planned" is never promoted to "partial".
    assert derived_status(status, relationship) == status


# --- Confirming and dismissing --------------------------------------------------------


@pytest.mark.usefixtures("incident_handling_done")
def test_confirming_a_suggestion_records_it_and_clears_it(
    org_a: Organisation, owner: User, requirement: Find
) -> None:
    control = requirement(ISO, "A.5.24")

    suggestion_confirm(actor=owner, organisation=org_a, requirement=control)

    line = row(org_a, control)
    assert line.status == PARTIAL
    assert (line.suggested_status, line.suggested_from, line.suggested_relationship) == (
        "",
        None,
        "",
    )


@pytest.mark.usefixtures("incident_handling_done")
def test_dismissing_a_suggestion_clears_it_and_keeps_the_status(
    org_a: Organisation, owner: User, requirement: Find
) -> None:
    control = requirement(ISO, "A.5.24")

    suggestion_dismiss(actor=owner, organisation=org_a, requirement=control)

    line = row(org_a, control)
    assert line.status == ImplementationStatus.NOT_STARTED
    assert (line.suggested_status, line.suggested_from) == ("", None)
    assert not line.has_pending_suggestion


def test_confirming_without_a_suggestion_is_refused(
    org_a: Organisation, owner: User, requirement: Find
) -> None:
    with pytest.raises(ValidationError) as error:
        suggestion_confirm(actor=owner, organisation=org_a, requirement=requirement(ISO, "A.5.24"))

    assert error.value.messages == ["Il n'y a pas d'état suggéré à confirmer."]


def test_a_status_on_a_grouping_node_is_refused(
    org_a: Organisation, owner: User, requirement: Find
) -> None:
    with pytest.raises(ValidationError) as error:
        requirement_status_update(
            actor=owner,
            organisation=org_a,
            requirement=requirement("nis2", "21.2"),
            status=IMPLEMENTED,
        )

    assert error.value.messages == [
        "Cet élément regroupe des exigences : renseignez l'état des exigences qu'il contient."
    ]

    assert not ControlStatus.objects.exists()


def test_every_step_is_in_the_organisation_audit_chain(
    org_a: Organisation, org_b: Organisation, owner: User, point: Requirement, requirement: Find
) -> None:
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=point, status=IMPLEMENTED
    )
    assert actions(org_a) == ["requirement_status.update"] + ["requirement_status.suggest"] * 7

    suggestion_confirm(actor=owner, organisation=org_a, requirement=requirement(ISO, "A.5.24"))
    assert actions(org_a)[8] == "soa_line.update"

    suggestion_dismiss(actor=owner, organisation=org_a, requirement=requirement(ISO, "A.5.25"))
    assert actions(org_a)[-1] == "requirement_status.dismiss_suggestion"

    suggest = (
        AuditEvent.objects.filter(organisation=org_a, action="requirement_status.suggest")
        .order_by("sequence")
        .first()
    )
    assert suggest is not None
    assert suggest.changes["suggested_from"] == [None, "nis2:21.2.b"]
    assert suggest.changes["suggested_status"] == [None, "partial"]
    confirm = AuditEvent.objects.get(organisation=org_a, action="soa_line.update")
    assert confirm.changes["status"] == ["not_started", "partial"]
    assert confirm.actor_user == owner
    [report] = audit_trail_verify(organisation=org_a)
    assert report.intact
    assert report.events_checked == len(actions(org_a))
    assert actions(org_b) == []


@pytest.mark.usefixtures("incident_handling_done")
def test_confirming_a_derived_status_does_not_bounce_an_offer_back_to_its_origin(
    org_a: Organisation, owner: User, point: Requirement, requirement: Find
) -> None:
    # 21.2.b is implemented; A.5.24 got "partial" from it and a person confirms that.
    # The confirmation must not then offer "partial" to 21.2.b, downgrading the very
    # status it was derived from.
    suggestion_confirm(actor=owner, organisation=org_a, requirement=requirement(ISO, "A.5.24"))

    origin = row(org_a, point)
    assert origin.status == IMPLEMENTED
    assert not origin.has_pending_suggestion


# --- The suggestion on the pages ------------------------------------------------------


@pytest.mark.usefixtures("incident_handling_done")
def test_the_soa_page_shows_the_offer_with_its_origin(
    owner_client: Client, org_a: Organisation, requirement: Find
) -> None:
    control = requirement(ISO, "A.5.24")

    page = page_text(owner_client.get(reverse("soa", args=[org_a.slug])))

    assert "Dérivé de nis2 21.2.b (recoupe) : <strong>Partiellement mis en œuvre</strong>" in page
    assert reverse("suggestion_decide", args=[org_a.slug, control.pk]) in page


@pytest.fixture
def offer_on_incident_handling(org_a: Organisation, owner: User, requirement: Find) -> None:
    """A.5.24 implemented in the SoA: NIS2 21.2.b is offered "partial"."""
    requirement_status_update(
        actor=owner, organisation=org_a, requirement=requirement(ISO, "A.5.24"), status=IMPLEMENTED
    )


@pytest.mark.usefixtures("offer_on_incident_handling")
def test_a_contributor_confirms_an_offer_on_a_nis2_point(
    org_a: Organisation, contributor: User, point: Requirement
) -> None:
    response = logged_in(contributor).post(
        reverse("suggestion_decide", args=[org_a.slug, point.pk]),
        {"decision": "confirm", "next": reverse("framework_detail", args=[org_a.slug, "nis2"])},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("framework_detail", args=[org_a.slug, "nis2"])
    assert row(org_a, point).status == PARTIAL
    assert not row(org_a, point).has_pending_suggestion
    event = AuditEvent.objects.filter(organisation=org_a).order_by("sequence").last()
    assert event is not None
    assert event.actor_user == contributor


@pytest.mark.usefixtures("offer_on_incident_handling")
def test_a_contributor_dismisses_an_offer_on_a_nis2_point(
    org_a: Organisation, contributor: User, point: Requirement
) -> None:
    response = logged_in(contributor).post(
        reverse("suggestion_decide", args=[org_a.slug, point.pk]), {"decision": "dismiss"}
    )

    assert response.status_code == 302
    assert row(org_a, point).status == ImplementationStatus.NOT_STARTED
    assert not row(org_a, point).has_pending_suggestion


@pytest.mark.usefixtures("offer_on_incident_handling")
def test_an_offer_confirmed_inline_answers_the_row_without_the_offer(
    org_a: Organisation, contributor: User, point: Requirement
) -> None:
    # The Confirm button of an htmx row posts the row's form to its formaction.
    response = logged_in(contributor).post(
        reverse("suggestion_decide", args=[org_a.slug, point.pk]),
        {"decision": "confirm", f"r{point.pk}-status": "not_started"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "<html" not in text
    assert 'id="req-212b"' in text
    assert "21.2.b : état suggéré confirmé." in text
    assert '<option value="partial" selected>' in text
    assert "Dérivé de" not in text  # the offer is gone from the row
    assert row(org_a, point).status == PARTIAL


@pytest.mark.usefixtures("offer_on_incident_handling")
def test_an_offer_dismissed_inline_keeps_the_status_and_drops_the_offer(
    org_a: Organisation, contributor: User, point: Requirement
) -> None:
    response = logged_in(contributor).post(
        reverse("suggestion_decide", args=[org_a.slug, point.pk]),
        {"decision": "dismiss"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "21.2.b : suggestion écartée." in text
    assert "Dérivé de" not in text
    assert row(org_a, point).status == ImplementationStatus.NOT_STARTED


@pytest.mark.usefixtures("incident_handling_done")
def test_a_contributor_cannot_decide_an_offer_on_the_soa(
    org_a: Organisation, contributor: User, requirement: Find
) -> None:
    control = requirement(ISO, "A.5.24")

    response = logged_in(contributor).post(
        reverse("suggestion_decide", args=[org_a.slug, control.pk]), {"decision": "confirm"}
    )

    assert response.status_code == 403
    assert row(org_a, control).status == ImplementationStatus.NOT_STARTED
    assert row(org_a, control).has_pending_suggestion


@pytest.mark.usefixtures("offer_on_incident_handling")
def test_a_viewer_cannot_decide_an_offer(
    org_a: Organisation, member_client: Client, point: Requirement
) -> None:
    response = member_client.post(
        reverse("suggestion_decide", args=[org_a.slug, point.pk]), {"decision": "confirm"}
    )

    assert response.status_code == 403
    assert row(org_a, point).has_pending_suggestion


@pytest.mark.usefixtures("offer_on_incident_handling")
def test_confirming_twice_is_not_a_server_error(
    org_a: Organisation, client_as: Callable[[str], Client], point: Requirement
) -> None:
    client = client_as(Role.CONTRIBUTOR)
    client.raise_request_exception = False
    url = reverse("suggestion_decide", args=[org_a.slug, point.pk])
    client.post(url, {"decision": "confirm"})

    again: Any = client.post(url, {"decision": "confirm"}, follow=True)

    assert again.status_code == 200
    assert "Il n'y a pas d'état suggéré à confirmer." in page_text(again)
    assert row(org_a, point).status == PARTIAL
