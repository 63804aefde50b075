"""The hash-chained audit trail: one event per write in the write's own transaction,
append-only, and verify_audit_trail catches every kind of tampering."""

from __future__ import annotations

import contextlib
import html
import itertools
import re
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from compliance.choices import ApiKeyScope, Role
from compliance.models import AuditChainHead, AuditEvent, Membership, Organisation, User
from compliance.models.audit import GENESIS_HASH, AuditTrailIsAppendOnly
from compliance.services import organisations as organisation_services
from compliance.services.api_keys import api_key_create, api_key_revoke
from compliance.services.audit_trail import SystemActor, audit_event_record
from compliance.services.organisations import (
    membership_change_role,
    membership_invite,
    membership_remove,
    organisation_update,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, issue_api_key
from tests.helpers import page_text

ACTOR = SystemActor("tests")


def events_of(organisation: Organisation) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organisation=organisation).order_by("sequence"))


# --- One event per write -------------------------------------------------------------


class TestEveryWriteIsRecorded:
    def test_organisation_update(self, org_a: Organisation, owner: User) -> None:
        organisation_update(
            actor=owner, organisation=org_a, name="Clinique du Parc", staff_count=40
        )

        [event] = events_of(org_a)
        assert event.action == "organisation.update"
        assert event.actor_user == owner
        assert event.actor_label == owner.email
        assert event.changes == {
            "name": ["Clinique des Tilleuls", "Clinique du Parc"],
            "staff_count": [None, 40],
        }

    def test_invite_of_a_new_person_records_the_account_and_the_membership(
        self, org_a: Organisation, owner: User
    ) -> None:
        membership_invite(
            actor=owner,
            organisation=org_a,
            email="nouvelle@tilleuls.example",
            role=Role.CONTRIBUTOR,
            site_url="http://testserver/",
        )

        assert [(e.action, e.changes) for e in events_of(org_a)] == [
            ("user.create", {"email": [None, "nouvelle@tilleuls.example"]}),
            (
                "membership.create",
                {"user": [None, "nouvelle@tilleuls.example"], "role": [None, "contributor"]},
            ),
        ]

    def test_invite_of_an_existing_account_records_only_the_membership(
        self, org_a: Organisation, owner: User, outsider: User
    ) -> None:
        membership_invite(
            actor=owner,
            organisation=org_a,
            email=outsider.email,
            role=Role.AUDITOR,
            site_url="http://testserver/",
        )

        assert [e.action for e in events_of(org_a)] == ["membership.create"]

    def test_membership_change_role(
        self, owner: User, member_membership: Membership, org_a: Organisation
    ) -> None:
        membership_change_role(actor=owner, membership=member_membership, role=Role.AUDITOR)

        [event] = events_of(org_a)
        assert event.action == "membership.change_role"
        assert event.changes == {"role": ["viewer", "auditor"]}
        assert event.object_id == str(member_membership.pk)

    def test_same_role_again_records_nothing(
        self, owner: User, member_membership: Membership, org_a: Organisation
    ) -> None:
        membership_change_role(actor=owner, membership=member_membership, role=Role.VIEWER)

        assert events_of(org_a) == []

    def test_membership_remove(
        self, owner: User, member_membership: Membership, org_a: Organisation, member: User
    ) -> None:
        membership_remove(actor=owner, membership=member_membership)

        [event] = events_of(org_a)
        assert event.action == "membership.remove"
        assert event.changes == {"user": [member.email, None], "role": ["viewer", None]}

    def test_api_key_create(self, org_a: Organisation, owner: User) -> None:
        api_key_create(
            actor=owner, organisation=org_a, name="supervision", scopes=[ApiKeyScope.READ]
        )

        [event] = events_of(org_a)
        assert event.action == "api_key.create"
        assert event.changes == {
            "name": [None, "supervision"],
            "scopes": [None, ["read"]],
            "expires_at": [None, None],
        }

    def test_api_key_revoke(self, org_a: Organisation, owner: User) -> None:
        api_key = issue_api_key(org_a).api_key

        api_key_revoke(actor=owner, api_key=api_key)
        api_key_revoke(actor=owner, api_key=api_key)  # a second revoke changes nothing

        assert [e.action for e in events_of(org_a)] == ["api_key.create", "api_key.revoke"]


class TestFailedWritesLeaveNoEvent:
    def test_removing_the_last_manager_is_refused_and_not_recorded(
        self, owner_membership: Membership, org_a: Organisation, member: User
    ) -> None:
        with pytest.raises(ValidationError):
            membership_remove(actor=ACTOR, membership=owner_membership)

        assert Membership.objects.filter(pk=owner_membership.pk).exists()
        assert events_of(org_a) == []

    def test_demoting_the_last_manager_is_refused_and_not_recorded(
        self, owner_membership: Membership, org_a: Organisation
    ) -> None:
        with pytest.raises(ValidationError):
            membership_change_role(actor=ACTOR, membership=owner_membership, role=Role.VIEWER)

        owner_membership.refresh_from_db()
        assert owner_membership.role == Role.MANAGER
        assert events_of(org_a) == []

    def test_invalid_update_is_refused_and_not_recorded(self, org_a: Organisation) -> None:
        with pytest.raises(ValidationError):
            organisation_update(actor=ACTOR, organisation=org_a, siret="not a siret")

        org_a.refresh_from_db()
        assert org_a.siret == ""
        assert events_of(org_a) == []

    def test_inviting_an_existing_member_is_refused_and_not_recorded(
        self, org_a: Organisation, member: User
    ) -> None:
        with pytest.raises(ValidationError):
            membership_invite(
                actor=ACTOR,
                organisation=org_a,
                email=member.email.upper(),
                role=Role.MANAGER,
                site_url="http://testserver/",
            )

        assert events_of(org_a) == []

    def test_write_is_rolled_back_when_its_event_cannot_be_written(
        self,
        org_a: Organisation,
        owner_membership: Membership,
        member_membership: Membership,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def broken_audit(**kwargs: Any) -> None:
            raise DatabaseError("disk full")

        monkeypatch.setattr(organisation_services, "audit_event_record", broken_audit)

        with pytest.raises(DatabaseError):
            membership_remove(actor=ACTOR, membership=member_membership)

        assert Membership.objects.filter(pk=member_membership.pk).exists()

    def test_invite_rolled_back_by_a_failing_event_leaves_no_account(
        self, org_a: Organisation, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real = organisation_services.audit_event_record

        def fail_on_membership(**kwargs: Any) -> Any:
            if kwargs["action"] == "membership.create":
                raise DatabaseError("disk full")
            return real(**kwargs)

        monkeypatch.setattr(organisation_services, "audit_event_record", fail_on_membership)

        with pytest.raises(DatabaseError):
            membership_invite(
                actor=ACTOR,
                organisation=org_a,
                email="ghost@example.test",
                role=Role.VIEWER,
                site_url="http://testserver/",
            )

        assert not User.objects.filter(email="ghost@example.test").exists()
        assert events_of(org_a) == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_managers_demoting_each_other_at_once_leave_a_manager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    organisation = OrganisationFactory.create()
    managers = MembershipFactory.create_batch(2, organisation=organisation, role=Role.MANAGER)
    both_checked = threading.Barrier(2, timeout=3)
    real_check = organisation_services._ensure_a_manager_remains

    def check_then_wait_for_the_other(membership: Membership) -> None:
        real_check(membership)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()  # a correct lock makes the other wait: the barrier times out

    monkeypatch.setattr(
        organisation_services, "_ensure_a_manager_remains", check_then_wait_for_the_other
    )

    def demote(membership: Membership) -> None:
        try:
            membership_change_role(actor=ACTOR, membership=membership, role=Role.VIEWER)
        except ValidationError:
            pass  # the one that comes second must be refused
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Membership.objects.filter(organisation=organisation, role=Role.MANAGER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_recording_an_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        audit_event_record(actor=ACTOR, organisation=None, action="test.nothing")

    assert not AuditEvent.objects.exists()


# --- The hash chain ------------------------------------------------------------------


@pytest.fixture
def trail(org_a: Organisation, org_b: Organisation) -> list[AuditEvent]:
    """Four events in A's chain (and one in B's, which must stay out of A's story)."""
    for name in ("one", "two", "three", "four"):
        issue_api_key(org_a, name=name)
    issue_api_key(org_b, name="B's key")
    return events_of(org_a)


def test_events_of_each_organisation_form_their_own_chain(
    trail: list[AuditEvent], org_b: Organisation
) -> None:
    assert [e.sequence for e in trail] == [1, 2, 3, 4]
    assert trail[0].previous_hash == GENESIS_HASH
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(trail))
    [b_event] = events_of(org_b)
    assert b_event.sequence == 1
    assert b_event.previous_hash == GENESIS_HASH


def test_chain_head_anchors_the_last_event(trail: list[AuditEvent]) -> None:
    head = AuditChainHead.objects.get(chain_key=trail[-1].chain_key)

    assert (head.sequence, head.hash) == (4, trail[-1].hash)


def tamper(sql: str, params: list[Any]) -> None:
    """What someone with database access could do. On PostgreSQL the append-only trigger
    is switched off for the statement (inside the test's transaction, rolled back after)."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE compliance_auditevent "
                "DISABLE TRIGGER compliance_auditevent_no_update_delete"
            )
        cursor.execute(sql, params)
        if postgresql:
            cursor.execute(
                "ALTER TABLE compliance_auditevent "
                "ENABLE TRIGGER compliance_auditevent_no_update_delete"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def db_values(event: AuditEvent, columns: tuple[str, ...]) -> list[Any]:
    values = []
    for name in columns:
        field = AuditEvent._meta.get_field(name)
        assert isinstance(field, models.Field)
        values.append(field.get_db_prep_value(getattr(event, name), connection))
    return values


def set_sequence(event_id: int, sequence: int) -> None:
    tamper("UPDATE compliance_auditevent SET sequence = %s WHERE id = %s", [sequence, event_id])


def verify(*args: str) -> tuple[int, str]:
    """Runs verify_audit_trail as `manage.py` would: its exit status and its output."""
    out = StringIO()
    try:
        call_command("verify_audit_trail", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def broken_at(event: AuditEvent) -> str:
    return f"BROKEN at event id={event.pk} sequence="


class TestVerifyAuditTrail:
    def test_intact_trail_exits_0(self, trail: list[AuditEvent]) -> None:
        status, output = verify()

        assert status == 0
        assert "BROKEN" not in output
        assert f"{trail[0].chain_key}: intact (4 events)" in output

    def test_empty_database_is_intact(self, db: None) -> None:
        assert verify()[0] == 0

    def test_edited_row_is_named(self, trail: list[AuditEvent]) -> None:
        tamper(
            "UPDATE compliance_auditevent SET object_repr = %s WHERE id = %s",
            ["forged", trail[1].pk],
        )

        status, output = verify()

        assert status != 0
        assert f"{broken_at(trail[1])}2:" in output
        assert "edited" in output

    def test_edited_changes_are_caught(self, trail: list[AuditEvent]) -> None:
        tamper(
            "UPDATE compliance_auditevent SET changes = %s WHERE id = %s",
            ['{"name": [null, "innocent"]}', trail[2].pk],
        )

        status, output = verify()

        assert status != 0
        assert broken_at(trail[2]) in output

    def test_edited_row_with_a_recomputed_hash_breaks_the_next_link(
        self, trail: list[AuditEvent]
    ) -> None:
        forged = AuditEvent.objects.get(pk=trail[1].pk)
        forged.action = "api_key.nothing_to_see"
        tamper(
            "UPDATE compliance_auditevent SET action = %s, hash = %s WHERE id = %s",
            [forged.action, forged.compute_hash(), forged.pk],
        )

        status, output = verify()

        assert status != 0
        assert broken_at(trail[2]) in output

    def test_deleted_middle_row_is_caught_at_the_gap(self, trail: list[AuditEvent]) -> None:
        tamper("DELETE FROM compliance_auditevent WHERE id = %s", [trail[1].pk])

        status, output = verify()

        assert status != 0
        assert f"{broken_at(trail[2])}3:" in output

    def test_reordered_rows_are_caught(self, trail: list[AuditEvent]) -> None:
        # Swap the sequence numbers of events 2 and 3 (via a free number: the pair is unique).
        set_sequence(trail[1].pk, 1000)
        set_sequence(trail[2].pk, 2)
        set_sequence(trail[1].pk, 3)

        status, output = verify()

        assert status != 0
        assert f"{broken_at(trail[2])}2:" in output

    def test_rows_with_swapped_contents_are_caught(self, trail: list[AuditEvent]) -> None:
        # Events 2 and 3 exchange what they say, each keeping its place in the chain.
        columns = ("action", "object_id", "object_repr", "changes", "created_at", "hash")
        second, third = (AuditEvent.objects.get(pk=e.pk) for e in trail[1:3])
        assignments = ", ".join(f"{column} = %s" for column in columns)
        for target, source in ((second, third), (third, second)):
            tamper(
                f"UPDATE compliance_auditevent SET {assignments} WHERE id = %s",  # noqa: S608
                [*db_values(source, columns), target.pk],
            )

        status, output = verify()

        assert status != 0
        assert broken_at(trail[1]) in output

    def test_deleted_last_row_is_caught_by_the_anchor(self, trail: list[AuditEvent]) -> None:
        tamper("DELETE FROM compliance_auditevent WHERE id = %s", [trail[-1].pk])

        status, output = verify()

        assert status != 0
        assert f"{broken_at(trail[2])}3:" in output
        assert "removed from the end" in output

    def test_whole_chain_deleted_is_caught(self, trail: list[AuditEvent]) -> None:
        tamper("DELETE FROM compliance_auditevent WHERE chain_key = %s", [trail[0].chain_key])

        status, output = verify()

        assert status != 0
        assert f"{trail[0].chain_key}: BROKEN" in output

    def test_other_organisations_stay_intact(
        self, trail: list[AuditEvent], org_b: Organisation
    ) -> None:
        tamper("DELETE FROM compliance_auditevent WHERE id = %s", [trail[1].pk])

        assert verify("--organisation", org_b.slug)[0] == 0
        assert verify("--organisation", "clinique-des-tilleuls")[0] != 0

    def test_unknown_organisation_is_an_error(self, db: None) -> None:
        status, _output = verify("--organisation", "nowhere")

        assert status != 0


class TestVerifyButton:
    """The audit trail page's "Verify integrity" button tells the manager the same."""

    def test_intact(
        self, owner_client: Client, org_a: Organisation, trail: list[AuditEvent]
    ) -> None:
        response = owner_client.get(reverse("audit_trail", args=[org_a.slug]), {"verify": "1"})

        with translation.override("fr"):
            expected = translation.ngettext(
                "Chain intact: %(n)s event checked.", "Chain intact: %(n)s events checked.", 4
            ) % {"n": 4}
        assert expected in page_text(response)

    def test_broken(
        self, owner_client: Client, org_a: Organisation, trail: list[AuditEvent]
    ) -> None:
        tamper("DELETE FROM compliance_auditevent WHERE id = %s", [trail[1].pk])

        response = owner_client.get(reverse("audit_trail", args=[org_a.slug]), {"verify": "1"})

        assert 'role="alert"' in page_text(response)
        assert "Chain intact" not in page_text(response)
        assert "Chaîne intacte" not in page_text(response)


# --- Append-only -----------------------------------------------------------------------


class TestTheOrmRefusesChanges:
    def test_save_of_an_existing_event(self, trail: list[AuditEvent]) -> None:
        event = AuditEvent.objects.get(pk=trail[0].pk)
        event.action = "forged"

        with pytest.raises(AuditTrailIsAppendOnly):
            event.save()

    def test_delete_of_an_event(self, trail: list[AuditEvent]) -> None:
        with pytest.raises(AuditTrailIsAppendOnly):
            trail[0].delete()

    def test_queryset_update(self, trail: list[AuditEvent]) -> None:
        with pytest.raises(AuditTrailIsAppendOnly):
            AuditEvent.objects.filter(pk=trail[0].pk).update(action="forged")

    def test_queryset_delete(self, trail: list[AuditEvent]) -> None:
        with pytest.raises(AuditTrailIsAppendOnly):
            AuditEvent.objects.all().delete()

    def test_bulk_update(self, trail: list[AuditEvent]) -> None:
        trail[0].action = "forged"

        with pytest.raises(AuditTrailIsAppendOnly):
            AuditEvent.objects.bulk_update([trail[0]], ["action"])

    def test_trail_is_unchanged_after_the_refusals(self, trail: list[AuditEvent]) -> None:
        for attempt in (
            lambda: AuditEvent.objects.filter(pk=trail[0].pk).update(action="forged"),
            lambda: AuditEvent.objects.all().delete(),
        ):
            with pytest.raises(AuditTrailIsAppendOnly):
                attempt()

        assert verify()[0] == 0
        assert AuditEvent.objects.count() == 5

    def test_new_instance_reusing_an_event_id_does_not_overwrite_it(
        self, trail: list[AuditEvent]
    ) -> None:
        original = trail[1]
        forged = AuditEvent(
            pk=original.pk,
            chain_key=original.chain_key,
            sequence=original.sequence,
            organisation_id=original.organisation_id,
            actor_label=original.actor_label,
            action="forged",
            created_at=original.created_at,
            previous_hash=original.previous_hash,
            hash=original.hash,
        )

        with pytest.raises((AuditTrailIsAppendOnly, DatabaseError)), transaction.atomic():
            forged.save()

        assert AuditEvent.objects.get(pk=original.pk).action == original.action


@pytest.mark.postgres_only
class TestThePostgresqlTriggerRefusesChanges:
    def test_raw_update(self, trail: list[AuditEvent]) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE compliance_auditevent SET action = 'forged' WHERE id = %s", [trail[0].pk]
            )

        assert AuditEvent.objects.get(pk=trail[0].pk).action == "api_key.create"

    def test_raw_delete(self, trail: list[AuditEvent]) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM compliance_auditevent WHERE id = %s", [trail[0].pk])

        assert AuditEvent.objects.filter(pk=trail[0].pk).exists()

    def test_inserts_are_still_allowed(self, trail: list[AuditEvent], org_a: Organisation) -> None:
        issue_api_key(org_a, name="five")

        assert [e.sequence for e in events_of(org_a)] == [1, 2, 3, 4, 5]


# --- The audit trail page ----------------------------------------------------------------


def test_page_lists_events_newest_first(
    owner_client: Client, org_a: Organisation, trail: list[AuditEvent]
) -> None:
    page = page_text(owner_client.get(reverse("audit_trail", args=[org_a.slug])))

    positions = [page.index(f"<td>{n}</td>") for n in (4, 3, 2, 1)]
    assert positions == sorted(positions)


def test_page_filters_by_action(owner_client: Client, org_a: Organisation, owner: User) -> None:
    issue_api_key(org_a, name="integration")
    organisation_update(actor=owner, organisation=org_a, staff_count=3)

    page = page_text(
        owner_client.get(reverse("audit_trail", args=[org_a.slug]), {"action": "organisation"})
    )

    assert "organisation.update" in page
    assert "api_key.create" not in page


def test_page_query_count_does_not_grow_with_events(
    owner_client: Client, org_a: Organisation, owner: User
) -> None:
    url = reverse("audit_trail", args=[org_a.slug])
    issue_api_key(org_a, name="first", actor=owner)
    owner_client.get(url)
    with CaptureQueriesContext(connection) as one:
        owner_client.get(url)
    for n in range(10):
        issue_api_key(org_a, name=f"key {n}", actor=owner)
        MembershipFactory.create(organisation=org_a, user=UserFactory.create())

    with CaptureQueriesContext(connection) as many:
        owner_client.get(url)

    # 1. the session, 2. the user, 3-5. the two-factor middleware, 6. the membership,
    # 7. COUNT for the pager, 8. one page of events, 9. the organisation switcher.
    # The session is not saved again: the organisation did not change.
    assert len(one) == len(many) == 9


def test_pages_keep_the_filter(owner_client: Client, org_a: Organisation, owner: User) -> None:
    # The oldest event does not match: it would be on page 2 if paging lost the filter.
    organisation_update(actor=owner, organisation=org_a, staff_count=3)
    for n in range(51):
        issue_api_key(org_a, name=f"key {n}")

    response = owner_client.get(reverse("audit_trail", args=[org_a.slug]), {"action": "api_key"})

    older = re.search(r'<a href="([^"]*)">[^<]*→</a>', response.content.decode())
    assert older, "no link to the older events"
    second_page = owner_client.get(
        reverse("audit_trail", args=[org_a.slug]) + html.unescape(older.group(1))
    )
    page = page_text(second_page)
    assert "api_key.create" in page
    assert "organisation.update" not in page
