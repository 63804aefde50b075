"""Receiving an extract: bounded, hashed while written, sniffed from its content.

The file is written under ``ANONYMITY_UPLOAD_DIR`` only for the time of the assessment
(the confirmation of the column roles in the web UI sits between the two steps) and
removed afterwards; what is kept is its SHA-256, never its content.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from anonymity.engine.reader import ExtractError, sniff_format

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
STALE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def max_upload_bytes() -> int:
    return int(getattr(settings, "ANONYMITY_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def upload_dir() -> Path:
    default = Path(settings.VAR_DIR) / "anonymity-uploads"
    directory = Path(getattr(settings, "ANONYMITY_UPLOAD_DIR", default))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@dataclass(frozen=True)
class StoredUpload:
    token: str
    name: str
    sha256: str
    size: int
    file_format: str

    @property
    def path(self) -> Path:
        return upload_dir() / f"{self.token}.upload"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoredUpload | None:
        try:
            upload = cls(**{k: data[k] for k in ("token", "name", "sha256", "size", "file_format")})
        except (KeyError, TypeError):
            return None
        if not TOKEN_RE.match(str(upload.token)) or not upload.path.is_file():
            return None
        return upload

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _clean_name(name: str) -> str:
    base = Path(name or "extract").name
    return re.sub(r"[\x00-\x1f]", "", base)[:200] or "extract"


def _remove_stale(directory: Path) -> None:
    limit = time.time() - STALE_SECONDS
    for path in directory.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def store_upload(uploaded: Any) -> StoredUpload:
    """Write an uploaded file (Django ``UploadedFile``) to the upload directory, refusing
    it past the size bound or when it is not CSV, XLSX or Parquet."""
    directory = upload_dir()
    _remove_stale(directory)
    limit = max_upload_bytes()
    if uploaded is None:
        raise ExtractError(_("Choose a file."))
    if uploaded.size is not None and uploaded.size > limit:
        raise ExtractError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    token = secrets.token_urlsafe(24)
    path = directory / f"{token}.upload"
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("wb") as handle:
            for chunk in uploaded.chunks():
                size += len(chunk)
                if size > limit:
                    raise ExtractError(
                        _("The file is larger than the limit of %(mb)s MB.")
                        % {"mb": limit // (1024 * 1024)}
                    )
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise ExtractError(_("The file is empty."))
        file_format = sniff_format(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredUpload(token, _clean_name(uploaded.name), digest.hexdigest(), size, file_format)


def store_path(source: Path) -> StoredUpload:
    """The same, for a file already on disk (demo, command line)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return store_upload(SimpleUploadedFile(source.name, source.read_bytes()))
