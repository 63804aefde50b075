"""Who reaches what under /o/<slug>/: a stranger's organisation does not exist (404), a
missing permission in one's own organisation is refused (403), anonymous visitors log in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from compliance.choices import Role
from compliance.models import ApiKey, Membership, Organisation, User
from compliance.permissions import ROLE_PERMISSIONS, Permission
from tests.factories import MembershipFactory, issue_api_key
from tests.helpers import logged_in, page_text


@dataclass(frozen=True)
class Page:
    url_name: str
    permission: str
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    target: str | None = None  # "membership" or "api_key": the URL takes that object's pk
    ok_status: int = 200  # what someone allowed to use the page gets

    def __str__(self) -> str:
        return self.url_name


PAGES = [
    Page("organisation_home", Permission.VIEW_ORGANISATION),
    Page("organisation_settings", Permission.CHANGE_ORGANISATION),
    Page("member_list", Permission.VIEW_MEMBERS),
    Page(
        "member_invite",
        Permission.MANAGE_MEMBERS,
        method="post",
        data={"email": "new.person@tilleuls.example", "role": Role.VIEWER},
        ok_status=302,
    ),
    Page(
        "member_change_role",
        Permission.MANAGE_MEMBERS,
        method="post",
        data={"role": Role.CONTRIBUTOR},
        target="membership",
        ok_status=302,
    ),
    Page("member_remove", Permission.MANAGE_MEMBERS, target="membership"),
    Page(
        "member_resend_invitation",
        Permission.MANAGE_MEMBERS,
        method="post",
        target="membership",
        ok_status=302,
    ),
    Page("api_key_list", Permission.MANAGE_API_KEYS),
    Page("api_key_new", Permission.MANAGE_API_KEYS),
    Page("api_key_revoke", Permission.MANAGE_API_KEYS, target="api_key"),
    Page("audit_trail", Permission.VIEW_AUDIT_TRAIL),
]


def url_for(page: Page, organisation: Organisation, targets: dict[str, Any]) -> str:
    args: list[Any] = [organisation.slug]
    if page.target:
        args.append(targets[page.target].pk)
    return reverse(page.url_name, args=args)


def visit(client: Client, page: Page, url: str) -> Any:
    return getattr(client, page.method)(url, page.data)


@pytest.fixture
def targets(org_a: Organisation, member_membership: Membership) -> dict[str, Any]:
    """Objects of organisation A that the object pages point at."""
    return {
        "membership": member_membership,
        "api_key": issue_api_key(org_a, name="A's integration").api_key,
    }


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_owner_can_use_every_page_of_their_organisation(
    page: Page, owner_client: Client, org_a: Organisation, targets: dict[str, Any]
) -> None:
    response = visit(owner_client, page, url_for(page, org_a, targets))

    assert response.status_code == page.ok_status


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_outsider_gets_404_on_every_page_of_another_organisation(
    page: Page,
    outsider_client: Client,
    org_a: Organisation,
    owner: User,
    targets: dict[str, Any],
) -> None:
    response = visit(outsider_client, page, url_for(page, org_a, targets))

    assert response.status_code == 404
    # The error page does not confirm that the organisation exists.
    assert org_a.name not in page_text(response)


def test_outsider_cannot_invite_into_another_organisation(
    outsider_client: Client, org_a: Organisation, owner: User
) -> None:
    outsider_client.post(
        reverse("member_invite", args=[org_a.slug]),
        {"email": "intruder@example.test", "role": Role.MANAGER},
    )

    assert not User.objects.filter(email="intruder@example.test").exists()
    assert list(Membership.objects.filter(organisation=org_a)) == [owner.memberships.get()]


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_member_without_the_permission_gets_403(
    page: Page, member_client: Client, org_a: Organisation, targets: dict[str, Any]
) -> None:
    response = visit(member_client, page, url_for(page, org_a, targets))

    # The fixed member is a viewer: the dashboard is theirs, everything else is refused.
    expected = page.ok_status if page.permission == Permission.VIEW_ORGANISATION else 403
    assert response.status_code == expected


def test_viewer_cannot_promote_themself(
    member_client: Client, org_a: Organisation, member_membership: Membership
) -> None:
    member_client.post(
        reverse("member_change_role", args=[org_a.slug, member_membership.pk]),
        {"role": Role.MANAGER},
    )

    member_membership.refresh_from_db()
    assert member_membership.role == Role.VIEWER


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_each_role_reaches_exactly_the_pages_its_permissions_allow(
    page: Page,
    role: Role,
    org_a: Organisation,
    owner: User,
    targets: dict[str, Any],
) -> None:
    membership = MembershipFactory.create(organisation=org_a, role=role)

    response = visit(logged_in(membership.user), page, url_for(page, org_a, targets))

    allowed = page.permission in ROLE_PERMISSIONS[role]
    assert response.status_code == (page.ok_status if allowed else 403)


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_anonymous_visitor_is_sent_to_the_login_page(
    page: Page, client: Client, org_a: Organisation, targets: dict[str, Any]
) -> None:
    url = url_for(page, org_a, targets)

    response = visit(client, page, url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_pages_of_a_deactivated_organisation_are_gone_for_its_manager(
    owner_client: Client, org_a: Organisation
) -> None:
    Organisation.objects.filter(pk=org_a.pk).update(is_active=False)

    response = owner_client.get(reverse("organisation_home", args=[org_a.slug]))

    assert response.status_code == 404


def test_unknown_organisation_is_404(owner_client: Client) -> None:
    response = owner_client.get(reverse("organisation_home", args=["no-such-clinic"]))

    assert response.status_code == 404


class TestObjectsOfAnotherOrganisation:
    """An id that belongs to organisation B, used under organisation A's slug."""

    @pytest.fixture
    def b_membership(self, outsider_membership: Membership) -> Membership:
        return outsider_membership

    @pytest.fixture
    def b_api_key(self, org_b: Organisation) -> ApiKey:
        return issue_api_key(org_b, name="B's integration").api_key

    def test_changing_the_role_of_b_member_is_404(
        self, owner_client: Client, org_a: Organisation, b_membership: Membership
    ) -> None:
        response = owner_client.post(
            reverse("member_change_role", args=[org_a.slug, b_membership.pk]),
            {"role": Role.VIEWER},
        )

        assert response.status_code == 404
        b_membership.refresh_from_db()
        assert b_membership.role == Role.MANAGER

    def test_remove_confirmation_for_b_member_is_404(
        self, owner_client: Client, org_a: Organisation, b_membership: Membership
    ) -> None:
        response = owner_client.get(reverse("member_remove", args=[org_a.slug, b_membership.pk]))

        assert response.status_code == 404

    def test_removing_b_member_is_404_and_keeps_them(
        self, owner_client: Client, org_a: Organisation, b_membership: Membership
    ) -> None:
        response = owner_client.post(reverse("member_remove", args=[org_a.slug, b_membership.pk]))

        assert response.status_code == 404
        assert Membership.objects.filter(pk=b_membership.pk).exists()

    def test_resending_b_member_invitation_is_404(
        self,
        owner_client: Client,
        org_a: Organisation,
        b_membership: Membership,
        mailoutbox: list[Any],
    ) -> None:
        response = owner_client.post(
            reverse("member_resend_invitation", args=[org_a.slug, b_membership.pk])
        )

        assert response.status_code == 404
        assert mailoutbox == []

    def test_revoke_confirmation_for_b_key_is_404(
        self, owner_client: Client, org_a: Organisation, b_api_key: ApiKey
    ) -> None:
        response = owner_client.get(reverse("api_key_revoke", args=[org_a.slug, b_api_key.pk]))

        assert response.status_code == 404

    def test_revoking_b_key_is_404_and_keeps_it_working(
        self, owner_client: Client, org_a: Organisation, b_api_key: ApiKey
    ) -> None:
        response = owner_client.post(reverse("api_key_revoke", args=[org_a.slug, b_api_key.pk]))

        assert response.status_code == 404
        b_api_key.refresh_from_db()
        assert b_api_key.revoked_at is None


class TestLeadAuditorOfTwoOrganisations:
    @pytest.fixture
    def auditor(
        self,
        org_a: Organisation,
        org_b: Organisation,
        owner: User,
        outsider: User,
    ) -> User:
        lead = MembershipFactory.create(
            organisation=org_a, role=Role.LEAD_AUDITOR, user__email="lead@audit.example"
        ).user
        MembershipFactory.create(organisation=org_b, role=Role.LEAD_AUDITOR, user=lead)
        return lead

    def test_sees_only_a_members_inside_a(
        self, auditor: User, org_a: Organisation, owner: User, outsider: User
    ) -> None:
        page = page_text(logged_in(auditor).get(reverse("member_list", args=[org_a.slug])))

        assert owner.email in page
        assert auditor.email in page
        assert outsider.email not in page

    def test_sees_only_b_members_inside_b(
        self, auditor: User, org_b: Organisation, owner: User, outsider: User
    ) -> None:
        page = page_text(logged_in(auditor).get(reverse("member_list", args=[org_b.slug])))

        assert outsider.email in page
        assert auditor.email in page
        assert owner.email not in page

    def test_audit_trail_of_a_shows_only_a_events(
        self, auditor: User, org_a: Organisation, org_b: Organisation
    ) -> None:
        issue_api_key(org_a, name="Key of the Tilleuls clinic")
        issue_api_key(org_b, name="Key of the southern host")

        page = page_text(logged_in(auditor).get(reverse("audit_trail", args=[org_a.slug])))

        assert "Key of the Tilleuls clinic" in page
        assert "Key of the southern host" not in page

    def test_home_page_lets_them_choose_between_both(
        self, auditor: User, org_a: Organisation, org_b: Organisation
    ) -> None:
        response = logged_in(auditor).get(reverse("home"))

        assert response.status_code == 200
        page = page_text(response)
        assert reverse("organisation_home", args=[org_a.slug]) in page
        assert reverse("organisation_home", args=[org_b.slug]) in page

    def test_home_returns_to_the_organisation_used_last(
        self, auditor: User, org_b: Organisation
    ) -> None:
        client = logged_in(auditor)
        client.get(reverse("organisation_home", args=[org_b.slug]))

        response = client.get(reverse("home"))

        assert response.status_code == 302
        assert response["Location"] == reverse("organisation_home", args=[org_b.slug])
