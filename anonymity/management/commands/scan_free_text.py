"""``manage.py scan_free_text FILE --column note``: special categories and identifiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anonymity.engine.reader import ExtractError, read_extract
from anonymity.scanner.scan import scan_notes, summarise


class Command(BaseCommand):
    help = (
        "Find special categories of data (GDPR Art. 9(1), HIV status apart) and direct "
        "identifiers in a free-text column, with spans and a redacted copy of each note."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--column", required=True)
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument("--no-redacted", action="store_true", help="leave out redacted text")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        column = options["column"]
        try:
            frame = read_extract(path, [column])
        except ExtractError as error:
            raise CommandError(str(error)) from None
        results = scan_notes(frame[column].tolist())
        if options["format"] == "json":
            payload = {
                "records": [r.as_dict(with_redacted=not options["no_redacted"]) for r in results],
                "summary": summarise(results),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for result in results:
            if result.categories or result.identifiers:
                found = ", ".join(result.categories + result.identifiers)
                self.stdout.write(f"row {result.row}: {found}")
        summary = summarise(results)
        self.stdout.write(
            f"{summary['notes']} notes, {summary['notes_with_special_categories']} with special "
            f"categories, {summary['notes_with_identifiers']} with identifiers"
        )
