"""The members page: inviting people, changing roles, removing members."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.choices import Role
from compliance.models import AuditEvent, Membership, Organisation, User
from tests.factories import MembershipFactory
from tests.helpers import fr, logged_in, page_text

NEW_PASSWORD = "Lilas-au-printemps-2026"


def members_url(organisation: Organisation) -> str:
    return reverse("member_list", args=[organisation.slug])


def invite(client: Client, organisation: Organisation, email: str, role: str = Role.VIEWER) -> Any:
    return client.post(
        reverse("member_invite", args=[organisation.slug]), {"email": email, "role": role}
    )


class TestInviteSomeoneNew:
    EMAIL = "nouvelle.recrue@tilleuls.example"

    @pytest.fixture
    def invited(
        self,
        owner_client: Client,
        org_a: Organisation,
        django_capture_on_commit_callbacks: Any,
    ) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return invite(owner_client, org_a, self.EMAIL, Role.CONTRIBUTOR)

    def invitation_link(self) -> str:
        [message] = mail.outbox
        match = re.search(
            r"http://testserver(/accounts/invitation/[^/\s]+/[^/\s]+/)", str(message.body)
        )
        assert match, message.body
        return match.group(1)

    def test_manager_sees_a_confirmation_on_the_members_page(
        self, invited: Any, owner_client: Client, org_a: Organisation
    ) -> None:
        assert invited.status_code == 302
        assert invited["Location"] == members_url(org_a)
        page = page_text(owner_client.get(members_url(org_a)))
        assert fr("%(email)s has been invited.") % {"email": self.EMAIL} in page
        assert fr("invited") in page

    def test_account_is_created_without_a_password(self, invited: Any) -> None:
        user = User.objects.get(email=self.EMAIL)

        assert not user.has_usable_password()

    def test_membership_has_the_chosen_role(self, invited: Any, org_a: Organisation) -> None:
        membership = Membership.objects.get(user__email=self.EMAIL)

        assert membership.organisation == org_a
        assert membership.role == Role.CONTRIBUTOR

    def test_one_email_in_french_with_an_invitation_link(
        self, invited: Any, org_a: Organisation
    ) -> None:
        [message] = mail.outbox

        assert message.to == [self.EMAIL]
        assert message.subject == fr("You have been invited to %(organisation)s on Egide") % {
            "organisation": org_a.name
        }
        assert self.invitation_link()

    def test_no_email_is_sent_before_the_transaction_commits(
        self, owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invite(owner_client, org_a, self.EMAIL)

        assert mail.outbox == []
        assert len(callbacks) == 1

    def test_link_lets_the_person_choose_a_password_and_log_in(
        self, invited: Any, client: Client
    ) -> None:
        form_page = client.get(self.invitation_link(), follow=True)
        assert form_page.status_code == 200
        assert form_page.context["validlink"] is True

        saved = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert saved.status_code == 302
        assert saved["Location"] == reverse("login")

        logged = client.post(reverse("login"), {"username": self.EMAIL, "password": NEW_PASSWORD})
        assert logged.status_code == 302
        assert client.session["_auth_user_id"] == str(User.objects.get(email=self.EMAIL).pk)

    def test_link_works_only_once(self, invited: Any, client: Client) -> None:
        link = self.invitation_link()
        form_page = client.get(link, follow=True)
        client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

        again = Client().get(link, follow=True)

        assert again.context["validlink"] is False
        assert fr("This link no longer works") in page_text(again)

    def test_weak_password_is_refused(self, invited: Any, client: Client) -> None:
        form_page = client.get(self.invitation_link(), follow=True)

        response = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "court", "new_password2": "court"},
        )

        assert response.status_code == 200
        assert not User.objects.get(email=self.EMAIL).has_usable_password()


class TestInviteSomeoneKnown:
    def test_existing_account_joins_without_a_new_account(
        self,
        owner_client: Client,
        org_a: Organisation,
        outsider: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        users_before = User.objects.count()

        with django_capture_on_commit_callbacks(execute=True):
            invite(owner_client, org_a, outsider.email, Role.AUDITOR)

        assert User.objects.count() == users_before
        assert Membership.objects.get(user=outsider, organisation=org_a).role == Role.AUDITOR
        [message] = mail.outbox
        # Nothing to set up: the link opens the organisation.
        assert f"http://testserver{reverse('organisation_home', args=[org_a.slug])}" in message.body

    def test_existing_member_gets_a_clear_error_and_keeps_the_form(
        self,
        owner_client: Client,
        org_a: Organisation,
        member: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = invite(owner_client, org_a, member.email, Role.MANAGER)

        assert response.status_code == 200
        page = page_text(response)
        expected = fr("%(email)s is already a member of this organisation.") % {
            "email": member.email
        }
        assert expected in page
        assert f'value="{member.email}"' in page
        assert re.search(r'<option value="manager" selected>', page)
        assert mail.outbox == []
        assert Membership.objects.get(user=member).role == Role.VIEWER

    def test_existing_member_is_recognised_whatever_the_case(
        self, owner_client: Client, org_a: Organisation, member: User
    ) -> None:
        response = invite(owner_client, org_a, member.email.upper())

        assert response.status_code == 200
        assert Membership.objects.filter(organisation=org_a).count() == 2


class TestResendInvitation:
    EMAIL = "en.attente@tilleuls.example"

    @pytest.fixture
    def pending(self, org_a: Organisation) -> Membership:
        """A member invited earlier who has not chosen a password yet."""
        user = User.objects.create_user(email=self.EMAIL, password=None)
        return MembershipFactory.create(organisation=org_a, user=user)

    def resend(self, client: Client, organisation: Organisation, membership: Membership) -> Any:
        return client.post(
            reverse("member_resend_invitation", args=[organisation.slug, membership.pk]),
            follow=True,
        )

    def test_members_page_offers_it_for_invited_members_only(
        self, owner_client: Client, org_a: Organisation, pending: Membership, member: User
    ) -> None:
        page = page_text(owner_client.get(members_url(org_a)))

        assert fr("Send the invitation again") in page
        assert page.count(fr("Send the invitation again")) == 1

    def test_sends_a_working_set_password_link(
        self,
        owner_client: Client,
        org_a: Organisation,
        pending: Membership,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = self.resend(owner_client, org_a, pending)

        expected = fr("A new invitation was sent to %(email)s.") % {"email": self.EMAIL}
        assert expected in page_text(response)
        [message] = mail.outbox
        assert message.to == [self.EMAIL]
        match = re.search(r"http://testserver(/accounts/invitation/\S+/)", str(message.body))
        assert match
        assert Client().get(match.group(1), follow=True).context["validlink"] is True

    def test_is_recorded_in_the_audit_trail(
        self, owner_client: Client, org_a: Organisation, pending: Membership, owner: User
    ) -> None:
        self.resend(owner_client, org_a, pending)

        event = AuditEvent.objects.get(organisation=org_a)
        assert event.action == "membership.resend_invitation"
        assert event.actor_user == owner

    def test_refused_for_someone_who_already_has_a_password(
        self,
        owner_client: Client,
        org_a: Organisation,
        member_membership: Membership,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = self.resend(owner_client, org_a, member_membership)

        email = member_membership.user.email
        expected = fr("%(email)s has already activated their account.") % {"email": email}
        assert expected in page_text(response)
        assert mail.outbox == []
        assert not AuditEvent.objects.filter(organisation=org_a).exists()


def test_bad_email_shows_a_french_message(owner_client: Client, org_a: Organisation) -> None:
    response = invite(owner_client, org_a, "pas-une-adresse")

    assert response.status_code == 200
    message = fr("Enter a valid e-mail address, such as name@clinic.fr.")
    assert message != "Enter a valid e-mail address, such as name@clinic.fr."
    assert message in page_text(response)
    assert 'value="pas-une-adresse"' in page_text(response)


def test_invite_page_does_not_answer_get(owner_client: Client, org_a: Organisation) -> None:
    response = owner_client.get(reverse("member_invite", args=[org_a.slug]))

    assert response.status_code == 405


class TestChangeRole:
    def test_manager_changes_a_role(
        self, owner_client: Client, org_a: Organisation, member_membership: Membership
    ) -> None:
        response = owner_client.post(
            reverse("member_change_role", args=[org_a.slug, member_membership.pk]),
            {"role": Role.AUDITOR},
            follow=True,
        )

        member_membership.refresh_from_db()
        assert member_membership.role == Role.AUDITOR
        expected = fr("The role of %(email)s was changed.") % {
            "email": member_membership.user.email
        }
        assert expected in page_text(response)

    def test_unknown_role_is_refused(
        self, owner_client: Client, org_a: Organisation, member_membership: Membership
    ) -> None:
        response = owner_client.post(
            reverse("member_change_role", args=[org_a.slug, member_membership.pk]),
            {"role": "superuser"},
            follow=True,
        )

        member_membership.refresh_from_db()
        assert member_membership.role == Role.VIEWER
        assert fr("Choose one of the listed roles.") in page_text(response)

    def test_last_manager_cannot_be_demoted(
        self, owner_client: Client, org_a: Organisation, owner_membership: Membership
    ) -> None:
        response = owner_client.post(
            reverse("member_change_role", args=[org_a.slug, owner_membership.pk]),
            {"role": Role.VIEWER},
            follow=True,
        )

        owner_membership.refresh_from_db()
        assert owner_membership.role == Role.MANAGER
        message = fr("An organisation must keep at least one manager: name another manager first.")
        assert message in page_text(response)

    def test_a_manager_can_be_demoted_when_another_remains(
        self, owner_client: Client, org_a: Organisation, owner_membership: Membership
    ) -> None:
        MembershipFactory.create(organisation=org_a, role=Role.MANAGER)

        owner_client.post(
            reverse("member_change_role", args=[org_a.slug, owner_membership.pk]),
            {"role": Role.VIEWER},
        )

        owner_membership.refresh_from_db()
        assert owner_membership.role == Role.VIEWER


class TestRemove:
    def test_get_asks_for_confirmation(
        self, owner_client: Client, org_a: Organisation, member_membership: Membership
    ) -> None:
        response = owner_client.get(
            reverse("member_remove", args=[org_a.slug, member_membership.pk])
        )

        assert response.status_code == 200
        page = page_text(response)
        assert fr("Remove this member?") in page
        assert member_membership.user.email in page
        assert '<form method="post">' in page
        assert Membership.objects.filter(pk=member_membership.pk).exists()

    def test_post_removes(
        self, owner_client: Client, org_a: Organisation, member_membership: Membership
    ) -> None:
        response = owner_client.post(
            reverse("member_remove", args=[org_a.slug, member_membership.pk]), follow=True
        )

        assert not Membership.objects.filter(pk=member_membership.pk).exists()
        email = member_membership.user.email
        assert fr("%(email)s no longer has access.") % {"email": email} in page_text(response)
        # The person keeps their account (and their past actions in the audit trail).
        assert User.objects.filter(email=email).exists()

    def test_removed_member_loses_access(
        self, owner_client: Client, org_a: Organisation, member_membership: Membership
    ) -> None:
        owner_client.post(reverse("member_remove", args=[org_a.slug, member_membership.pk]))

        response = logged_in(member_membership.user).get(
            reverse("organisation_home", args=[org_a.slug])
        )

        assert response.status_code == 404

    def test_last_manager_cannot_be_removed(
        self, owner_client: Client, org_a: Organisation, owner_membership: Membership
    ) -> None:
        response = owner_client.post(
            reverse("member_remove", args=[org_a.slug, owner_membership.pk]), follow=True
        )

        assert Membership.objects.filter(pk=owner_membership.pk).exists()
        message = fr("An organisation must keep at least one manager: name another manager first.")
        assert message in page_text(response)

    def test_manager_who_leaves_goes_back_home(
        self, owner_client: Client, org_a: Organisation, owner_membership: Membership
    ) -> None:
        MembershipFactory.create(organisation=org_a, role=Role.MANAGER)

        response = owner_client.post(
            reverse("member_remove", args=[org_a.slug, owner_membership.pk])
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert not Membership.objects.filter(pk=owner_membership.pk).exists()


class TestMemberList:
    def test_contributor_sees_members_without_management_controls(
        self, org_a: Organisation, owner: User
    ) -> None:
        contributor = MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user

        page = page_text(logged_in(contributor).get(members_url(org_a)))

        assert owner.email in page
        assert reverse("member_invite", args=[org_a.slug]) not in page
        assert "/remove/" not in page

    def test_query_count_does_not_grow_with_members(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        owner_client.get(members_url(org_a))
        with CaptureQueriesContext(connection) as one:
            owner_client.get(members_url(org_a))
        MembershipFactory.create_batch(15, organisation=org_a)

        with CaptureQueriesContext(connection) as many:
            response = owner_client.get(members_url(org_a))

        assert response.status_code == 200
        # 1. the session, 2. the user, 3-5. the two-factor middleware (TOTP devices,
        # backup-code devices, memberships that require two-factor), 6. the membership of
        # this organisation, 7. the members with their users, 8. the organisation
        # switcher. The session is not saved again: the organisation did not change.
        assert len(one) == len(many) == 8


def test_inviting_again_after_an_expired_link_sends_a_working_link(
    owner_client: Client,
    org_a: Organisation,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    email = "distraite@tilleuls.example"
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, org_a, email)
    settings.PASSWORD_RESET_TIMEOUT = -1  # a week later: the first link has expired
    owner_client.post(
        reverse(
            "member_remove",
            args=[org_a.slug, Membership.objects.get(user__email=email).pk],
        )
    )
    settings.PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, org_a, email)

    [message] = mail.outbox
    match = re.search(r"http://testserver(/accounts/invitation/\S+/)", str(message.body))
    assert match, "the new e-mail has no link to choose a password"
    assert Client().get(match.group(1), follow=True).context["validlink"] is True
