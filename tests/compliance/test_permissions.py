"""The permission table: one source in the code, one page in the docs."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from compliance.choices import Role
from compliance.permissions import ROLE_PERMISSIONS, Permission, permission_table_markdown

PERMISSIONS_DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"


def table_in(markdown: str) -> str:
    """The first Markdown table of a page (its consecutive lines starting with '|')."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "".join(line + "\n" for line in lines[start:end])


def test_docs_page_shows_exactly_the_table_of_the_code() -> None:
    assert PERMISSIONS_DOC.exists(), (
        "docs/permissions.md is missing: write it with the output of "
        "`python manage.py permission_table`"
    )

    documented = table_in(PERMISSIONS_DOC.read_text(encoding="utf-8"))

    assert documented == permission_table_markdown(), (
        "docs/permissions.md disagrees with compliance/permissions.py: paste the output of "
        "`python manage.py permission_table` into it"
    )


def test_command_prints_the_table() -> None:
    out = StringIO()

    call_command("permission_table", stdout=out)

    assert out.getvalue() == permission_table_markdown()


def test_every_role_has_an_entry() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_table_has_one_row_per_permission_and_one_column_per_role() -> None:
    rows = permission_table_markdown().splitlines()

    assert len(rows) == 2 + len(Permission)
    assert all(row.count("|") == len(Role) + 2 for row in rows)


def test_table_is_in_english_whatever_the_active_language() -> None:
    # The autouse fixture makes French active: the docs page must not change with it.
    assert "See the members and their roles" in permission_table_markdown()
