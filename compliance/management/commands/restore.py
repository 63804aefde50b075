"""``manage.py restore FILE.tar.gz``: load an archive written by ``manage.py backup`` into an
EMPTY database (migrated, nothing else) and its media storage.

Before anything is written, the whole archive is checked: every member is a plain file
with a relative name, listed in the manifest with the SHA-256 it has now; the database
has every migration the archive was written with; no table the archive fills has a row;
no file of the archive exists in the storage with other content. Then the files are
stored and the rows inserted in one transaction, with their original ids (the audit
trail's hashes cover them) and nothing but INSERTs: on PostgreSQL the audit trail refuses
UPDATE and DELETE. Any failure rolls the rows back and removes the files written.

Afterwards: ``manage.py verify_audit_trail`` and ``manage.py verify_evidence``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, models, transaction

from compliance.management.commands.backup import (
    CHUNK,
    FORMAT,
    MANIFEST,
    NATURAL,
    applied_migrations,
    backed_up_models,
    label,
    relations,
    safe_member,
)


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` into an empty database (refuses "
        "otherwise) and its media storage; then run verify_audit_trail and verify_evidence."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by `manage.py backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        with tempfile.TemporaryDirectory(prefix="egide-restore-") as work:
            manifest = unpack(path, Path(work))
            self._check(manifest, Path(work))
            written = store_files(manifest, Path(work))
            try:
                counts = load_rows(manifest, Path(work))
            except BaseException:
                for name in written:
                    default_storage.delete(name)
                raise
        scope = manifest["organisation"] or "all organisations"
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {scope} from {path}: {sum(counts.values())} rows in "
                f"{len(counts)} models, {len(written)} files written. Now run "
                "`manage.py verify_audit_trail` and `manage.py verify_evidence`."
            )
        )

    def _check(self, manifest: dict[str, Any], work: Path) -> None:
        applied = {tuple(item) for item in applied_migrations()}
        missing = [
            f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in applied
        ]
        if missing:
            raise CommandError(
                "This database lacks migrations the backup was written with: "
                f"{', '.join(missing[:10])}. Run `manage.py migrate` (with the same or a "
                "newer Egide) first."
            )
        known = {label(model): model for model in backed_up_models()}
        unknown = sorted(set(manifest["counts"]) - set(known))
        if unknown:
            raise CommandError(f"The backup holds models this Egide does not know: {unknown}.")
        not_empty = [
            f"{name} ({model._base_manager.count()} rows)"
            for name, model in known.items()
            if model._base_manager.exists()
        ]
        if not_empty:
            raise CommandError(
                "Refusing to restore: the database is not empty. "
                f"{', '.join(not_empty[:8])}{' ...' if len(not_empty) > 8 else ''}. "
                "Restore into a new database: create it, run `manage.py migrate`, then "
                "`manage.py restore` (nothing was changed)."
            )
        clashes = []
        for member, meta in manifest["members"].items():
            if not member.startswith("media/"):
                continue
            name = member.removeprefix("media/")
            if default_storage.exists(name) and storage_sha256(name) != meta["sha256"]:
                clashes.append(name)
        if clashes:
            raise CommandError(
                "Refusing to restore: the media storage already holds other content under "
                f"{', '.join(clashes[:5])}. Restore into an empty media directory."
            )


def unpack(path: Path, work: Path) -> dict[str, Any]:
    """Extract the archive into ``work`` (plain files with safe names only) and check
    every member against the manifest."""
    digests: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            for member in archive:
                if not member.isfile() or not safe_member(member.name):
                    raise CommandError(
                        f"Refusing the archive: member {member.name!r} is not a plain file "
                        "with a relative name."
                    )
                source = archive.extractfile(member)
                if source is None:
                    raise CommandError(f"Refusing the archive: {member.name!r} cannot be read.")
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                hasher, size = hashlib.sha256(), 0
                with source, target.open("wb") as handle:
                    for chunk in iter(lambda: source.read(CHUNK), b""):  # noqa: B023
                        hasher.update(chunk)
                        handle.write(chunk)
                        size += len(chunk)
                digests[member.name] = (hasher.hexdigest(), size)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise CommandError(f"{path} is not a readable backup archive: {error}") from error
    if MANIFEST not in digests:
        raise CommandError(f"{path} has no {MANIFEST}: not an Egide backup.")
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except ValueError as error:
        raise CommandError(f"{MANIFEST} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CommandError(f"Unknown backup format (expected {FORMAT}).")
    listed = manifest["members"]
    problems = [name for name in digests if name != MANIFEST and name not in listed]
    problems += [name for name in listed if name not in digests]
    problems += [
        name
        for name, meta in listed.items()
        if name in digests and digests[name] != (meta["sha256"], meta["size"])
    ]
    if problems:
        raise CommandError(
            "Refusing the archive: members missing, unlisted or not matching their SHA-256 "
            f"in the manifest: {', '.join(sorted(problems)[:10])}."
        )
    return manifest


def storage_sha256(name: str) -> str:
    hasher = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def store_files(manifest: dict[str, Any], work: Path) -> list[str]:
    """Copy the archive's files into the storage; returns the names written now."""
    written: list[str] = []
    try:
        for member in manifest["members"]:
            if not member.startswith("media/"):
                continue
            name = member.removeprefix("media/")
            if default_storage.exists(name):
                continue  # same content, checked before
            source = work / member
            if isinstance(default_storage, FileSystemStorage):
                target = Path(default_storage.path(name))
                target.parent.mkdir(parents=True, exist_ok=True)
                descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
                try:
                    with os.fdopen(descriptor, "wb") as handle, source.open("rb") as data:
                        shutil.copyfileobj(data, handle, CHUNK)
                        handle.flush()
                        os.fsync(handle.fileno())
                    os.replace(temporary, target)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
            else:
                with source.open("rb") as data:
                    saved = default_storage.save(name, File(data))
                if saved != name:
                    default_storage.delete(saved)
                    raise CommandError(f"The storage renamed {name} to {saved}.")
            written.append(name)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return written


def natural_to_pk(model: type[models.Model], key: list[str]) -> Any:
    if model is ContentType:
        return ContentType.objects.get_by_natural_key(*key).pk
    if model is Permission:
        return Permission.objects.get_by_natural_key(*key).pk
    raise CommandError(f"No natural key support for {label(model)}.")


def load_rows(manifest: dict[str, Any], work: Path) -> dict[str, int]:
    """Insert every row with its original id, in one transaction, INSERT only."""
    counts: dict[str, int] = {}
    restored: list[type[models.Model]] = []
    with transaction.atomic():
        for name in manifest["counts"]:
            model = apps.get_model(name)
            records = json.loads((work / f"data/{name}.json").read_text())
            for field in relations(model):
                target = field.related_model
                if not isinstance(target, type) or label(target) not in NATURAL:
                    continue
                for record in records:
                    value = record["fields"].get(field.name)
                    if value and field.many_to_many:
                        record["fields"][field.name] = [natural_to_pk(target, k) for k in value]
                    elif value:
                        record["fields"][field.name] = natural_to_pk(target, value)
            objects = list(serializers.deserialize("python", records))
            insert(model, [item.object for item in objects])
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                source, target_name = field.m2m_field_name(), field.m2m_reverse_field_name()
                links = [
                    through(**{f"{source}_id": item.object.pk, f"{target_name}_id": pk})
                    for item in objects
                    for pk in (item.m2m_data or {}).get(field.name, [])
                ]
                through._base_manager.bulk_create(links, batch_size=500)
            counts[name] = len(objects)
            if len(objects) != manifest["counts"][name]:
                raise CommandError(f"{name}: {len(objects)} rows read, manifest says more.")
            restored.append(model)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), restored):
                    cursor.execute(sql)
    return counts


def insert(model: type[models.Model], objects: list[models.Model]) -> None:
    """Raw INSERTs of ``objects`` as they are (ids, timestamps): no save(), no signal,
    never an UPDATE."""
    if not objects:
        return
    fields = list(model._meta.local_concrete_fields)
    batch = max(1, connection.ops.bulk_batch_size(fields, objects))
    manager = model._base_manager
    for start in range(0, len(objects), batch):
        manager._insert(  # type: ignore[attr-defined]
            objects[start : start + batch], fields=fields, using=DEFAULT_DB_ALIAS, raw=True
        )
