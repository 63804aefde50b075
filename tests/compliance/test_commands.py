"""seed_demo (the data behind `make run`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from compliance.choices import Role
from compliance.management.commands.seed_demo import DEMO_PASSWORD
from compliance.models import AuditEvent, Membership, Organisation, User
from compliance.services.audit_trail import audit_trail_verify


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
class TestSeedDemo:
    def test_creates_the_two_demo_organisations(self) -> None:
        seed()

        assert set(Organisation.objects.values_list("slug", flat=True)) == {
            "clinique-des-lilas",
            "hds-exemple",
        }

    def test_creates_a_user_for_every_role(self) -> None:
        seed()

        assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)

    def test_every_organisation_has_a_manager(self) -> None:
        seed()

        for organisation in Organisation.objects.all():
            assert organisation.memberships.filter(role=Role.MANAGER).exists()

    def test_lead_auditor_belongs_to_both(self) -> None:
        seed()

        auditor = User.objects.get(email="auditrice@audit.example")
        assert auditor.memberships.filter(role=Role.LEAD_AUDITOR).count() == 2

    def test_demo_users_share_the_printed_password(self) -> None:
        output = seed()

        assert DEMO_PASSWORD in output
        assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())

    def test_running_twice_changes_nothing(self) -> None:
        seed()
        first = counts()

        seed()

        assert counts() == first
        assert first["organisations"] == 2
        assert first["audit events"] > 0

    def test_seeded_trail_is_intact(self) -> None:
        seed()
        seed()

        assert all(report.intact for report in audit_trail_verify())
