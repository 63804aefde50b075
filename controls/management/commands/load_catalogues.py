"""Load the frameworks and mappings shipped in controls/catalogues/ (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from compliance.services.audit_trail import SystemActor
from controls.services.catalogues import CatalogueError, load_builtin_catalogues


class Command(BaseCommand):
    help = "Load the built-in framework catalogues and mappings; unchanged files are skipped."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            frameworks, mappings = load_builtin_catalogues(actor=SystemActor("load_catalogues"))
        except CatalogueError as error:
            raise CommandError(str(error)) from None
        for result in frameworks:
            self.stdout.write(
                f"  {result.framework:<28} {result.status:<10} {result.requirements} requirements"
            )
        for mapping in mappings:
            self.stdout.write(
                f"  {mapping.mapping_set:<28} {mapping.status:<10} {mapping.links} links"
            )
        self.stdout.write(f"Catalogues loaded in {time.monotonic() - started:.2f} s.")
