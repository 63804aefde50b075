"""Fixtures of the controls tests: the built-in catalogues, loaded once per test module.

``catalogues`` loads every file of controls/catalogues/ inside an outer transaction that
is rolled back when the module ends, the way ``TestCase.setUpTestData`` works: each test
runs in a savepoint inside it, so a test may load or edit catalogues freely, and nothing
is ever committed. Other modules, transactional tests included, never see these rows or
the audit events of the load. Do not combine it with ``transactional_db``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from compliance.choices import Role
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from controls.models import Framework, Requirement
from controls.services.catalogues import load_builtin_catalogues
from tests.factories import MembershipFactory
from tests.helpers import logged_in

LOADER = SystemActor("tests")


@pytest.fixture(scope="module")
def catalogues(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        load_builtin_catalogues(actor=LOADER)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def iso(catalogues: None, db: None) -> Framework:
    return Framework.objects.get(code="iso27001-2022")


@pytest.fixture
def requirement(catalogues: None, db: None) -> Callable[[str, str], Requirement]:
    """``requirement("nis2", "21.2.b")``: a requirement of a loaded framework by reference."""

    def get(code: str, ref_id: str) -> Requirement:
        return Requirement.objects.select_related("framework").get(
            framework__code=code, ref_id=ref_id
        )

    return get


@pytest.fixture
def user_with_role(org_a: Organisation) -> Callable[[str], User]:
    """A member of organisation A with the given role."""

    def make(role: str) -> User:
        return MembershipFactory.create(organisation=org_a, role=role).user

    return make


@pytest.fixture
def client_as(user_with_role: Callable[[str], User]) -> Callable[[str], Client]:
    """A browser logged in as a member of organisation A with the given role."""

    def make(role: str) -> Client:
        return logged_in(user_with_role(role))

    return make


@pytest.fixture
def contributor(user_with_role: Callable[[str], User]) -> User:
    return user_with_role(Role.CONTRIBUTOR)
