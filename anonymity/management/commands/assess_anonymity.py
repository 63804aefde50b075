"""``manage.py assess_anonymity FILE --quasi-identifiers a,b --sensitive d`` for pipelines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anonymity.choices import ColumnRole
from anonymity.engine.reader import ExtractError
from anonymity.engine.run import assess_file
from anonymity.messages import reason_text


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


class Command(BaseCommand):
    help = (
        "Measure the re-identification risk of a CSV, XLSX or Parquet extract and print "
        "the verdict (anonymous or pseudonymised) per WP29 Opinion 05/2014."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--quasi-identifiers", default="", help="a,b,c")
        parser.add_argument("--sensitive", default="", help="d[,e]")
        parser.add_argument("--pseudonym-column", default="", help="p[,q]")
        parser.add_argument("--direct-identifiers", default="", help="columns")
        parser.add_argument("--free-text", default="", help="columns to scan")
        parser.add_argument("--k-threshold", type=int, default=5)
        parser.add_argument("--t-closeness", action="store_true")
        parser.add_argument(
            "--only-declared",
            action="store_true",
            help="do not count undeclared columns whose name says identifier or pseudonym",
        )
        parser.add_argument("--no-rerun", action="store_true")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        roles: dict[str, str] = {}
        for option, role in (
            ("quasi_identifiers", ColumnRole.QUASI_IDENTIFIER),
            ("sensitive", ColumnRole.SENSITIVE),
            ("pseudonym_column", ColumnRole.PERSISTENT_PSEUDONYM),
            ("direct_identifiers", ColumnRole.DIRECT_IDENTIFIER),
            ("free_text", ColumnRole.FREE_TEXT),
        ):
            for name in _names(options[option]):
                if name in roles:
                    raise CommandError(f"Column {name!r} is given two roles.")
                roles[name] = role.value
        if not roles:
            raise CommandError("Name at least one column (--quasi-identifiers, --sensitive...).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = assess_file(
                path,
                roles,
                k_threshold=options["k_threshold"],
                with_t_closeness=options["t_closeness"],
                include_undeclared=not options["only_declared"],
                rerun=not options["no_rerun"],
            )
        except ExtractError as error:
            raise CommandError(str(error)) from None
        except MemoryError:
            raise CommandError("Not enough memory to assess this file.") from None
        for reason in result["reasons"]:
            reason["message"] = str(reason_text(reason))
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{result['verdict']}: rows={result['rows']} k={result['k_anonymity']} "
            f"classes={result['equivalence_classes']} l={result['l_diversity']}"
        )
        for reason in result["reasons"]:
            self.stdout.write(f"- [{reason['criterion']}] {reason['message']}")
