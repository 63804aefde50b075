"""Demo data for `make run`: two organisations and one user per role. Idempotent."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from compliance.choices import Nis2Classification, OrganisationKind, Role
from compliance.models import Membership, Organisation, User
from compliance.services.accounts import user_create
from compliance.services.audit_trail import SystemActor
from compliance.services.organisations import membership_create, organisation_create

DEMO_PASSWORD = "egide-demo-2026"  # noqa: S105 - demo accounts on a local machine only

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "name": "Clinique des Lilas",
        "slug": "clinique-des-lilas",
        "kind": OrganisationKind.HEALTH_ESTABLISHMENT,
        # A health establishment above the medium-sized ceilings: essential (NIS2 Art. 3(1)(a)).
        "nis2_classification": Nis2Classification.ESSENTIAL,
        "staff_count": 600,
        "siret": "12345678900017",
        "finess": "750000001",
    },
    {
        "name": "HDS Exemple",
        "slug": "hds-exemple",
        "kind": OrganisationKind.HDS_HOST,
        # A medium-sized host: important entity (NIS2 Art. 3(2)).
        "nis2_classification": Nis2Classification.IMPORTANT,
        "staff_count": 120,
        "siret": "98765432100015",
    },
]

# Each feature app seeds its own demo rows, in this order (later ones may use earlier ones').
DEMO_MODULES = [
    "evidence.demo",
    "audits.demo",
    "privacy.demo",
    "anonymity.demo",
    "incidents.demo",
    "risks.demo",
    "reports.demo",
]

# (e-mail, first name, last name, {organisation slug: role})
USERS = [
    ("direction@lilas.example", "Claire", "Martin", {"clinique-des-lilas": Role.MANAGER}),
    (
        "auditrice@audit.example",
        "Sophie",
        "Bernard",
        {"clinique-des-lilas": Role.LEAD_AUDITOR, "hds-exemple": Role.LEAD_AUDITOR},
    ),
    ("auditeur@audit.example", "Karim", "Haddad", {"clinique-des-lilas": Role.AUDITOR}),
    ("rssi@lilas.example", "Julien", "Petit", {"clinique-des-lilas": Role.CONTRIBUTOR}),
    ("lecture@lilas.example", "Inès", "Moreau", {"clinique-des-lilas": Role.VIEWER}),
    ("direction@hds.example", "Marc", "Lefèvre", {"hds-exemple": Role.MANAGER}),
    ("exploitation@hds.example", "Nadia", "Roux", {"hds-exemple": Role.CONTRIBUTOR}),
]


class Command(BaseCommand):
    help = "Create the demo organisations and users (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            choices=["normal", "large"],
            default="normal",
            help="large: also 50 organisations with realistic volumes, for benches",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor("seed_demo")
        organisations = {}
        for spec in ORGANISATIONS:
            organisation = Organisation.objects.filter(slug=spec["slug"]).first()
            if organisation is None:
                organisation = organisation_create(actor=actor, **spec)
            organisations[organisation.slug] = organisation

        for email, first_name, last_name, roles in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(
                    actor=actor,
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first_name,
                    last_name=last_name,
                )
            for slug, role in roles.items():
                if not Membership.objects.filter(
                    user=user, organisation=organisations[slug]
                ).exists():
                    membership_create(
                        actor=actor, organisation=organisations[slug], user=user, role=role
                    )

        self._seed_statement_of_applicability(organisations["clinique-des-lilas"], actor)
        for module_name in DEMO_MODULES:
            importlib.import_module(module_name).seed(organisations=organisations, actor=actor)
        from controls.services.history import score_snapshots_record

        for organisation in organisations.values():  # today's point of the dashboard's trend
            score_snapshots_record(organisation=organisation)
        if options["scale"] == "large":
            from compliance.demo_scale import seed_large

            self.stdout.write("Building the large-scale organisations (a minute or two)...")
            seed_large(actor=actor, stdout=self.stdout)

        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for email, _first, _last, roles in USERS:
            described = ", ".join(f"{role.value} @ {slug}" for slug, role in roles.items())
            self.stdout.write(f"  {email:<28} {described}")

    def _seed_statement_of_applicability(
        self, organisation: Organisation, actor: SystemActor
    ) -> None:
        """A half-filled SoA for the clinic, so the SoA page has something to show. Skipped
        when the catalogues are not loaded or the clinic already has SoA lines."""
        from controls.models import Applicability, Requirement
        from controls.selectors import soa_framework
        from controls.services.history import score_snapshots_record
        from controls.services.statuses import requirement_status_update, soa_bulk_update

        framework = soa_framework()
        if framework is None or Applicability.objects.filter(organisation=organisation).exists():
            return
        controls = Requirement.objects.filter(framework=framework, kind="control")
        soa_bulk_update(
            actor=actor,
            organisation=organisation,
            requirements=list(controls.filter(theme__code="organizational")),
            applicable=True,
            inclusion_justification=(
                "Exigé par l'analyse de risques de la clinique (dossier patient, NIS2)."
            ),
        )
        # The trend on the dashboard starts from this state: every organisational control
        # applicable, none implemented yet (recorded as it was a month ago).
        score_snapshots_record(
            organisation=organisation, day=timezone.localdate() - datetime.timedelta(days=30)
        )
        demo_statuses = {
            "A.5.1": "implemented",
            "A.5.2": "implemented",
            "A.5.15": "partial",
            "A.5.24": "planned",
            "A.5.34": "partial",
        }
        for ref_id, status in demo_statuses.items():
            requirement_status_update(
                actor=actor,
                organisation=organisation,
                requirement=controls.get(ref_id=ref_id),
                status=status,
            )
        requirement_status_update(
            actor=actor,
            organisation=organisation,
            requirement=controls.get(ref_id="A.8.30"),
            applicable=False,
            exclusion_justification=(
                "La clinique ne fait développer aucun logiciel : pas de développement externalisé."
            ),
        )
