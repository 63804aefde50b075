"""API keys in the UI and on the command line: shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from compliance.choices import ApiKeyScope
from compliance.models import ApiKey, AuditEvent, Organisation, User
from tests.factories import issue_api_key
from tests.helpers import fr, page_text

RAW_KEY = re.compile(r"egide_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def create_key(client: Client, organisation: Organisation, **data: Any) -> Any:
    form = {"name": "Supervision HDS", "scopes": [ApiKeyScope.READ], "expires_in_days": "90"}
    form.update(data)
    return client.post(reverse("api_key_new", args=[organisation.slug]), form)


def raw_key_in(response: Any) -> str:
    match = RAW_KEY.search(page_text(response))
    assert match, "the new key is not on the page"
    return match.group(0)


def everything_stored() -> str:
    """Every value of every table, as one string."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


class TestCreateInTheUi:
    def test_page_shows_the_new_key_once_and_is_not_cached(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        response = create_key(owner_client, org_a)

        assert response.status_code == 200
        assert raw_key_in(response)
        assert response["Cache-Control"] == "no-store"

    def test_database_keeps_only_the_hash(self, owner_client: Client, org_a: Organisation) -> None:
        raw_key = raw_key_in(create_key(owner_client, org_a))

        api_key = ApiKey.objects.get()
        assert api_key.hashed_key == hashlib.sha256(raw_key.encode()).hexdigest()
        stored = everything_stored()
        secret = raw_key.split("_", 2)[2]
        assert raw_key not in stored
        assert secret not in stored

    def test_key_has_the_chosen_name_scopes_and_expiry(
        self, owner_client: Client, org_a: Organisation, owner: User
    ) -> None:
        create_key(
            owner_client, org_a, scopes=[ApiKeyScope.READ, ApiKeyScope.WRITE], expires_in_days="30"
        )

        api_key = ApiKey.objects.get()
        assert api_key.organisation == org_a
        assert api_key.name == "Supervision HDS"
        assert api_key.scopes == ["read", "write"]
        assert api_key.expires_at is not None
        assert 29 <= (api_key.expires_at - api_key.created_at).days <= 30
        assert api_key.created_by == owner

    def test_creation_is_recorded_as_made_by_the_manager(
        self, owner_client: Client, org_a: Organisation, owner: User
    ) -> None:
        create_key(owner_client, org_a)

        event = AuditEvent.objects.get(organisation=org_a)
        assert event.action == "api_key.create"
        assert event.actor_user == owner

    def test_new_key_works_with_the_api(self, owner_client: Client, org_a: Organisation) -> None:
        raw_key = raw_key_in(create_key(owner_client, org_a))

        response = Client().get(
            "/api/v1/organisation/", headers={"Authorization": f"Bearer {raw_key}"}
        )

        assert response.status_code == 200
        assert response.json()["slug"] == org_a.slug

    def test_list_never_shows_the_key(self, owner_client: Client, org_a: Organisation) -> None:
        raw_key = raw_key_in(create_key(owner_client, org_a))

        page = page_text(owner_client.get(reverse("api_key_list", args=[org_a.slug])))

        assert "Supervision HDS" in page
        assert raw_key not in page
        assert raw_key.split("_", 2)[2] not in page
        assert ApiKey.objects.get().display_prefix in page

    def test_key_without_scope_is_refused(self, owner_client: Client, org_a: Organisation) -> None:
        response = create_key(owner_client, org_a, scopes=[])

        assert response.status_code == 200
        assert fr("Choose at least one scope.") in page_text(response)
        assert not ApiKey.objects.exists()

    def test_expiry_beyond_ten_years_is_refused(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        response = create_key(owner_client, org_a, expires_in_days="5000")

        assert response.status_code == 200
        assert not RAW_KEY.search(page_text(response))
        assert not ApiKey.objects.exists()

    def test_key_without_expiry_is_allowed(self, owner_client: Client, org_a: Organisation) -> None:
        create_key(owner_client, org_a, expires_in_days="")

        assert ApiKey.objects.get().expires_at is None


class TestRevokeInTheUi:
    @pytest.fixture
    def issued(self, org_a: Organisation) -> Any:
        return issue_api_key(org_a, name="Ancienne intégration")

    def test_get_asks_for_confirmation_and_keeps_the_key(
        self, owner_client: Client, org_a: Organisation, issued: Any
    ) -> None:
        response = owner_client.get(reverse("api_key_revoke", args=[org_a.slug, issued.api_key.pk]))

        assert response.status_code == 200
        assert fr("Revoke this key?") in page_text(response)
        issued.api_key.refresh_from_db()
        assert issued.api_key.revoked_at is None

    def test_post_revokes_and_says_so(
        self, owner_client: Client, org_a: Organisation, issued: Any
    ) -> None:
        response = owner_client.post(
            reverse("api_key_revoke", args=[org_a.slug, issued.api_key.pk]), follow=True
        )

        issued.api_key.refresh_from_db()
        assert issued.api_key.revoked_at is not None
        page = page_text(response)
        assert fr("The key “%(name)s” was revoked.") % {"name": "Ancienne intégration"} in page
        assert fr("revoked") in page

    def test_revoked_key_gets_401_from_the_api(
        self, owner_client: Client, org_a: Organisation, issued: Any
    ) -> None:
        api = Client()
        headers = {"Authorization": f"Bearer {issued.raw_key}"}
        assert api.get("/api/v1/organisation/", headers=headers).status_code == 200

        owner_client.post(reverse("api_key_revoke", args=[org_a.slug, issued.api_key.pk]))

        assert api.get("/api/v1/organisation/", headers=headers).status_code == 401


class TestCreateApiKeyCommand:
    def run(self, *args: str) -> tuple[int, str, str]:
        out, err = StringIO(), StringIO()
        try:
            call_command("create_api_key", *args, stdout=out, stderr=err)
        except CommandError as error:
            return error.returncode, out.getvalue(), str(error)
        return 0, out.getvalue(), err.getvalue()

    def test_prints_a_working_key(self, org_a: Organisation, client: Client) -> None:
        status, out, err = self.run("--organisation", org_a.slug, "--scopes", "read,write")

        assert status == 0
        raw_key = out.strip()
        assert RAW_KEY.fullmatch(raw_key)
        assert "will not be shown again" in err
        response = client.get(
            "/api/v1/organisation/", headers={"Authorization": f"Bearer {raw_key}"}
        )
        assert response.status_code == 200
        assert ApiKey.objects.get().scopes == ["read", "write"]

    def test_key_creation_is_recorded_as_made_by_the_system(self, org_a: Organisation) -> None:
        self.run("--organisation", org_a.slug, "--name", "sauvegardes")

        event = AuditEvent.objects.get(organisation=org_a)
        assert event.actor_label == "system:create_api_key"
        assert event.actor_user is None

    def test_unknown_organisation_is_refused(self, db: None) -> None:
        status, out, message = self.run("--organisation", "nowhere")

        assert status != 0
        assert "nowhere" in message
        assert out == ""
        assert not ApiKey.objects.exists()

    def test_deactivated_organisation_is_refused(self, org_a: Organisation) -> None:
        Organisation.objects.filter(pk=org_a.pk).update(is_active=False)

        status, _out, _message = self.run("--organisation", org_a.slug)

        assert status != 0
        assert not ApiKey.objects.exists()

    @pytest.mark.parametrize("scopes", ["admin", "read,delete", ",", ""])
    def test_bad_scopes_are_refused(self, org_a: Organisation, scopes: str) -> None:
        status, out, _message = self.run("--organisation", org_a.slug, "--scopes", scopes)

        assert status != 0
        assert out == ""
        assert not ApiKey.objects.exists()

    def test_bad_expiry_is_refused(self, org_a: Organisation) -> None:
        status, _out, _message = self.run("--organisation", org_a.slug, "--expires-in-days", "0")

        assert status != 0
        assert not ApiKey.objects.exists()
