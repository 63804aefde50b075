"""The organisation dashboard and its settings page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from compliance.choices import Nis2Classification, OrganisationKind
from compliance.models import AuditEvent, Organisation, User
from tests.factories import issue_api_key
from tests.helpers import fr, page_text


def settings_form(organisation: Organisation, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": organisation.name,
        "kind": organisation.kind,
        "nis2_classification": organisation.nis2_classification,
        "staff_count": organisation.staff_count or "",
        "siret": organisation.siret,
        "finess": organisation.finess,
    }
    if organisation.require_two_factor:
        data["require_two_factor"] = "on"
    data.update(changes)
    return data


class TestSettingsPage:
    def test_manager_saves_the_details(
        self, owner_client: Client, org_a: Organisation, owner: User
    ) -> None:
        url = reverse("organisation_settings", args=[org_a.slug])

        response = owner_client.post(
            url,
            settings_form(
                org_a,
                name="Clinique des Tilleuls SAS",
                nis2_classification=Nis2Classification.ESSENTIAL,
                staff_count="600",
                siret="12345678900017",
                finess="750000001",
            ),
            follow=True,
        )

        org_a.refresh_from_db()
        assert org_a.name == "Clinique des Tilleuls SAS"
        assert org_a.nis2_classification == Nis2Classification.ESSENTIAL
        assert org_a.staff_count == 600
        assert fr("The organisation's details were saved.") in page_text(response)

    def test_saving_records_what_changed(
        self, owner_client: Client, org_a: Organisation, owner: User
    ) -> None:
        owner_client.post(
            reverse("organisation_settings", args=[org_a.slug]),
            settings_form(org_a, staff_count="42", require_two_factor="on"),
        )

        event = AuditEvent.objects.get(organisation=org_a)
        assert event.actor_user == owner
        assert event.changes == {"require_two_factor": [False, True], "staff_count": [None, 42]}

    def test_saving_without_changes_records_nothing(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        owner_client.post(reverse("organisation_settings", args=[org_a.slug]), settings_form(org_a))

        assert not AuditEvent.objects.filter(organisation=org_a).exists()

    def test_invalid_siret_is_explained_in_french(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        response = owner_client.post(
            reverse("organisation_settings", args=[org_a.slug]),
            settings_form(org_a, siret="123 456"),
        )

        assert response.status_code == 200
        assert fr("A SIRET number has exactly 14 digits.") in page_text(response)
        org_a.refresh_from_db()
        assert org_a.siret == ""

    def test_invalid_finess_is_refused(self, owner_client: Client, org_a: Organisation) -> None:
        response = owner_client.post(
            reverse("organisation_settings", args=[org_a.slug]),
            settings_form(org_a, finess="75000000C"),
        )

        assert response.status_code == 200
        org_a.refresh_from_db()
        assert org_a.finess == ""


class TestDashboard:
    def test_shows_the_organisation_and_its_figures(
        self, owner_client: Client, org_a: Organisation, member: User
    ) -> None:
        issue_api_key(org_a)

        response = owner_client.get(reverse("organisation_home", args=[org_a.slug]))

        page = page_text(response)
        assert org_a.name in page
        assert response.context["member_count"] == 2
        assert response.context["active_api_key_count"] == 1

    def test_manager_sees_the_latest_changes(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        issue_api_key(org_a, name="sauvegarde nocturne")

        page = page_text(owner_client.get(reverse("organisation_home", args=[org_a.slug])))

        assert "sauvegarde nocturne" in page

    def test_viewer_does_not_see_the_audit_trail(
        self, member_client: Client, org_a: Organisation
    ) -> None:
        issue_api_key(org_a, name="sauvegarde nocturne")

        page = page_text(member_client.get(reverse("organisation_home", args=[org_a.slug])))

        assert "sauvegarde nocturne" not in page
        assert reverse("audit_trail", args=[org_a.slug]) not in page

    def test_viewer_sees_no_link_to_pages_they_cannot_open(
        self, member_client: Client, org_a: Organisation
    ) -> None:
        page = page_text(member_client.get(reverse("organisation_home", args=[org_a.slug])))

        for url_name in ("member_list", "api_key_list", "audit_trail", "organisation_settings"):
            assert reverse(url_name, args=[org_a.slug]) not in page

    def test_kind_is_shown_with_its_label(self, owner_client: Client, org_a: Organisation) -> None:
        page = page_text(owner_client.get(reverse("organisation_home", args=[org_a.slug])))

        assert fr(OrganisationKind.HEALTH_ESTABLISHMENT.label) in page


def test_person_without_any_organisation_is_told_to_ask_for_an_invitation(
    client: Client, db: None
) -> None:
    from tests.factories import UserFactory

    client.force_login(UserFactory.create())

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert fr(
        "You are not a member of any organisation yet. Ask a manager to invite you."
    ) in page_text(response)
