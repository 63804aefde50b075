"""factory_boy factories. Rows are created directly (no audit events); API keys go
through the real service so that hashing and prefixes are the production ones."""

from __future__ import annotations

from collections.abc import Sequence

import factory
from factory.django import DjangoModelFactory

from compliance.choices import ApiKeyScope, OrganisationKind, Role
from compliance.models import Membership, Organisation, User
from compliance.services.api_keys import IssuedApiKey, api_key_create
from compliance.services.audit_trail import Actor, SystemActor

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Clinique {n}")
    slug = factory.Sequence(lambda n: f"clinique-{n}")
    kind = OrganisationKind.HEALTH_ESTABLISHMENT


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.VIEWER


def issue_api_key(
    organisation: Organisation,
    scopes: Sequence[str] = (ApiKeyScope.READ,),
    *,
    name: str = "monitoring",
    actor: Actor | None = None,
    expires_in_days: int | None = None,
) -> IssuedApiKey:
    """A real key, hashed and audited exactly as the UI and the command create them."""
    return api_key_create(
        actor=actor or SystemActor("tests"),
        organisation=organisation,
        name=name,
        scopes=list(scopes),
        expires_in_days=expires_in_days,
    )
