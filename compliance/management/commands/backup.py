"""``manage.py backup --output FILE.tar.gz [--organisation SLUG]``: a consistent archive of
Egide's data and of every file it references, that ``manage.py restore`` loads into an
empty database.

The archive (gzip-compressed tar) holds:

- ``data/<app_label>.<model>.json``: the rows of each model, Django's serialisation with
  datetimes kept to the microsecond (the audit trail's hashes cover them);
- ``media/<storage name>``: every evidence file a revision points at and every rendered
  document a report job points at;
- ``manifest.json`` (last member): the format, the database vendor, the migrations
  applied, the row count of each model and the SHA-256 and size of every other member.

Consistency: every row is read in one transaction (PostgreSQL: REPEATABLE READ, one
snapshot; SQLite: an IMMEDIATE transaction, writers wait). Files are written before the
rows that point at them commit and are never rewritten (evidence is content-addressed,
documents are renamed into place), so the files of the snapshot's rows are all there.

With ``--organisation``, the archive holds that organisation's rows (every model with a
foreign-key path to it), its audit chain, the users its rows point at (with their 2FA
devices) and the shared catalogues its rows point at (whole frameworks, with their
mappings), never another organisation's rows.

Not included: sessions, login-attempt logs (django-axes), content types and permissions
(``migrate`` recreates them) and report signing keys (``EGIDE_REPORT_SIGNING_DIR``: back
them up with your secrets, not with the data).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from compliance.models import AuditChainHead, Organisation
from compliance.models.audit import chain_key_for

FORMAT = "egide-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024

# Never backed up: recreated by migrate (content types, permissions) or transient.
EXCLUDED_APPS = {"contenttypes", "sessions", "axes", "admin"}
EXCLUDED_MODELS = {"auth.permission"}
# Foreign keys to these are written as natural keys: their ids differ between databases.
NATURAL = {"contenttypes.contenttype", "auth.permission"}


class BackupEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to the millisecond; the audit trail hashes the
    microseconds, so they are kept."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model whose rows a backup carries, in a stable order (auto-created
    many-to-many tables travel with the model that declares the field)."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.app_label not in EXCLUDED_APPS
        and label(model) not in EXCLUDED_MODELS
    ]


def relations(model: type[models.Model]) -> Iterator[models.Field[Any, Any]]:
    """Forward foreign keys, one-to-ones and many-to-manys of ``model``."""
    for field in model._meta.concrete_fields:
        if field.many_to_one or field.one_to_one:
            yield field
    yield from model._meta.many_to_many


def organisation_path(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its Organisation (``"organisation"``,
    ``"audit__organisation"``), or ``None`` for a shared model. The tenant queryset's
    ``tenant_path`` when it declares one, else the shortest foreign-key path."""
    if model is Organisation:
        return "pk"
    declared = getattr(model._default_manager.get_queryset(), "tenant_path", None)
    if declared:
        return str(declared)
    queue: list[tuple[type[models.Model], list[str]]] = [(model, [])]
    seen = {model}
    while queue:
        current, path = queue.pop(0)
        for field in current._meta.concrete_fields:
            if not (field.many_to_one or field.one_to_one):
                continue
            target = field.related_model
            if target is Organisation:
                return "__".join([*path, field.name])
            if isinstance(target, type) and target not in seen:
                seen.add(target)
                queue.append((target, [*path, field.name]))
    return None


class Selection:
    """Which rows of which models go into the archive: ``{model: set of pks}``, or
    ``None`` for every row (a whole-database backup)."""

    def __init__(self, organisation: Organisation | None) -> None:
        self.organisation = organisation
        self.models = backed_up_models()
        self.pks: dict[type[models.Model], set[Any]] = defaultdict(set)
        if organisation is not None:
            self._select(organisation)

    def queryset(self, model: type[models.Model]) -> models.QuerySet[Any]:
        rows = model._base_manager.order_by("pk")
        if self.organisation is None:
            return rows
        return rows.filter(pk__in=sorted(self.pks.get(model, ())))

    # -- one organisation ----------------------------------------------------------------

    def _select(self, organisation: Organisation) -> None:
        owned = {}
        for model in self.models:
            path = organisation_path(model)
            if path is not None:
                owned[model] = path
        for model, path in owned.items():
            self.pks[model] |= set(
                model._base_manager.filter(**{path: organisation.pk}).values_list("pk", flat=True)
            )
        self.pks[AuditChainHead] |= set(
            AuditChainHead.objects.filter(chain_key=chain_key_for(organisation.pk)).values_list(
                "pk", flat=True
            )
        )
        shared = [model for model in self.models if model not in owned]
        # Follow references out of the selected rows (users, requirements, frameworks...)
        # and take the shared rows hanging off the shared rows already selected (a
        # framework's themes and requirements, a user's 2FA devices), until nothing new.
        changed = True
        while changed:
            changed = False
            for model in list(self.pks):
                for field in relations(model):
                    target = field.related_model
                    if not isinstance(target, type) or label(target) in NATURAL:
                        continue
                    if target not in self.models:
                        continue
                    wanted = self._targets(model, field)
                    if target in owned:
                        stray = wanted - self.pks[target]
                        if stray:
                            raise CommandError(
                                f"{label(model)}.{field.name} points at {label(target)} "
                                f"row(s) {sorted(stray)[:10]} of another organisation."
                            )
                        continue
                    new = wanted - self.pks[target]
                    if new:
                        self.pks[target] |= new
                        changed = True
            for model in shared:
                if model is AuditChainHead:
                    continue
                for field in model._meta.concrete_fields:
                    if not (field.many_to_one or field.one_to_one):
                        continue
                    parent = field.related_model
                    if parent in owned or parent not in self.pks or parent is Organisation:
                        continue
                    new = (
                        set(
                            model._base_manager.filter(
                                **{f"{field.name}__in": self.pks[parent]}
                            ).values_list("pk", flat=True)
                        )
                        - self.pks[model]
                    )
                    if new:
                        self.pks[model] |= new
                        changed = True

    def _targets(self, model: type[models.Model], field: Any) -> set[Any]:
        pks = self.pks[model]
        if not pks:
            return set()
        if field.many_to_many:
            through = field.remote_field.through
            return set(
                through._base_manager.filter(**{f"{field.m2m_field_name()}__in": pks}).values_list(
                    field.m2m_reverse_name(), flat=True
                )
            )
        return {
            value
            for value in model._base_manager.filter(pk__in=pks).values_list(
                field.attname, flat=True
            )
            if value is not None
        }


def serialise(selection: Selection, model: type[models.Model]) -> tuple[bytes, int]:
    """The selected rows of ``model`` as JSON (foreign keys to content types and
    permissions as natural keys), and how many there are."""
    m2m = [field.name for field in model._meta.many_to_many]
    rows = selection.queryset(model)
    if m2m:
        rows = rows.prefetch_related(*m2m)
    records = serializers.serialize("python", rows)
    for field in relations(model):
        target = field.related_model
        if not isinstance(target, type) or label(target) not in NATURAL:
            continue
        keys = {obj.pk: list(obj.natural_key()) for obj in target._base_manager.all()}  # type: ignore[attr-defined]
        for record in records:
            value = record["fields"].get(field.name)
            if isinstance(value, list):
                record["fields"][field.name] = [keys[pk] for pk in value]
            elif value is not None:
                record["fields"][field.name] = keys[value]
    data = json.dumps(records, cls=BackupEncoder, ensure_ascii=False, indent=0).encode()
    return data, len(records)


def referenced_files(selection: Selection) -> list[str]:
    """Storage names of the evidence files and rendered documents of the selected rows."""
    names: set[str] = set()
    for model in selection.models:
        file_fields = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)
        ]
        if label(model) == "evidence.evidencerevision":
            file_fields.append("storage_name")
        for attname in file_fields:
            names |= {
                value
                for value in selection.queryset(model).values_list(attname, flat=True)
                if value
            }
    return sorted(names)


def applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


def sha256_of(handle: IO[bytes]) -> tuple[str, int]:
    hasher, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        hasher.update(chunk)
        size += len(chunk)
    return hasher.hexdigest(), size


def safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


class Command(BaseCommand):
    help = (
        "Write a consistent archive of the database rows (all, or one organisation's with "
        "--organisation SLUG) and of every file they reference, with a SHA-256 manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="archive to write (.tar.gz)")
        parser.add_argument("--organisation", help="only this organisation (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]).resolve()
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a directory.")
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                manifest = self._write(archive, options.get("organisation"))
                raw_manifest = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                add_bytes(archive, MANIFEST, raw_manifest)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        scope = manifest["organisation"] or "all organisations"
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup of {scope} written to {output}: {rows} rows in "
                f"{len(manifest['counts'])} models, {files} files, "
                f"{output.stat().st_size} bytes."
            )
        )
        for problem in manifest["problems"]:
            self.stderr.write(f"warning: {problem}")

    def _write(self, archive: tarfile.TarFile, slug: str | None) -> dict[str, Any]:
        members: dict[str, dict[str, Any]] = {}
        counts: dict[str, int] = {}
        problems: list[str] = []
        # One snapshot for every table; inside a caller's transaction (tests), its own.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            organisation = None
            if slug:
                organisation = Organisation.objects.filter(slug=slug).first()
                if organisation is None:
                    raise CommandError(f"No organisation with slug {slug!r}.")
            selection = Selection(organisation)
            for model in selection.models:
                data, count = serialise(selection, model)
                name = f"data/{label(model)}.json"
                add_bytes(archive, name, data)
                members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                counts[label(model)] = count
            files = referenced_files(selection)
            migrations = applied_migrations()
        for storage_name in files:
            if not safe_member(storage_name):
                problems.append(f"file name {storage_name!r} refused")
                continue
            try:
                handle = default_storage.open(storage_name, "rb")
            except OSError:
                problems.append(f"{storage_name} is referenced but missing from the storage")
                continue
            with handle:
                digest, size = sha256_of(handle)
                handle.seek(0)
                member = f"media/{storage_name}"
                info = tarfile.TarInfo(member)
                info.size = size
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, handle)
            members[member] = {"sha256": digest, "size": size}
        return {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "organisation": organisation.slug if organisation else None,
            "vendor": connection.vendor,
            "migrations": migrations,
            "counts": counts,
            "members": members,
            "problems": problems,
        }


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))
