"""Accounts are identified by their e-mail address, whatever its case."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from compliance.models import User


def test_two_accounts_cannot_differ_only_by_case(owner: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email=owner.email.upper(), password=None)

    assert User.objects.filter(email__iexact=owner.email).count() == 1


def test_lookup_by_address_ignores_case(owner: User) -> None:
    assert User.objects.get_by_natural_key("OWNER@Tilleuls.example") == owner
