"""The catalogue of PDF documents Egide can render: other apps add theirs here.

A *document kind* is a name (``"soa"``, ``"evidence_pack"``, ``"processing_register"``...)
plus two functions written by the app that owns the data:

``clean(organisation, parameters) -> dict``
    Runs in the web request (HTML form or ``POST /api/v1/reports/``), before the job is
    queued. It checks the caller's parameters *within the organisation* (an id of another
    organisation must be refused exactly like a missing one), and returns the parameters
    to store on the ``ReportJob`` (JSON-serialisable). Raise
    ``django.core.exceptions.ValidationError`` with a readable message on bad input.

``build(request: BuildRequest) -> Built``
    Runs in the Celery worker, outside any transaction. It reads what the document shows
    (with the ``select_related``/``prefetch_related`` it needs: the document may list
    thousands of rows), and returns a template name and its context, plus the manifest
    items (each included evidence revision or source record and its SHA-256). It must not
    write to the database. Call ``request.progress(percent)`` between slow steps if you
    like (the machinery reports 0-10 while building and 10-100 while rendering).

Register from your app's ``AppConfig.ready()``::

    from reports.registry import Built, BuildRequest, register_document

    def build_register(request: BuildRequest) -> Built:
        activities = list(ProcessingActivity.objects.filter(organisation=request.organisation))
        return Built(
            title=_("Processing register"),
            template="privacy/pdf/register.html",   # extends "reports/pdf/base.html"
            context={"activities": activities},
        )

    register_document(
        "processing_register",
        label=_("Processing register (GDPR Art. 30)"),
        build=build_register,
    )

Templates extend ``reports/pdf/base.html`` (fonts, print CSS, running header and footer,
"page X of Y") and fill ``{% block body %}``. User text is escaped by Django as
everywhere; the renderer fetches nothing but the project's static files anyway.

Manifest items are dicts with at least ``type``, ``id`` and ``sha256``. ``verify_report``
re-checks each item with the checker registered for its type
(``register_manifest_check(type, check)``, where ``check(organisation, item)`` returns
``None`` when the stored object still has that hash, or a sentence saying what differs).

Bundle files (optional, for the ZIP "audit bundle"): ``Built.bundle_files`` is a list of
``BundleFile(name, open)`` where ``open()`` returns a binary file object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from compliance.models import Organisation

ManifestItem = dict[str, Any]


@dataclass
class BuildRequest:
    """What a builder gets: the organisation, the cleaned parameters, the language the
    document is written in (already active), and a progress callback (0-100)."""

    organisation: Organisation
    parameters: dict[str, Any]
    language: str
    progress: Callable[[int], None] = lambda percent: None


@dataclass
class BundleFile:
    name: str
    open: Callable[[], IO[bytes]]


@dataclass
class Built:
    """What a builder returns: the document's title, its template and context, and what
    the manifest records (sources and every included evidence revision)."""

    title: str | Promise
    template: str
    context: dict[str, Any]
    manifest_items: list[ManifestItem] = field(default_factory=list)
    bundle_files: list[BundleFile] = field(default_factory=list)
    subtitle: str | Promise = ""


Cleaner = Callable[["Organisation", dict[str, Any]], dict[str, Any]]
Builder = Callable[[BuildRequest], Built]
ManifestCheck = Callable[["Organisation", ManifestItem], "str | None"]


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    label: str | Promise
    build: Builder
    clean: Cleaner
    # Offer the ZIP audit bundle (PDF + bundle files + manifest.json) for this kind.
    bundle: bool = False


_DOCUMENTS: dict[str, DocumentKind] = {}
_MANIFEST_CHECKS: dict[str, ManifestCheck] = {}


def _no_parameters(organisation: Organisation, parameters: dict[str, Any]) -> dict[str, Any]:
    return {}


def register_document(
    kind: str,
    *,
    label: str | Promise,
    build: Builder,
    clean: Cleaner | None = None,
    bundle: bool = False,
) -> DocumentKind:
    """Make ``kind`` requestable from the UI and the API. Registering the same kind twice
    with the same builder is a no-op (``ready()`` may run twice); with another builder it
    is a programming error."""
    if not kind or len(kind) > 40 or not kind.replace("_", "").isalnum():
        raise ValueError(f"Document kind {kind!r}: use up to 40 letters, digits and '_'.")
    document = DocumentKind(
        kind=kind, label=label, build=build, clean=clean or _no_parameters, bundle=bundle
    )
    existing = _DOCUMENTS.get(kind)
    if existing is not None and existing.build is not build:
        raise ValueError(f"Document kind {kind!r} is already registered.")
    _DOCUMENTS[kind] = document
    return document


def register_manifest_check(item_type: str, check: ManifestCheck) -> None:
    """Tell ``verify_report`` how to re-check manifest items of ``item_type``."""
    _MANIFEST_CHECKS[item_type] = check


def get_document(kind: str) -> DocumentKind | None:
    return _DOCUMENTS.get(kind)


def document_kinds() -> list[DocumentKind]:
    return sorted(_DOCUMENTS.values(), key=lambda document: document.kind)


def manifest_check(item_type: str) -> ManifestCheck | None:
    return _MANIFEST_CHECKS.get(item_type)
