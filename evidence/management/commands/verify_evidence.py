"""Re-hash every stored evidence file; exit 1 and name each changed or missing file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor
from evidence.services import evidence_verify


class Command(BaseCommand):
    help = (
        "Verify evidence files against their SHA-256 (all organisations, or one with "
        "--organisation SLUG); mark changed files compromised and absent ones missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="organisation slug")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with slug {options['organisation']!r}.")
        report = evidence_verify(actor=SystemActor("verify_evidence"), organisation=organisation)
        for check in report.bad:
            found = check.found_sha256 or "no file"
            self.stdout.write(
                f"{check.organisation_slug}: evidence {check.evidence_id} "
                f"“{check.evidence_title}” revision {check.number} ({check.original_name}): "
                f"{check.status.upper()} — expected {check.expected_sha256}, found {found} "
                f"[{check.storage_name}]"
            )
        if report.bad:
            raise CommandError(
                f"{len(report.bad)} of {len(report.checks)} evidence revision(s) failed "
                "verification."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Evidence intact: {len(report.checks)} revision(s), "
                f"{report.files_hashed} stored file(s) re-hashed."
            )
        )
