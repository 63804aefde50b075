"""Print the role/permission table (the source of docs/permissions.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from compliance.permissions import permission_table_markdown


class Command(BaseCommand):
    help = "Print the role/permission table as Markdown."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(permission_table_markdown(), ending="")
