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
from tests.helpers import logged_in, tasks_run_in_process


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


@pytest.fixture(autouse=True, scope="session")
def _cache_of_this_test_process(worker_id: str) -> Iterator[None]:
    # The test processes (pytest-xdist) share one Redis: without a prefix of their own,
    # API key 5 of one process's database and key 5 of the other's would share a rate
    # limit counter.
    caches = {
        name: {**config, "KEY_PREFIX": f"test-{worker_id}"}
        for name, config in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
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


@pytest.fixture(autouse=True, scope="session")
def _celery_configured_from_the_settings() -> None:
    """Celery reads the settings the first time its configuration is used and keeps what
    it read: make that happen now, not inside some module's ``override_settings`` (the
    security tests' eager demo seeding once left every later real-worker test eager)."""
    from compliance.celery import app

    assert app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run in-process in every test but the real-worker ones (modules named
    ``test_worker``, and the browser journeys, which start a worker when a broker is
    configured)."""
    module = request.module.__name__
    if module.endswith("test_worker") or module.startswith("tests.e2e."):
        yield
        return
    with tasks_run_in_process():
        yield
