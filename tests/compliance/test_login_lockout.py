"""Logging in with an e-mail address, and django-axes' lockout after 5 failures."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from compliance.management.commands.seed_demo import DEMO_PASSWORD
from compliance.models import User
from tests.factories import PASSWORD
from tests.helpers import fr, page_text

LOCKED_OUT = "Too many failed logins"
WRONG_PASSWORD = (
    "Wrong e-mail address or password. After 5 failed attempts, logins from your "
    "connection are blocked for 15 minutes."
)


def log_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_demo_manager_logs_in(client: Client, db: None) -> None:
    call_command("seed_demo", stdout=None)

    response = log_in(client, "direction@lilas.example", DEMO_PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)
    # One organisation: straight to its dashboard.
    assert client.get(response["Location"])["Location"] == reverse(
        "organisation_home", args=["clinique-des-lilas"]
    )


def test_login_page_is_in_french(client: Client, db: None) -> None:
    page = page_text(client.get(reverse("login")))

    assert fr("Log in to Egide") in page
    assert fr("Log in to Egide") != "Log in to Egide"


def test_wrong_password_shows_a_clear_message(client: Client, owner: User) -> None:
    response = log_in(client, owner.email, "not-the-password")

    assert response.status_code == 200
    assert fr(WRONG_PASSWORD) in page_text(response)
    assert not is_logged_in(client)


def test_login_accepts_the_address_whatever_its_case(client: Client, owner: User) -> None:
    response = log_in(client, "Owner@Tilleuls.Example", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_invited_person_without_password_cannot_log_in(client: Client, db: None) -> None:
    User.objects.create_user(email="invitee@example.test", password=None)

    response = log_in(client, "invitee@example.test", "")

    assert response.status_code == 200
    assert not is_logged_in(client)


class TestLockout:
    def fail(self, client: Client, email: str, times: int) -> list[int]:
        return [log_in(client, email, f"wrong-{n}").status_code for n in range(times)]

    def test_four_failures_still_let_the_right_password_in(
        self, client: Client, owner: User
    ) -> None:
        self.fail(client, owner.email, 4)

        response = log_in(client, owner.email, PASSWORD)

        assert response.status_code == 302
        assert is_logged_in(client)

    def test_after_five_failures_even_the_right_password_is_refused(
        self, client: Client, owner: User
    ) -> None:
        self.fail(client, owner.email, 5)

        response = log_in(client, owner.email, PASSWORD)

        assert response.status_code in (403, 429)
        assert fr(LOCKED_OUT) in page_text(response)
        assert not is_logged_in(client)

    def test_the_lockout_page_explains_how_long_to_wait(self, client: Client, owner: User) -> None:
        self.fail(client, owner.email, 5)

        page = page_text(log_in(client, owner.email, PASSWORD))

        expected = fr(
            "For your security, logins to this account from your connection are blocked for "
            "15 minutes after 5 failed attempts."
        )
        assert expected in page

    def test_lockout_is_per_connection_not_per_account(self, client: Client, owner: User) -> None:
        # A stranger cannot lock a clinic manager out on purpose from elsewhere.
        self.fail(client, owner.email, 5)

        other_place = Client(REMOTE_ADDR="192.0.2.44")
        response = log_in(other_place, owner.email, PASSWORD)

        assert response.status_code == 302
        assert is_logged_in(other_place)

    def test_other_accounts_on_the_same_connection_are_not_locked(
        self, client: Client, owner: User, member: User
    ) -> None:
        self.fail(client, owner.email, 5)

        response = log_in(client, member.email, PASSWORD)

        assert response.status_code == 302

    def test_unknown_addresses_are_locked_the_same_way(self, client: Client, db: None) -> None:
        # Otherwise the lockout would tell an attacker which addresses have an account.
        statuses = self.fail(client, "nobody@example.test", 6)

        assert statuses[:4] == [200] * 4
        assert statuses[-1] in (403, 429)
