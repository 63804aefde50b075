"""What a file really is, from its first bytes (never from its name).

``filetype`` recognises binary formats by their magic numbers (PDF, Office Open XML,
OpenDocument, images, archives, executables). Text has no magic number: bytes with no
NUL that decode as UTF-8 are text, and markup (HTML, SVG, XML) is told apart because a
browser would run its scripts. A name whose extension promises one type while the
content is another (``invoice.pdf`` that is a Windows program) is a spoof, refused even
when the real type would be allowed: an auditor trusts the name they see.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# filetype reads at most this many bytes; the upload handler keeps them in memory.
SNIFF_BYTES = 8192

TEXT = "text/plain"
CSV = "text/csv"

# Extensions a user may see, and the detected types that honour them.
EXTENSION_TYPES: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ".pptx": frozenset(
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation"}
    ),
    ".odt": frozenset({"application/vnd.oasis.opendocument.text"}),
    ".ods": frozenset({"application/vnd.oasis.opendocument.spreadsheet"}),
    ".odp": frozenset({"application/vnd.oasis.opendocument.presentation"}),
    ".rtf": frozenset({"application/rtf"}),
    ".png": frozenset({"image/png"}),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".gif": frozenset({"image/gif"}),
    ".webp": frozenset({"image/webp"}),
    ".tif": frozenset({"image/tiff"}),
    ".tiff": frozenset({"image/tiff"}),
    ".zip": frozenset({"application/zip"}),
    ".gz": frozenset({"application/gzip"}),
    ".tgz": frozenset({"application/gzip"}),
    ".tar": frozenset({"application/x-tar"}),
    ".7z": frozenset({"application/x-7z-compressed"}),
    ".txt": frozenset({TEXT}),
    ".log": frozenset({TEXT}),
    ".md": frozenset({TEXT}),
    ".csv": frozenset({CSV, TEXT}),
}

# What a user reads instead of a media type.
TYPE_LABELS = {
    "application/x-msdownload": gettext_lazy("a Windows program"),
    "application/x-executable": gettext_lazy("a Linux program"),
    "application/x-mach-binary": gettext_lazy("a macOS program"),
    "text/x-shellscript": gettext_lazy("a script"),
    "text/html": gettext_lazy("a web page (HTML)"),
    "image/svg+xml": gettext_lazy("an SVG image (may contain scripts)"),
    "application/xml": gettext_lazy("an XML document"),
    "application/pdf": gettext_lazy("a PDF document"),
    "image/png": gettext_lazy("a PNG image"),
    "image/jpeg": gettext_lazy("a JPEG image"),
    "application/zip": gettext_lazy("a ZIP archive"),
    "text/plain": gettext_lazy("plain text"),
}


def type_label(media_type: str) -> str:
    label = TYPE_LABELS.get(media_type)
    if label is not None:
        return str(label)
    return _("a file of type %(type)s") % {"type": media_type}


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    allowed: bool
    problem: str = ""


def _text_type(head: bytes, name: str) -> str | None:
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sniffed window may end in the middle of a multi-byte character.
        if error.start < len(head) - 4:
            return None
        text = head[: error.start].decode("utf-8")
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith("#!"):
        return "text/x-shellscript"
    if stripped.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
        return "text/html"
    if stripped.startswith(("<svg", "<?xml")):
        return "image/svg+xml" if "<svg" in stripped[:2048] else "application/xml"
    if os.path.splitext(name)[1].lower() == ".csv":
        return CSV
    return TEXT


def detect(head: bytes, name: str) -> str:
    """The media type of content whose first bytes are ``head``."""
    kind = filetype.guess(head[:SNIFF_BYTES]) if head else None
    if kind is not None:
        return str(kind.mime)
    return _text_type(head[:SNIFF_BYTES], name) or "application/octet-stream"


def sniff(head: bytes, name: str) -> Sniffed:
    """The detected type and whether the settings accept it under this name."""
    media_type = detect(head, name)
    allowed_types = set(settings.EGIDE_EVIDENCE_ALLOWED_TYPES)
    label = type_label(media_type)
    extension = os.path.splitext(name)[1].lower()
    promised = EXTENSION_TYPES.get(extension)
    if promised is not None and media_type not in promised:
        return Sniffed(
            media_type,
            False,
            _(
                "“%(name)s” is named %(extension)s but its content is %(type)s: refused "
                "(the name does not match the content)."
            )
            % {"name": name, "extension": extension, "type": label},
        )
    if media_type not in allowed_types:
        return Sniffed(
            media_type,
            False,
            _(
                "“%(name)s” is %(type)s: this type of file is not accepted as evidence "
                "(documents, images, archives and text only)."
            )
            % {"name": name, "type": label},
        )
    return Sniffed(media_type, True)
