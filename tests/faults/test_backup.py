"""``manage.py backup`` and ``manage.py restore``: the demo data backed up, restored into a
fresh database (SQLite: a new file under another EGIDE_VAR_DIR; PostgreSQL: a database
of this test's own) by another process, then verified there with ``verify_audit_trail``
and ``verify_evidence``; row counts per model match. An organisation's backup holds its
rows and nothing of the other organisation. A non-empty database, a tampered archive and
an archive with a path-traversal member are refused before anything is written.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from compliance.management.commands.backup import backed_up_models, label, organisation_path
from compliance.models import AuditEvent, Organisation, User
from evidence.models import EvidenceRevision
from tests.demodata import CLINIC, HOST, demo  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
COUNT_SCRIPT = (
    "import json; from compliance.management.commands.backup import backed_up_models, label; "
    "print(json.dumps({label(m): m._base_manager.count() for m in backed_up_models()}))"
)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        timeout=600,
        check=False,
    )


def counts_here() -> dict[str, int]:
    return {label(model): model._base_manager.count() for model in backed_up_models()}


@pytest.fixture(scope="module")
def fresh_database(
    tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any
) -> Iterator[Callable[[], dict[str, str]]]:
    """A factory of empty, migrated databases, each with its own media directory, as the
    environment of a ``manage.py`` subprocess. Migrated once (a template), then copied."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EGIDE_VAR_DIR", "MEDIA_ROOT"}
    }
    base["EGIDE_TESTING"] = "1"
    root = tmp_path_factory.mktemp("restore")
    created: list[str] = []
    admin: Any = None
    if connection.vendor == "postgresql":
        import psycopg2  # type: ignore[import-untyped]

        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
        admin_connection = psycopg2.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres"
        )
        admin_connection.autocommit = True
        admin = admin_connection.cursor()
        template = f"egide_faults_tpl_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{template}"')
        created.append(template)
        result = manage({**base, "DATABASE_URL": f"{url}/{template}"}, "migrate", "-v0")
    else:
        template_dir = root / "template"
        template_dir.mkdir()
        result = manage({**base, "EGIDE_VAR_DIR": str(template_dir)}, "migrate", "-v0")
    assert result.returncode == 0, result.stderr

    def make() -> dict[str, str]:
        name = uuid.uuid4().hex[:8]
        media = root / f"media-{name}"
        env = {**base, "MEDIA_ROOT": str(media)}
        if admin is not None:
            database = f"egide_faults_restore_{name}"
            admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{created[0]}"')
            created.append(database)
            env["DATABASE_URL"] = f"{url}/{database}"
        else:
            var = root / f"var-{name}"
            var.mkdir()
            shutil.copy(root / "template" / "egide.sqlite3", var / "egide.sqlite3")
            env["EGIDE_VAR_DIR"] = str(var)
        return env

    yield make
    if admin is not None:
        for database in reversed(created):
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        admin_connection.close()


def restore_and_verify(env: dict[str, str], archive: Path) -> dict[str, int]:
    restored = manage(env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    counted = manage(env, "shell", "-c", COUNT_SCRIPT)
    assert counted.returncode == 0, counted.stderr
    counts: dict[str, int] = json.loads(counted.stdout.strip().splitlines()[-1])
    trail = manage(env, "verify_audit_trail")
    assert trail.returncode == 0, trail.stdout + trail.stderr
    assert "Audit trail intact" in trail.stdout
    evidence = manage(env, "verify_evidence")
    assert evidence.returncode == 0, evidence.stdout + evidence.stderr
    assert "Evidence intact" in evidence.stdout
    return counts


def test_a_full_backup_restores_into_a_fresh_database_intact(
    demo: None,  # noqa: F811
    fresh_database: Callable[[], dict[str, str]],
    tmp_path: Path,
) -> None:
    archive = tmp_path / "egide.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    source = counts_here()
    assert source["compliance.auditevent"] > 0 and source["evidence.evidencerevision"] > 0

    env = fresh_database()
    restored = restore_and_verify(env, archive)

    assert restored == source
    files = sorted(p for p in Path(env["MEDIA_ROOT"]).rglob("*") if p.is_file())
    stored = set(EvidenceRevision.objects.values_list("storage_name", flat=True))
    assert {p.relative_to(env["MEDIA_ROOT"]).as_posix() for p in files} >= stored


def test_an_organisation_backup_holds_its_rows_and_none_of_the_other(
    demo: None,  # noqa: F811
    fresh_database: Callable[[], dict[str, str]],
    tmp_path: Path,
) -> None:
    clinic = Organisation.objects.get(slug=CLINIC)
    archive = tmp_path / "clinic.tar.gz"
    call_command("backup", output=str(archive), organisation=CLINIC, stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        data = {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar
            if m.name.startswith("data/")
        }
    assert manifest["organisation"] == CLINIC
    assert HOST.encode() not in data["data/compliance.organisation.json"]

    restored = restore_and_verify(fresh_database(), archive)

    assert restored["compliance.organisation"] == 1
    for model in backed_up_models():
        path = organisation_path(model)
        if path is not None and path != "pk":
            expected = model._base_manager.filter(**{path: clinic.pk}).count()
            assert restored[label(model)] == expected, label(model)
    # The users its rows point at come along (members, actors), not the other's alone.
    members = User.objects.filter(memberships__organisation=clinic).distinct().count()
    assert members <= restored["compliance.user"] < User.objects.count()
    assert (
        restored["compliance.auditevent"] == AuditEvent.objects.filter(organisation=clinic).count()
    )


def test_restore_refuses_a_database_that_is_not_empty(demo: None, tmp_path: Path) -> None:  # noqa: F811
    archive = tmp_path / "egide.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    before = counts_here()

    with pytest.raises(CommandError, match="database is not empty") as refused:
        call_command("restore", str(archive), stdout=io.StringIO())

    assert "compliance.organisation (2 rows)" in str(refused.value)
    assert counts_here() == before


def rewrite(archive: Path, change: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    """A copy of ``archive`` with each member passed through ``change``."""
    target = archive.with_name("changed.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            name, data = change(member.name, source.extractfile(member).read())  # type: ignore[union-attr]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_restore_refuses_an_archive_whose_files_were_changed(demo: None, tmp_path: Path) -> None:  # noqa: F811
    archive = tmp_path / "egide.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    tampered = rewrite(
        archive,
        lambda name, data: (name, data + b"x" if name.startswith("media/") else data),
    )

    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(tampered), stdout=io.StringIO())


def test_restore_refuses_a_member_outside_the_archive(demo: None, tmp_path: Path) -> None:  # noqa: F811
    archive = tmp_path / "egide.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    escaping = rewrite(
        archive,
        lambda name, data: ("../../escape.txt" if name.startswith("media/") else name, data),
    )

    with pytest.raises(CommandError, match="not a plain file with a relative name"):
        call_command("restore", str(escaping), stdout=io.StringIO())
    assert not (tmp_path.parent.parent / "escape.txt").exists()
    assert not Path(settings.MEDIA_ROOT, "..", "escape.txt").resolve().exists()
