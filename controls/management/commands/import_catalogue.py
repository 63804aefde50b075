"""Import a catalogue or mapping file, whatever its format (detected from the content)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.services.audit_trail import SystemActor
from controls.services.catalogues import CatalogueError
from controls.services.interop import FORMATS_UNDERSTOOD, catalogue_file_import


class Command(BaseCommand):
    help = (
        "Import one file: " + "; ".join(FORMATS_UNDERSTOOD) + ". All of it is loaded, or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as-version",
            help="load the catalogue under this version string, beside the one the file names",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            report = catalogue_file_import(
                path, actor=SystemActor("import_catalogue"), as_version=options["as_version"]
            )
        except CatalogueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{path.name}: {report.format}")
        for result in report.frameworks:
            self.stdout.write(
                f"  {result.framework:<28} {result.status:<10} {result.requirements} requirements"
            )
        for mapping in report.mappings:
            self.stdout.write(
                f"  {mapping.mapping_set:<28} {mapping.status:<10} {mapping.links} links"
            )
        if report.skipped_links:
            self.stdout.write(f"  {report.skipped_links} link(s) marked not_related were left out.")
