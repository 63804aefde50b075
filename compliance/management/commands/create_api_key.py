"""Create an organisation API key from the command line; the key is printed once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.models import Organisation
from compliance.services.api_keys import api_key_create
from compliance.services.audit_trail import SystemActor


class Command(BaseCommand):
    help = "Create an API key for an organisation and print it (it is never shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="organisation slug")
        parser.add_argument("--scopes", default="read", help="comma-separated: read,write")
        parser.add_argument("--name", default="command line", help="who uses the key")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(
            slug=options["organisation"], is_active=True
        ).first()
        if organisation is None:
            raise CommandError(f"No active organisation with slug {options['organisation']!r}.")
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            issued = api_key_create(
                actor=SystemActor("create_api_key"),
                organisation=organisation,
                name=options["name"],
                scopes=scopes,
                expires_in_days=options["expires_in_days"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Key for {organisation.slug}, scopes {','.join(issued.api_key.scopes)}"
            + (
                f", expires {issued.api_key.expires_at:%Y-%m-%d}"
                if issued.api_key.expires_at
                else ""
            )
            + ". Store it now: it will not be shown again."
        )
        self.stdout.write(issued.raw_key)
