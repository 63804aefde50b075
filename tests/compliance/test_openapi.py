"""The committed OpenAPI schema and the self-hosted API documentation."""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

COMMITTED_SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path: Path) -> None:
    assert COMMITTED_SCHEMA.exists(), (
        "docs/openapi.yaml is missing: run `make schema` and commit the file"
    )
    generated = tmp_path / "openapi.yaml"

    # The same command as `make schema` (warnings fail it there, so they fail here).
    call_command(
        "spectacular",
        "--lang",
        "en",
        "--file",
        str(generated),
        "--validate",
        "--fail-on-warn",
    )

    expected = generated.read_text(encoding="utf-8")
    committed = COMMITTED_SCHEMA.read_text(encoding="utf-8")
    if committed != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    "docs/openapi.yaml (committed)",
                    "generated from the code",
                )
            )[:60]
        )
        raise AssertionError(
            "docs/openapi.yaml is out of date: run `make schema` and commit it.\n" + diff
        )


def test_schema_endpoint_answers(client: Client) -> None:
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content
    assert b"/api/v1/organisation/" in response.content


def test_schema_declares_the_bearer_key(client: Client) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})

    schema = response.json()
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations
    assert all({"apiKey": []} in op["security"] for op in operations)


def test_docs_page_answers(client: Client) -> None:
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_docs_page_loads_nothing_from_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs/").content.decode()

    assert not re.findall(r"https?://", page)


def test_docs_page_assets_are_served_locally(client: Client) -> None:
    page = client.get("/api/v1/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)

    assert assets
    missing = [a for a in assets if not finders.find(a.removeprefix(settings.STATIC_URL))]
    assert not missing


def generate_schema_in_a_fresh_process(tmp_path: Path, database_url: str) -> str:
    tmp_path.mkdir()
    target = tmp_path / "openapi.yaml"
    env = {**os.environ, "DATABASE_URL": database_url, "EGIDE_VAR_DIR": str(tmp_path)}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "spectacular", "--lang", "en", "--file", str(target)],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target.read_text(encoding="utf-8")


def test_schema_is_the_same_whatever_the_database(tmp_path: Path) -> None:
    # Generating the schema opens no connection, so the PostgreSQL URL need not answer.
    on_sqlite = generate_schema_in_a_fresh_process(tmp_path / "sqlite", "")
    on_postgresql = generate_schema_in_a_fresh_process(
        tmp_path / "postgresql", "postgres://nobody@127.0.0.1:1/unused"
    )

    assert on_sqlite == on_postgresql
