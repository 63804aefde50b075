"""Shared fixtures: two organisations and the three fixed users of every tenancy test.

- ``owner``: manager of organisation A (may do everything in A);
- ``member``: viewer of organisation A (may only look at A's dashboard);
- ``outsider``: manager of organisation B only (may do everything, but in B).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import translation

from compliance.choices import Role
from compliance.models import Membership, Organisation, User
from tests.factories import MembershipFactory, OrganisationFactory
from tests.helpers import logged_in


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns once per test client that collectstatic has not run; tests serve
    # static files through the finders and do not need it.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> Iterator[None]:
    # The real hashers cost ~0.3 s per login; tests do not measure password strength.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Django keeps the language of the previous request active in the thread; start every
    # test from the site default (French) so that no test depends on the order of the run.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def org_a(db: None) -> Organisation:
    return OrganisationFactory.create(name="Clinique des Tilleuls", slug="clinique-des-tilleuls")


@pytest.fixture
def org_b(db: None) -> Organisation:
    return OrganisationFactory.create(name="Hébergeur Santé Sud", slug="hebergeur-sante-sud")


@pytest.fixture
def owner_membership(org_a: Organisation) -> Membership:
    return MembershipFactory.create(
        organisation=org_a, role=Role.MANAGER, user__email="owner@tilleuls.example"
    )


@pytest.fixture
def owner(owner_membership: Membership) -> User:
    return owner_membership.user


@pytest.fixture
def member_membership(org_a: Organisation) -> Membership:
    return MembershipFactory.create(
        organisation=org_a, role=Role.VIEWER, user__email="member@tilleuls.example"
    )


@pytest.fixture
def member(member_membership: Membership) -> User:
    return member_membership.user


@pytest.fixture
def outsider_membership(org_b: Organisation) -> Membership:
    return MembershipFactory.create(
        organisation=org_b, role=Role.MANAGER, user__email="outsider@sante-sud.example"
    )


@pytest.fixture
def outsider(outsider_membership: Membership) -> User:
    return outsider_membership.user


@pytest.fixture
def owner_client(owner: User) -> Client:
    return logged_in(owner)


@pytest.fixture
def member_client(member: User) -> Client:
    return logged_in(member)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return logged_in(outsider)
