"""Write a loaded framework as an OSCAL 1.1 catalog (JSON) or an Egide catalogue (YAML)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from controls.services.catalogues import CatalogueError
from controls.services.interop import (
    catalogue_document_from_framework,
    framework_get,
    oscal_catalog_export,
)


class Command(BaseCommand):
    help = (
        "Print a loaded framework as an OSCAL 1.1 catalog (--format oscal, JSON) or as an "
        "Egide catalogue file (--format egide, YAML); redirect to a file to keep it."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version is the framework's version here: it replaces Django's --version option.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="framework code, e.g. iso27001-2022")
        parser.add_argument(
            "--version", dest="framework_version", help="needed when several are loaded"
        )
        parser.add_argument("--format", choices=["oscal", "egide"], default="oscal")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            framework = framework_get(options["code"], options["framework_version"])
            if options["format"] == "oscal":
                text = json.dumps(oscal_catalog_export(framework), ensure_ascii=False, indent=2)
            else:
                text = yaml.safe_dump(
                    catalogue_document_from_framework(framework),
                    allow_unicode=True,
                    sort_keys=False,
                    width=100,
                ).rstrip("\n")
        except CatalogueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(text)
