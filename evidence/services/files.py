"""Content-addressed storage of evidence files through Django's storage API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from evidence.sniffing import SNIFF_BYTES, sniff

READ_CHUNK = 1024 * 1024


def storage_name_for(sha256: str) -> str:
    """``evidence/ab/abcdef…``: two-character fan-out keeps directories small."""
    return f"evidence/{sha256[:2]}/{sha256}"


@dataclass(frozen=True)
class IncomingFile:
    """A checked upload, ready to be stored: its name, size, hash and detected type."""

    file: Any
    name: str
    size: int
    sha256: str
    media_type: str


def _fingerprint(file: Any) -> tuple[int, str, bytes]:
    """Size, SHA-256 and first bytes of a file the upload handler did not hash (a file
    passed by the demo, a command or another app), read in chunks: memory stays flat."""
    hasher = hashlib.sha256()
    head = b""
    size = 0
    file.seek(0)
    for chunk in iter(lambda: file.read(READ_CHUNK), b""):
        hasher.update(chunk)
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        size += len(chunk)
    file.seek(0)
    return size, hasher.hexdigest(), head


def inspect_file(file: Any) -> IncomingFile:
    """Check one file before anything is stored: not empty, within the per-file limit,
    of an allowed type detected from its content under a name that does not lie."""
    name = (getattr(file, "name", "") or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = name[:255]
    sha256 = getattr(file, "sha256", "")
    if sha256:
        size, head = file.size, file.head
    else:
        size, sha256, head = _fingerprint(file)
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    limit = settings.EGIDE_EVIDENCE_MAX_FILE_BYTES
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than the %(size)s MB allowed for one file.")
            % {"name": name, "size": f"{limit / (1024 * 1024):g}"},
            code="too_large",
        )
    sniffed = sniff(head, name)
    if not sniffed.allowed:
        raise ValidationError(sniffed.problem, code="media_type")
    return IncomingFile(file, name, size, sha256, sniffed.media_type)


def inspect_files(files: Iterable[Any]) -> list[IncomingFile]:
    """Every file checked, all the problems reported at once."""
    checked, problems = [], []
    for file in files:
        try:
            checked.append(inspect_file(file))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems, code="invalid_file")
    return checked


class StorageFull(ValidationError):
    """The storage could not take the file (disk full, quota, I/O error): nothing of it
    was kept. Pages show the message on the form; the API answers 507."""


def store(incoming: IncomingFile) -> tuple[str, bool]:
    """Store the bytes under their hash, once: ``(storage name, written now)``.

    Runs outside any transaction (slow I/O). Two uploads of the same content may race:
    the storage then keeps the first under the hash name and gives the second another
    name, which is deleted (its bytes are the same)."""
    name = storage_name_for(incoming.sha256)
    if default_storage.exists(name):
        if hash_stored(name) == incoming.sha256:
            return name, False
        # The stored copy was changed or damaged since it was written: the bytes just
        # received are the right ones, so they replace it (verify_evidence will then find
        # the older revisions intact again).
        default_storage.delete(name)
    incoming.file.seek(0)
    try:
        saved = default_storage.save(name, incoming.file)
    except OSError as error:
        _discard_partial(name, incoming.sha256)
        raise StorageFull(
            _(
                "The server has no room to store “%(name)s” right now: nothing was saved. "
                "Try again later, or tell your administrator."
            )
            % {"name": incoming.name}
        ) from error
    if saved != name:
        default_storage.delete(saved)
        return name, False
    return name, True


def _discard_partial(name: str, sha256: str) -> None:
    """After a failed write, delete what the storage left under ``name`` unless it is the
    complete file (another upload of the same bytes may have finished meanwhile)."""
    try:
        if default_storage.exists(name) and hash_stored(name) != sha256:
            default_storage.delete(name)
    except OSError:
        pass  # the storage is failing as a whole; verify_evidence reports what remains


def discard_unreferenced(names: Iterable[str]) -> None:
    """After a failed transaction, delete the files it stored that no revision uses."""
    from evidence.models import EvidenceRevision

    names = list(names)
    used = set(
        EvidenceRevision.objects.filter(storage_name__in=names).values_list(
            "storage_name", flat=True
        )
    )
    for name in names:
        if name not in used:
            default_storage.delete(name)


def open_stored(name: str) -> Any:
    return default_storage.open(name, "rb")


def hash_stored(name: str) -> str | None:
    """SHA-256 of a stored file, or None when it is missing."""
    hasher = hashlib.sha256()
    try:
        with default_storage.open(name, "rb") as stored:
            for chunk in iter(lambda: stored.read(READ_CHUNK), b""):
                hasher.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return hasher.hexdigest()
