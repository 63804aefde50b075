"""``seed_demo --scale large``: the demo at the size of a real deployment, for benches.

Fifty organisations beside the two demo ones, each with a full Statement of Applicability
and statuses on every other framework, evidence items linked to requirements, findings
and remediation actions, a processing register (rules evaluated), and an incident. Rows
are bulk-created (this is volume for measuring, not a story: the story is the normal
demo); everything is random but seeded, so two runs build the same data. Idempotent: an
organisation that already exists is left as it is.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance.choices import Nis2Classification, OrganisationKind, Role
from compliance.models import Membership, Organisation, User

ORGANISATIONS = 50
EVIDENCE_PER_ORG = 120
LINKS_PER_EVIDENCE = 5
FINDINGS_PER_ORG = 60
ACTIONS_PER_FINDING = 2
PROCESSINGS_PER_ORG = 20
STATUSES = ["not_started", "planned", "partial", "implemented"]
KINDS_OF_EVIDENCE = ["procédure", "compte rendu", "capture", "rapport"]


def seed_large(*, actor: Any, stdout: Any) -> None:
    from controls.models import Applicability, ControlStatus, Requirement

    requirements = list(Requirement.objects.filter(assessable=True).select_related("framework"))
    if not requirements:
        stdout.write("catalogues not loaded: run load_catalogues first")
        return
    soa = [
        r
        for r in requirements
        if r.framework.has_statement_of_applicability and r.kind == "control"
    ]
    others = [r for r in requirements if r not in soa]
    for number in range(1, ORGANISATIONS + 1):
        slug = f"clinique-{number:03d}"
        if Organisation.objects.filter(slug=slug).exists():
            continue
        rng = random.Random(number)  # noqa: S311 - demo volume, not security
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=f"Clinique Démo {number:03d}",
                slug=slug,
                kind=OrganisationKind.HEALTH_ESTABLISHMENT,
                nis2_classification=rng.choice(
                    [Nis2Classification.ESSENTIAL, Nis2Classification.IMPORTANT]
                ),
                staff_count=rng.randint(60, 900),
            )
            # No password: these accounts exist for benches (force_login), not for people.
            manager = User.objects.create_user(email=f"direction@{slug}.example")
            Membership.objects.create(user=manager, organisation=organisation, role=Role.MANAGER)
            Applicability.objects.bulk_create(
                Applicability(
                    organisation=organisation,
                    requirement=r,
                    applicable=rng.random() > 0.05,
                    inclusion_justification="Appréciation des risques",
                    exclusion_justification="Hors périmètre",
                    status=rng.choice(STATUSES),
                )
                for r in soa
            )
            ControlStatus.objects.bulk_create(
                ControlStatus(organisation=organisation, requirement=r, status=rng.choice(STATUSES))
                for r in others
            )
            _evidence(organisation, manager, soa, rng)
            _findings(organisation, manager, soa, rng)
            _register(organisation, rng)
        _incident(organisation, manager, actor)
        stdout.write(f"  {slug}: built")


def _evidence(organisation: Organisation, user: User, soa: list[Any], rng: random.Random) -> None:
    from evidence.models import Evidence

    today = timezone.localdate()
    items = Evidence.objects.bulk_create(
        Evidence(
            organisation=organisation,
            title=f"Preuve {i:03d} — {rng.choice(KINDS_OF_EVIDENCE)}",
            url=f"https://intranet.{organisation.slug}.example/preuves/{i}",
            created_by=user,
            expires_on=today + datetime.timedelta(days=rng.randint(-60, 700)),
        )
        for i in range(EVIDENCE_PER_ORG)
    )
    through = Evidence.requirements.through
    through.objects.bulk_create(
        through(evidence_id=item.pk, requirement_id=requirement.pk)
        for item in items
        for requirement in rng.sample(soa, LINKS_PER_EVIDENCE)
    )


def _findings(organisation: Organisation, user: User, soa: list[Any], rng: random.Random) -> None:
    from audits.models import Finding, RemediationAction

    today = timezone.localdate()
    severities = ["major", "minor", "observation", "opportunity"]
    priority_of = {"major": "high", "minor": "medium", "observation": "low", "opportunity": "low"}
    findings = Finding.objects.bulk_create(
        Finding(
            organisation=organisation,
            number=i + 1,
            source="audit",
            requirement=rng.choice(soa),
            title=f"Constat {i + 1:03d}",
            severity=rng.choice(severities),
            root_cause="Procédure non formalisée",
            status=rng.choice(["open", "open", "closed"]),
        )
        for i in range(FINDINGS_PER_ORG)
    )
    RemediationAction.objects.bulk_create(
        RemediationAction(
            organisation=organisation,
            finding=finding,
            title=f"Action {finding.number:03d}-{j + 1}",
            owner=user,
            due_date=today + datetime.timedelta(days=rng.randint(-90, 180)),
            priority=priority_of[finding.severity],
            status=rng.choice(["open", "in_progress", "done", "verified"]),
        )
        for finding in findings
        for j in range(ACTIONS_PER_FINDING)
    )


def _register(organisation: Organisation, rng: random.Random) -> None:
    from privacy.models import ProcessingActivity
    from privacy.services import findings_recompute

    processings = ProcessingActivity.objects.bulk_create(
        ProcessingActivity(
            organisation=organisation,
            reference=f"T-{i + 1:03d}",
            name=rng.choice(["Dossier patient", "Rendez-vous", "Facturation", "Paie", "Étude"])
            + f" {i + 1}",
            purposes="Prise en charge des patients",
            special_categories=["health"] if rng.random() > 0.3 else [],
            legal_basis=rng.choice(["c", "e", ""]),
            large_scale=rng.random() > 0.5,
        )
        for i in range(PROCESSINGS_PER_ORG)
    )
    for processing in processings:
        findings_recompute(processing)


def _incident(organisation: Organisation, user: User, actor: Any) -> None:
    from incidents.services import incident_create

    incident_create(
        actor=user,
        organisation=organisation,
        title="Hameçonnage d'un compte de messagerie",
        aware_at=timezone.now() - datetime.timedelta(hours=5),
        personal_data_breach=True,
        nis2_significant=False,
    )
