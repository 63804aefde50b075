"""REST API v1: bearer API keys, scopes, tenant scoping and fixed query counts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.choices import ApiKeyScope, Role
from compliance.models import ApiKey, AuditEvent, Membership, Organisation
from compliance.services.api_keys import api_key_revoke
from compliance.services.audit_trail import SystemActor
from compliance.services.organisations import organisation_update
from tests.factories import MembershipFactory, issue_api_key
from tests.helpers import fr, logged_in

ORGANISATION_URL = "/api/v1/organisation/"
MEMBERS_URL = "/api/v1/members/"
AUDIT_EVENTS_URL = "/api/v1/audit-events/"


def bearer(raw_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw_key}"}


def api_get(client: Client, url: str, raw_key: str, **params: Any) -> Any:
    return client.get(url, params, headers=bearer(raw_key))


def api_patch(client: Client, url: str, raw_key: str, data: dict[str, Any]) -> Any:
    return client.patch(
        url, json.dumps(data), content_type="application/json", headers=bearer(raw_key)
    )


@pytest.fixture
def read_key(org_a: Organisation) -> str:
    return issue_api_key(org_a, [ApiKeyScope.READ], name="read-only monitoring").raw_key


@pytest.fixture
def write_key(org_a: Organisation) -> str:
    return issue_api_key(
        org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE], name="HDS provisioning"
    ).raw_key


@pytest.fixture
def b_read_key(org_b: Organisation) -> str:
    return issue_api_key(org_b, [ApiKeyScope.READ], name="B monitoring").raw_key


def api_key_of(raw_key: str) -> ApiKey:
    return ApiKey.objects.get(prefix=raw_key.split("_")[1])


class TestAuthentication:
    INVALID_KEY_MESSAGE = "Invalid, expired or revoked API key."

    @pytest.fixture
    def expired_key(self, org_a: Organisation) -> str:
        issued = issue_api_key(org_a, expires_in_days=1)
        ApiKey.objects.filter(pk=issued.api_key.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        return issued.raw_key

    @pytest.fixture
    def revoked_key(self, org_a: Organisation) -> str:
        issued = issue_api_key(org_a)
        api_key_revoke(actor=SystemActor("tests"), api_key=issued.api_key)
        return issued.raw_key

    @pytest.fixture
    def wrong_secret_key(self, read_key: str) -> str:
        # A real prefix with a made-up secret: the row is found, the hash does not match.
        prefix = read_key[: len("egide_") + 8]
        return prefix + "_" + "x" * 43

    @pytest.fixture
    def deactivated_organisation_key(self, org_b: Organisation) -> str:
        raw_key = issue_api_key(org_b).raw_key
        Organisation.objects.filter(pk=org_b.pk).update(is_active=False)
        return raw_key

    @pytest.fixture(
        params=[
            "unknown",
            "malformed",
            "wrong_secret",
            "expired",
            "revoked",
            "deactivated_organisation",
        ]
    )
    def refused_key(self, request: pytest.FixtureRequest, db: None) -> str:
        if request.param == "unknown":
            return "egide_0badc0de_" + "y" * 43
        if request.param == "malformed":
            return "not-an-egide-key"
        return str(request.getfixturevalue(f"{request.param}_key"))

    def test_refused_keys_get_401_with_one_message_for_all(
        self, client: Client, refused_key: str
    ) -> None:
        response = api_get(client, ORGANISATION_URL, refused_key)

        assert response.status_code == 401
        assert response.json() == {"detail": fr(self.INVALID_KEY_MESSAGE)}
        assert response["WWW-Authenticate"] == 'Bearer realm="egide"'

    def test_bearer_without_a_key_gets_401(self, client: Client, db: None) -> None:
        response = client.get(ORGANISATION_URL, headers={"Authorization": "Bearer"})

        assert response.status_code == 401
        assert response.json() == {"detail": fr(self.INVALID_KEY_MESSAGE)}

    def test_missing_key_gets_401_with_a_challenge(self, client: Client, db: None) -> None:
        response = client.get(ORGANISATION_URL)

        assert response.status_code == 401
        assert set(response.json()) == {"detail"}
        assert response["WWW-Authenticate"] == 'Bearer realm="egide"'

    def test_missing_key_gets_the_same_message_as_a_refused_key(
        self, client: Client, db: None
    ) -> None:
        missing = client.get(ORGANISATION_URL)
        unknown = api_get(client, ORGANISATION_URL, "egide_0badc0de_" + "y" * 43)

        assert missing.json() == unknown.json()

    def test_a_web_session_does_not_open_the_api(self, owner: Any) -> None:
        response = logged_in(owner).get(ORGANISATION_URL)

        assert response.status_code == 401

    def test_valid_key_reads_its_organisation(
        self, client: Client, read_key: str, org_a: Organisation
    ) -> None:
        response = api_get(client, ORGANISATION_URL, read_key)

        assert response.status_code == 200
        assert response.json()["slug"] == org_a.slug
        assert response.json()["name"] == org_a.name

    def test_first_use_records_last_used_at(self, client: Client, read_key: str) -> None:
        assert api_key_of(read_key).last_used_at is None
        before = timezone.now()

        api_get(client, ORGANISATION_URL, read_key)

        last_used_at = api_key_of(read_key).last_used_at
        assert last_used_at is not None
        assert before <= last_used_at <= timezone.now()

    def test_refused_key_does_not_record_a_use(self, client: Client, org_a: Organisation) -> None:
        issued = issue_api_key(org_a)
        api_key_revoke(actor=SystemActor("tests"), api_key=issued.api_key)

        api_get(client, ORGANISATION_URL, issued.raw_key)

        assert api_key_of(issued.raw_key).last_used_at is None


class TestScopes:
    def test_read_only_key_cannot_change_the_organisation(
        self, client: Client, read_key: str, org_a: Organisation
    ) -> None:
        events_before = AuditEvent.objects.count()

        response = api_patch(client, ORGANISATION_URL, read_key, {"name": "Renamed"})

        assert response.status_code == 403
        assert set(response.json()) == {"detail"}
        org_a.refresh_from_db()
        assert org_a.name == "Clinique des Tilleuls"
        assert AuditEvent.objects.count() == events_before

    def test_write_only_key_cannot_read(self, client: Client, org_a: Organisation) -> None:
        raw_key = issue_api_key(org_a, [ApiKeyScope.WRITE]).raw_key

        response = api_get(client, ORGANISATION_URL, raw_key)

        assert response.status_code == 403


class TestOrganisationUpdate:
    def test_write_key_changes_the_organisation(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        response = api_patch(
            client,
            ORGANISATION_URL,
            write_key,
            {"name": "Clinique des Tilleuls SA", "staff_count": 250},
        )

        assert response.status_code == 200
        assert response.json()["name"] == "Clinique des Tilleuls SA"
        org_a.refresh_from_db()
        assert org_a.name == "Clinique des Tilleuls SA"
        assert org_a.staff_count == 250

    def test_change_appears_in_the_audit_trail_as_made_by_the_key(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        api_patch(
            client,
            ORGANISATION_URL,
            write_key,
            {"name": "Clinique des Tilleuls SA", "staff_count": 250},
        )

        event = api_get(client, AUDIT_EVENTS_URL, write_key).json()["results"][0]
        assert event["action"] == "organisation.update"
        assert event["actor_type"] == "api_key"
        assert "HDS provisioning" in event["actor"]
        assert event["changes"] == {
            "name": ["Clinique des Tilleuls", "Clinique des Tilleuls SA"],
            "staff_count": [None, 250],
        }
        stored = AuditEvent.objects.get(pk=event["id"])
        assert stored.actor_api_key == api_key_of(write_key)
        assert stored.actor_user is None

    def test_each_change_appends_exactly_one_event(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        before = AuditEvent.objects.filter(organisation=org_a).count()

        api_patch(client, ORGANISATION_URL, write_key, {"staff_count": 80})

        assert AuditEvent.objects.filter(organisation=org_a).count() == before + 1

    def test_unchanged_values_append_no_event(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        before = AuditEvent.objects.filter(organisation=org_a).count()

        response = api_patch(client, ORGANISATION_URL, write_key, {"name": org_a.name})

        assert response.status_code == 200
        assert AuditEvent.objects.filter(organisation=org_a).count() == before

    def test_invalid_siret_is_a_400_on_that_field(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        events_before = AuditEvent.objects.count()

        response = api_patch(client, ORGANISATION_URL, write_key, {"siret": "1234"})

        assert response.status_code == 400
        assert list(response.json()) == ["siret"]
        assert response.json()["siret"] == [fr("A SIRET number has exactly 14 digits.")]
        org_a.refresh_from_db()
        assert org_a.siret == ""
        assert AuditEvent.objects.count() == events_before

    def test_valid_siret_is_saved(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        response = api_patch(client, ORGANISATION_URL, write_key, {"siret": "12345678900017"})

        assert response.status_code == 200
        org_a.refresh_from_db()
        assert org_a.siret == "12345678900017"

    def test_implausible_staff_count_is_a_400(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        response = api_patch(client, ORGANISATION_URL, write_key, {"staff_count": 3_000_000})

        assert response.status_code == 400
        assert list(response.json()) == ["staff_count"]
        org_a.refresh_from_db()
        assert org_a.staff_count is None

    def test_a_key_cannot_turn_off_two_factor(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        organisation_update(actor=SystemActor("tests"), organisation=org_a, require_two_factor=True)

        api_patch(client, ORGANISATION_URL, write_key, {"require_two_factor": False})

        org_a.refresh_from_db()
        assert org_a.require_two_factor is True

    def test_the_slug_cannot_be_changed(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        api_patch(client, ORGANISATION_URL, write_key, {"slug": "hijacked"})

        org_a.refresh_from_db()
        assert org_a.slug == "clinique-des-tilleuls"


class TestMembers:
    def test_list_shows_only_the_key_organisation(
        self,
        client: Client,
        read_key: str,
        owner: Any,
        member: Any,
        outsider: Any,
    ) -> None:
        response = api_get(client, MEMBERS_URL, read_key)

        assert response.status_code == 200
        emails = {row["email"] for row in response.json()["results"]}
        assert emails == {owner.email, member.email}
        assert response.json()["count"] == 2

    def test_filter_by_role(self, client: Client, read_key: str, owner: Any, member: Any) -> None:
        response = api_get(client, MEMBERS_URL, read_key, role=Role.MANAGER)

        assert [row["email"] for row in response.json()["results"]] == [owner.email]

    def test_detail_of_own_member(
        self, client: Client, read_key: str, member_membership: Membership
    ) -> None:
        response = api_get(client, f"{MEMBERS_URL}{member_membership.pk}/", read_key)

        assert response.status_code == 200
        assert response.json()["email"] == member_membership.user.email
        assert response.json()["role"] == Role.VIEWER

    def test_detail_of_another_organisation_member_is_404(
        self, client: Client, read_key: str, outsider_membership: Membership
    ) -> None:
        response = api_get(client, f"{MEMBERS_URL}{outsider_membership.pk}/", read_key)

        assert response.status_code == 404

    def test_members_cannot_be_created_through_the_api(
        self, client: Client, write_key: str
    ) -> None:
        response = client.post(
            MEMBERS_URL,
            json.dumps({"email": "x@example.test", "role": "manager"}),
            content_type="application/json",
            headers=bearer(write_key),
        )

        assert response.status_code == 405


class TestAuditEvents:
    def test_list_shows_only_the_key_organisation(
        self, client: Client, read_key: str, b_read_key: str, org_a: Organisation
    ) -> None:
        response = api_get(client, AUDIT_EVENTS_URL, read_key)

        assert response.status_code == 200
        results = response.json()["results"]
        a_event_ids = set(
            AuditEvent.objects.filter(organisation=org_a).values_list("id", flat=True)
        )
        assert results
        assert {row["id"] for row in results} == a_event_ids
        assert all("B monitoring" not in row["object_repr"] for row in results)

    def test_newest_first(self, client: Client, read_key: str, org_a: Organisation) -> None:
        issue_api_key(org_a, name="second")
        issue_api_key(org_a, name="third")

        results = api_get(client, AUDIT_EVENTS_URL, read_key).json()["results"]

        assert [row["sequence"] for row in results] == [3, 2, 1]

    def test_detail_of_another_organisation_event_is_404(
        self, client: Client, read_key: str, org_b: Organisation, b_read_key: str
    ) -> None:
        b_event = AuditEvent.objects.filter(organisation=org_b).first()
        assert b_event is not None

        response = api_get(client, f"{AUDIT_EVENTS_URL}{b_event.pk}/", read_key)

        assert response.status_code == 404

    def test_detail_of_own_event(self, client: Client, read_key: str, org_a: Organisation) -> None:
        event = AuditEvent.objects.filter(organisation=org_a).get()

        response = api_get(client, f"{AUDIT_EVENTS_URL}{event.pk}/", read_key)

        assert response.status_code == 200
        assert response.json()["hash"] == event.hash
        assert response.json()["actor_type"] == "system"

    def test_filter_by_action(self, client: Client, read_key: str, write_key: str) -> None:
        api_patch(client, ORGANISATION_URL, write_key, {"staff_count": 12})

        results = api_get(client, AUDIT_EVENTS_URL, read_key, action="organisation").json()[
            "results"
        ]

        assert [row["action"] for row in results] == ["organisation.update"]

    def test_events_cannot_be_deleted_through_the_api(
        self, client: Client, write_key: str, org_a: Organisation
    ) -> None:
        event = AuditEvent.objects.filter(organisation=org_a).first()
        assert event is not None

        response = client.delete(f"{AUDIT_EVENTS_URL}{event.pk}/", headers=bearer(write_key))

        assert response.status_code == 405
        assert AuditEvent.objects.filter(pk=event.pk).exists()


class TestQueryCounts:
    """List endpoints run a fixed number of queries, whatever the number of rows."""

    def count_queries(self, client: Client, url: str, raw_key: str) -> int:
        api_get(client, url, raw_key)  # first use stamps last_used_at; measure after it
        with CaptureQueriesContext(connection) as queries:
            response = api_get(client, url, raw_key)
        assert response.status_code == 200
        return len(queries)

    def test_members_list(
        self, client: Client, read_key: str, org_a: Organisation, owner: Any
    ) -> None:
        one = self.count_queries(client, MEMBERS_URL, read_key)
        MembershipFactory.create_batch(10, organisation=org_a)

        many = self.count_queries(client, MEMBERS_URL, read_key)

        # 1. the API key and its organisation, 2. COUNT for the page, 3. the members
        # with their users (one join).
        assert one == many == 3

    def test_audit_events_list(self, client: Client, read_key: str, org_a: Organisation) -> None:
        one = self.count_queries(client, AUDIT_EVENTS_URL, read_key)
        for n in range(10):
            issue_api_key(org_a, name=f"integration {n}")

        many = self.count_queries(client, AUDIT_EVENTS_URL, read_key)

        # 1. the API key and its organisation, 2. one page of events (cursor: no COUNT).
        assert one == many == 2


def test_requests_beyond_the_rate_are_throttled(
    client: Client, read_key: str, settings: Any
) -> None:
    settings.EGIDE_API_RATE = "2/min"
    # A private in-memory cache, so that runs sharing one Redis do not see each other.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-test",
        }
    }

    statuses = [api_get(client, ORGANISATION_URL, read_key).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
