"""Recompute the audit trail's hash chains; exit 1 and name the first broken event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.models import Organisation
from compliance.services.audit_trail import audit_trail_verify


class Command(BaseCommand):
    help = "Verify the audit trail (all organisations, or one with --organisation SLUG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="organisation slug")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with slug {options['organisation']!r}.")
        reports = audit_trail_verify(organisation=organisation)
        broken = [report for report in reports if not report.intact]
        for report in reports:
            if report.first_break is None:
                self.stdout.write(f"{report.chain_key}: intact ({report.events_checked} events)")
            else:
                b = report.first_break
                self.stdout.write(
                    f"{report.chain_key}: BROKEN at event id={b.event_id} "
                    f"sequence={b.sequence}: {b.reason}"
                )
        if broken:
            raise CommandError(f"Audit trail tampered with: {len(broken)} chain(s) broken.")
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {len(reports)} chain(s) verified.")
        )
