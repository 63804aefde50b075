"""HTML → PDF with WeasyPrint, fetching nothing but the project's own static files.

User-supplied text reaches the templates escaped, but the renderer is locked down as
well: every URL it is asked for (``<img src>``, ``@import``, ``url()``, links to
stylesheets) goes through ``StaticOnlyFetcher``, which answers only for paths under
``STATIC_URL`` on a reserved, unresolvable origin and reads them through Django's
static-file finders. ``http://``, ``https://`` elsewhere, ``file://``, ``data:``,
``ftp://``... are refused without being opened, so a document can neither reach the
network (SSRF) nor read the worker's disk.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

logger = logging.getLogger(__name__)

# A reserved name (RFC 2606): never resolvable, so a mistake cannot become a request.
STATIC_ORIGIN = "https://static.egide.invalid"


class FetchRefused(ValueError):
    """The renderer asked for something that is not one of the project's static files."""


def static_base_url() -> str:
    return STATIC_ORIGIN + "/"


def static_path_for(url: str) -> Path:
    """The file behind a static URL of the reserved origin; ``FetchRefused`` otherwise."""
    prefix = STATIC_ORIGIN + settings.STATIC_URL
    if not url.startswith(prefix):
        raise FetchRefused(f"not a static file of this project: {url[:80]}")
    relative = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    if not relative or "\\" in relative or any(p in ("", ".", "..") for p in relative.split("/")):
        raise FetchRefused(f"not a static file of this project: {url[:80]}")
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation as error:
        raise FetchRefused(str(error)) from error
    if not found or isinstance(found, list):
        raise FetchRefused(f"no such static file: {relative[:80]}")
    return Path(found)


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the project's static files; refuses everything else, unopened."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"https"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                path = static_path_for(url)
            except FetchRefused:
                self.refused.append(url)
                raise
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".ttf":
                media_type = "font/ttf"
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": media_type}
            )

    return StaticOnlyFetcher


def static_only_fetcher() -> Any:
    return _fetcher_class()()


@cache
def _font_config() -> Any:
    # One per process: fontconfig setup and font loading are paid once per worker.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@dataclass
class PdfAttachment:
    name: str
    data: bytes
    description: str = ""


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    refused_urls: list[str]


def html_to_pdf(
    html: str,
    *,
    attachments: list[PdfAttachment] | None = None,
    on_layout_done: Any = None,
) -> Rendered:
    """Lay out ``html`` and write a PDF/A-3b (attachments allowed by part 3) with the
    given files embedded. Never call this inside a database transaction: it takes
    seconds to minutes."""
    from weasyprint import HTML, Attachment

    fetcher = static_only_fetcher()
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=fetcher).render(
        font_config=_font_config()
    )
    if on_layout_done is not None:
        on_layout_done(len(document.pages))
    pdf = document.write_pdf(
        attachments=[
            Attachment(
                string=attachment.data,
                name=attachment.name,
                description=attachment.description or attachment.name,
                relationship="Data",
                url_fetcher=fetcher,
            )
            for attachment in attachments or []
        ],
        pdf_variant=settings.EGIDE_REPORT_PDF_VARIANT or None,
    )
    return Rendered(pdf=pdf, pages=len(document.pages), refused_urls=list(fetcher.refused))
