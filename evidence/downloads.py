"""Serving a stored revision: always as an attachment, with its hash in the headers so a
client can check what it received (``ETag``, ``Digest`` and RFC 9530 ``Repr-Digest``)."""

from __future__ import annotations

import base64

from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase

from evidence.models import EvidenceRevision
from evidence.services.files import open_stored


def digest_headers(sha256: str) -> dict[str, str]:
    b64 = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
    return {
        "ETag": f'"{sha256}"',
        "Digest": f"sha-256={b64}",
        "Repr-Digest": f"sha-256=:{b64}:",
    }


def revision_response(request: HttpRequest, revision: EvidenceRevision) -> HttpResponseBase:
    headers = digest_headers(revision.sha256)
    if request.headers.get("If-None-Match", "").strip() == headers["ETag"]:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = headers["ETag"]
        return not_modified
    try:
        stored = open_stored(revision.storage_name)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=revision.original_name,
        # The detected type; the allowed types exclude HTML and SVG, and the attachment
        # disposition plus the sandbox below keep a browser from rendering it in our origin.
        content_type=revision.media_type or "application/octet-stream",
    )
    for name, value in headers.items():
        response[name] = value
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-transform"
    # The headers above state what was collected; say so when the bytes no longer match.
    response["X-Egide-Integrity"] = revision.integrity_status
    return response
