"""Streaming evidence uploads: each file goes to a temporary file while it is hashed, and
the size limits are enforced as the bytes arrive, not after the body has been read.

Views install the handler before anything reads ``request.POST`` (so they are
``csrf_exempt`` and check CSRF themselves once the handler is in place, as Django's
documentation on upload handlers prescribes). Past a limit, the handler stops the parse,
deletes every temporary file of the request and records why; the view answers 413. No
byte reaches the evidence storage before the whole request was received and checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from evidence.sniffing import SNIFF_BYTES


@dataclass(frozen=True)
class UploadTooLarge:
    """Which limit a request went past, for the 413 page and the API error."""

    scope: str  # "file" or "request"
    limit: int
    file_name: str = ""

    @property
    def message(self) -> str:
        megabytes = f"{self.limit / (1024 * 1024):g}"
        if self.scope == "file":
            return _(
                "“%(name)s” is larger than the %(size)s MB allowed for one file: nothing "
                "was stored."
            ) % {"name": self.file_name, "size": megabytes}
        return _(
            "This upload is larger than the %(size)s MB allowed for one request: nothing "
            "was stored. Send the files in several uploads."
        ) % {"size": megabytes}


class HashedUpload(TemporaryUploadedFile):
    """An uploaded file on disk, with the SHA-256 and first bytes computed on the way in."""

    sha256: str = ""
    head: bytes = b""


class EvidenceUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_file_bytes: int = settings.EGIDE_EVIDENCE_MAX_FILE_BYTES
        self.max_request_bytes: int = settings.EGIDE_EVIDENCE_MAX_REQUEST_BYTES
        self.overhead_bytes: int = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + 64 * 1024
        self.too_large: UploadTooLarge | None = None
        self.received = 0  # file bytes of the whole request
        self.created: list[HashedUpload] = []

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile[Any]]] | None:
        # A declared body over the limit is refused before a byte of it is read. The body
        # also carries the form fields (bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE)
        # and the multipart boundaries, allowed on top of the files' bytes.
        if content_length > self.max_request_bytes + self.overhead_bytes:
            self.too_large = UploadTooLarge("request", self.max_request_bytes)
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = HashedUpload(
            self.file_name or "upload", self.content_type, 0, self.charset, self.content_type_extra
        )
        self.created.append(self.file)
        self.hasher = hashlib.sha256()
        self.head = bytearray()
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.file_bytes += len(raw_data)
        self.received += len(raw_data)
        if self.file_bytes > self.max_file_bytes:
            self._stop(UploadTooLarge("file", self.max_file_bytes, self.file_name or ""))
        if self.received > self.max_request_bytes:
            self._stop(UploadTooLarge("request", self.max_request_bytes))
        self.hasher.update(raw_data)
        if len(self.head) < SNIFF_BYTES:
            self.head += raw_data[: SNIFF_BYTES - len(self.head)]
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedUpload:
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self.hasher.hexdigest()
        self.file.head = bytes(self.head)
        return self.file

    def _stop(self, reason: UploadTooLarge) -> None:
        self.too_large = reason
        self.discard()
        # Read (and drop) the rest of the body so the client receives the 413 instead of
        # a reset connection; the declared length was already checked, so this is bounded.
        raise StopUpload(connection_reset=False)

    def discard(self) -> None:
        """Delete every temporary file of this request (closing one deletes it)."""
        for upload in self.created:
            upload.close()


def install_handler(request: HttpRequest) -> EvidenceUploadHandler:
    """Replace the request's upload handlers; call before anything reads the body."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    return handler
