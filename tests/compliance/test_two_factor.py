"""TOTP two-factor authentication: enrolment when required, verification at each login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.choices import Role
from compliance.models import AuditEvent, Organisation, User
from tests.factories import PASSWORD
from tests.helpers import fr, page_text

SETUP_URL = "/accounts/two-factor/"
VERIFY_URL = "/accounts/two-factor/verify/"


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(client: Client, user: User) -> Any:
    """Logs in through the login form (axes needs a request), then opens the site."""
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return client.get(reverse("home"))


def enrol_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def managers_need_two_factor(settings: Any) -> None:
    settings.EGIDE_TWO_FACTOR_ROLES = [Role.MANAGER]


class TestEnrolment:
    def test_manager_is_sent_to_enrolment(
        self, client: Client, owner: User, managers_need_two_factor: None
    ) -> None:
        response = log_in(client, owner)

        assert response.status_code == 302
        assert response["Location"].startswith(SETUP_URL)

    def test_organisation_pages_are_closed_until_enrolled(
        self, client: Client, owner: User, org_a: Organisation, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)

        response = client.get(reverse("member_list", args=[org_a.slug]))

        assert response.status_code == 302
        assert response["Location"].startswith(SETUP_URL)
        assert reverse("member_list", args=[org_a.slug]) in response["Location"]

    def test_setup_page_shows_a_qr_code_and_the_secret(
        self, client: Client, owner: User, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)

        response = client.get(SETUP_URL)

        assert response.status_code == 200
        page = page_text(response)
        assert "data:image/svg+xml;base64," in page
        assert response.context["secret"] in page

    def test_reloading_setup_keeps_the_same_secret(
        self, client: Client, owner: User, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)

        first = client.get(SETUP_URL).context["secret"]
        second = client.get(SETUP_URL).context["secret"]

        assert first == second

    def test_valid_code_turns_two_factor_on_and_lets_them_through(
        self, client: Client, owner: User, org_a: Organisation, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=owner)
        target = reverse("member_list", args=[org_a.slug])

        response = client.post(SETUP_URL, {"token": current_token(device), "next": target})

        assert response.status_code == 302
        assert response["Location"] == target
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(target).status_code == 200

    def test_enrolment_is_recorded_in_the_audit_trail(
        self, client: Client, owner: User, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=owner)

        client.post(SETUP_URL, {"token": current_token(device)})

        event = AuditEvent.objects.get(action="user.two_factor_enable")
        assert event.actor_user == owner

    def test_invalid_code_shows_an_error_and_stays_off(
        self, client: Client, owner: User, org_a: Organisation, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=owner)
        wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"

        response = client.post(SETUP_URL, {"token": wrong})

        assert response.status_code == 200
        message = fr("This code is not valid. Check your phone's clock and try again.")
        assert message in page_text(response)
        device.refresh_from_db()
        assert not device.confirmed
        assert client.get(reverse("organisation_home", args=[org_a.slug])).status_code == 302

    def test_external_next_is_ignored(
        self, client: Client, owner: User, managers_need_two_factor: None
    ) -> None:
        log_in(client, owner)
        client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=owner)

        response = client.post(
            SETUP_URL, {"token": current_token(device), "next": "https://evil.example/"}
        )

        assert response["Location"] == reverse("home")

    def test_viewer_is_not_asked_when_only_managers_need_it(
        self, client: Client, member: User, org_a: Organisation, managers_need_two_factor: None
    ) -> None:
        log_in(client, member)

        response = client.get(reverse("organisation_home", args=[org_a.slug]))

        assert response.status_code == 200

    def test_nobody_is_asked_by_default(
        self, client: Client, owner: User, org_a: Organisation, settings: Any
    ) -> None:
        settings.EGIDE_TWO_FACTOR_ROLES = []
        log_in(client, owner)

        response = client.get(reverse("organisation_home", args=[org_a.slug]))

        assert response.status_code == 200


def test_organisation_requiring_two_factor_forces_it_for_a_viewer(
    client: Client, member: User, org_a: Organisation, settings: Any
) -> None:
    settings.EGIDE_TWO_FACTOR_ROLES = []
    Organisation.objects.filter(pk=org_a.pk).update(require_two_factor=True)

    response = log_in(client, member)

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP_URL)


def test_the_api_is_not_behind_two_factor(
    client: Client, org_a: Organisation, owner: User, managers_need_two_factor: None
) -> None:
    from tests.factories import issue_api_key

    raw_key = issue_api_key(org_a).raw_key

    response = client.get("/api/v1/organisation/", headers={"Authorization": f"Bearer {raw_key}"})

    assert response.status_code == 200


class TestVerificationAtLogin:
    """A user with a confirmed device verifies at every login, required or not."""

    def test_is_sent_to_verification(self, client: Client, member: User) -> None:
        enrol_device(member)

        response = log_in(client, member)

        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY_URL)

    def test_setup_page_sends_them_to_verification(self, client: Client, member: User) -> None:
        enrol_device(member)
        log_in(client, member)

        response = client.get(SETUP_URL)

        assert response.status_code == 302
        assert response["Location"] == VERIFY_URL

    def test_valid_code_lets_them_through(
        self, client: Client, member: User, org_a: Organisation
    ) -> None:
        device = enrol_device(member)
        log_in(client, member)
        target = reverse("organisation_home", args=[org_a.slug])

        response = client.post(VERIFY_URL, {"token": current_token(device), "next": target})

        assert response.status_code == 302
        assert response["Location"] == target
        assert client.get(target).status_code == 200

    def test_invalid_code_shows_an_error(
        self, client: Client, member: User, org_a: Organisation
    ) -> None:
        device = enrol_device(member)
        log_in(client, member)
        wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"

        response = client.post(VERIFY_URL, {"token": wrong})

        assert response.status_code == 200
        message = fr(
            "This code is not valid. After several wrong codes, wait a little before trying again."
        )
        assert message in page_text(response)
        assert client.get(reverse("organisation_home", args=[org_a.slug])).status_code == 302

    def test_a_code_cannot_be_used_twice(self, client: Client, member: User) -> None:
        device = enrol_device(member)
        token = current_token(device)
        log_in(client, member)
        client.post(VERIFY_URL, {"token": token})

        second = Client()
        log_in(second, member)
        response = second.post(VERIFY_URL, {"token": token})

        assert response.status_code == 200

    def test_verification_lasts_for_the_session(
        self, client: Client, member: User, org_a: Organisation
    ) -> None:
        device = enrol_device(member)
        log_in(client, member)
        client.post(VERIFY_URL, {"token": current_token(device)})

        assert client.get(reverse("organisation_list")).status_code == 200
        assert client.get(reverse("organisation_home", args=[org_a.slug])).status_code == 200

    def test_a_new_login_must_verify_again(
        self, client: Client, member: User, org_a: Organisation
    ) -> None:
        device = enrol_device(member)
        log_in(client, member)
        client.post(VERIFY_URL, {"token": current_token(device)})
        client.post(reverse("logout"))

        response = log_in(client, member)

        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY_URL)
