"""Requesting, rendering and verifying PDF documents.

The lifecycle of a ``ReportJob`` (``queued → running → done | failed``):

- ``report_request`` (web request) validates the parameters with the kind's ``clean``,
  creates the job and queues ``render_report_task`` once the transaction commits;
- the worker claims it with ``job_claim`` (a conditional UPDATE: of two deliveries of
  the same message, one gets the row and the other does nothing), builds the document's
  data (reads only), renders it with no transaction open, writes the file atomically and
  stores the result with ``job_complete``, which only the claim's holder can do;
- ``job_fail`` records a readable error; ``report_retry`` queues a failed job again.
- ``jobs_requeue_stale`` queues again the jobs whose worker stopped refreshing its
  heartbeat (killed, out of memory, machine lost), so another worker completes them.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.models import Organisation, User
from compliance.queue import QueueUnavailable, enqueue
from compliance.services.audit_trail import Actor, SystemActor, actor_label, audit_event_record
from reports import registry
from reports.choices import DocumentLanguage, JobStatus
from reports.models import ReportJob
from reports.rendering import PdfAttachment, html_to_pdf
from reports.signing import SignatureCheck, check_signature, sign_pdf, signing_material

logger = logging.getLogger(__name__)

WORKER_ACTOR = SystemActor("report-worker")
# A job whose worker dies this many times (killed by the time limit, out of memory) fails.
MAX_ATTEMPTS = 3
# Building the data is 0-10 %, laying out 10-80 %, writing and signing 80-100 %.
BUILT_PROGRESS, LAID_OUT_PROGRESS, WRITTEN_PROGRESS = 10, 80, 95


# --- Requests (web) -------------------------------------------------------------------


def _enqueue(job_id: int) -> None:
    """Publish the job to the workers. With the broker down the job is marked failed
    with a message saying so (it can be retried), and ``QueueUnavailable`` reaches the
    view: 503 with Retry-After, in HTML and in the API (compliance/queue.py)."""
    from reports.tasks import render_report_task

    options = {"queue": settings.EGIDE_REPORT_QUEUE} if settings.EGIDE_REPORT_QUEUE else {}
    try:
        enqueue(render_report_task, (job_id,), **options)
    except QueueUnavailable:
        job_fail(
            job_id,
            None,
            _("The processing queue was unavailable when this document was requested: retry it."),
        )
        raise


def report_request(
    *,
    actor: Actor,
    organisation: Organisation,
    kind: str,
    parameters: dict[str, Any] | None = None,
    language: str = DocumentLanguage.FRENCH,
) -> ReportJob:
    """Queue a document of ``kind`` for ``organisation``. Raises ``ValidationError`` on an
    unknown kind, an unsupported language or parameters the kind refuses."""
    document = registry.get_document(kind)
    if document is None:
        raise ValidationError(_("Unknown document kind “%(kind)s”.") % {"kind": kind})
    if language not in DocumentLanguage.values:
        raise ValidationError(_("Documents are written in French or English."))
    cleaned = document.clean(organisation, dict(parameters or {}))
    with transaction.atomic():
        job = ReportJob.objects.create(
            organisation=organisation,
            kind=kind,
            parameters=cleaned,
            language=language,
            title=str(document.label)[:300],
            requested_by=actor if isinstance(actor, User) else None,
            requested_by_label=actor_label(actor)[:254],
        )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="reports.request",
            target=job,
            changes={"kind": [None, kind], "parameters": [None, cleaned]},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def report_retry(*, actor: Actor, job: ReportJob) -> ReportJob:
    """Queue a failed job again (its error is kept until it is claimed)."""
    with transaction.atomic():
        updated = ReportJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, progress=0, claim_token=""
        )
        if not updated:
            raise ValidationError(_("Only a failed document can be requested again."))
        audit_event_record(
            actor=actor,
            organisation=job.organisation,
            action="reports.retry",
            target=job,
            changes={"status": [JobStatus.FAILED, JobStatus.QUEUED]},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


# --- Lifecycle (worker) ---------------------------------------------------------------


def job_claim(job_id: int, *, worker: str) -> str | None:
    """Take a queued job; ``None`` when someone else has it or it is finished.

    One UPDATE ... WHERE status = 'queued': the database serialises two workers that
    received the same message (acks_late redelivery, a duplicate publish) and exactly
    one of them sees ``1`` row updated."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        claim_token=token,
        worker=worker[:200],
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        error="",
    )
    return token if claimed else None


def job_progress(job_id: int, token: str, percent: int) -> bool:
    """Record progress (and refresh the heartbeat); ``False`` when the claim was lost."""
    return bool(
        ReportJob.objects.filter(pk=job_id, claim_token=token, status=JobStatus.RUNNING).update(
            progress=max(0, min(100, percent)), heartbeat_at=timezone.now()
        )
    )


def job_release(job_id: int, token: str, error: str) -> None:
    """Give a claimed job back to the queue (a retry will claim it again)."""
    ReportJob.objects.filter(pk=job_id, claim_token=token, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED, claim_token="", error=error[:2000]
    )


def job_fail(job_id: int, token: str | None, error: str) -> None:
    with transaction.atomic():
        rows = ReportJob.objects.select_for_update().filter(pk=job_id)
        if token is not None:
            rows = rows.filter(claim_token=token)
        job = rows.select_related("organisation").first()
        if job is None or job.status == JobStatus.DONE:
            return
        previous = job.status
        job.status = JobStatus.FAILED
        job.error = error[:2000]
        job.finished_at = timezone.now()
        job.claim_token = ""
        job.save(update_fields=["status", "error", "finished_at", "claim_token"])
        audit_event_record(
            actor=WORKER_ACTOR,
            organisation=job.organisation,
            action="reports.fail",
            target=job,
            changes={"status": [previous, JobStatus.FAILED], "error": [None, job.error]},
        )


def jobs_requeue_stale(*, lease_seconds: int | None = None) -> list[int]:
    """Queue again every running job whose worker has not refreshed its heartbeat within
    the lease: that worker is gone (SIGKILL, OOM, lost machine). The conditional UPDATE
    on the old heartbeat means a live worker that just refreshed it keeps its job."""
    lease = lease_seconds if lease_seconds is not None else settings.EGIDE_REPORT_LEASE_SECONDS
    cutoff = timezone.now() - timedelta(seconds=lease)
    requeued = []
    # A queued job nobody claimed within the lease lost its message (a Redis restart
    # keeps nothing): publish it again. A second delivery is harmless, the claim is
    # a conditional update.
    lost = list(
        ReportJob.objects.filter(
            status=JobStatus.QUEUED, claim_token="", created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for job_id in lost:
        try:
            _enqueue(job_id)
        except QueueUnavailable:
            break  # still down: the next run tries again
        requeued.append(job_id)
    for job_id, heartbeat, attempts in ReportJob.objects.filter(
        status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
    ).values_list("pk", "heartbeat_at", "attempts"):
        if attempts >= MAX_ATTEMPTS:
            # It killed its worker every time (hard time limit, out of memory): stop.
            job_fail(
                job_id,
                None,
                _("The document could not be rendered: its worker stopped %(n)s times.")
                % {"n": attempts},
            )
            continue
        if ReportJob.objects.filter(
            pk=job_id, status=JobStatus.RUNNING, heartbeat_at=heartbeat
        ).update(status=JobStatus.QUEUED, claim_token="", progress=0):
            requeued.append(job_id)
            _enqueue(job_id)
    if requeued:
        logger.warning("re-queued report jobs of a lost worker", extra={"jobs": requeued})
    return requeued


# --- Rendering ------------------------------------------------------------------------


class ClaimLost(Exception):
    """The job was taken back (lease expired) while this worker was rendering it."""


@dataclass
class RenderResult:
    pdf: bytes
    manifest: dict[str, Any]
    pages: int
    refused_urls: list[str] = field(default_factory=list)
    bundle_files: list[registry.BundleFile] = field(default_factory=list)
    title: str = ""


class Heartbeat:
    """Refreshes the job's heartbeat from a thread while the main thread is busy in
    WeasyPrint (one call that can take a minute), so the lease only expires when the
    worker process is really gone."""

    def __init__(self, job_id: int, token: str, interval: float) -> None:
        self.job_id, self.token, self.interval = job_id, token, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.lost = False

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                if not ReportJob.objects.filter(
                    pk=self.job_id, claim_token=self.token, status=JobStatus.RUNNING
                ).update(heartbeat_at=timezone.now()):
                    self.lost = True
                    return
        finally:
            connection.close()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def manifest_for(job: ReportJob, built: registry.Built, generated_at: Any) -> dict[str, Any]:
    return {
        "format": "egide-report-manifest/1",
        "job": job.pk,
        "kind": job.kind,
        "organisation": {"slug": job.organisation.slug, "name": job.organisation.name},
        "language": job.language,
        "parameters": job.parameters,
        "title": str(built.title),
        "generated_at": generated_at.isoformat(),
        "items": built.manifest_items,
    }


def open_transactions() -> int:
    """Atomic blocks open on this connection, not counting the ones a test case wraps
    around every test (Django marks those ``_from_testcase``)."""
    return sum(
        1 for block in connection.atomic_blocks if not getattr(block, "_from_testcase", False)
    )


def render_job_document(job: ReportJob, *, progress: Any = None) -> RenderResult:
    """Build and render ``job``'s document (reads only, no transaction). Separate from
    the task so that tests and the bench can call it directly."""
    report = progress or (lambda percent: None)
    document = registry.get_document(job.kind)
    if document is None:
        raise ValueError(f"unknown document kind {job.kind!r}")
    generated_at = timezone.now()
    with translation.override(job.language):
        built = document.build(
            registry.BuildRequest(
                organisation=job.organisation,
                parameters=job.parameters,
                language=job.language,
                progress=lambda percent: report(min(BUILT_PROGRESS, percent // 10)),
            )
        )
        report(BUILT_PROGRESS)
        manifest = manifest_for(job, built, generated_at)
        html = render_to_string(
            built.template,
            {
                **built.context,
                "job": job,
                "organisation": job.organisation,
                "language": job.language,
                "title": built.title,
                "subtitle": built.subtitle,
                "generated_at": generated_at,
                "manifest": manifest,
            },
        )
    # Layout and PDF writing take seconds: make sure no transaction is held meanwhile.
    if open_transactions():
        raise RuntimeError("a document must not be rendered inside a database transaction")
    rendered = html_to_pdf(
        html,
        attachments=[
            PdfAttachment(
                name="manifest.json",
                data=json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
                description="Egide manifest: sources and evidence revisions with SHA-256",
            )
        ],
        on_layout_done=lambda pages: report(LAID_OUT_PROGRESS),
    )
    pdf = rendered.pdf
    material = signing_material(job.organisation.slug)
    if material is not None:
        with translation.override(job.language):
            reason = _("Issued by Egide for %(organisation)s") % {
                "organisation": job.organisation.name
            }
        pdf = sign_pdf(pdf, material, reason=reason, location="Egide")
    report(WRITTEN_PROGRESS)
    return RenderResult(
        pdf=pdf,
        manifest=manifest,
        pages=rendered.pages,
        refused_urls=rendered.refused_urls,
        bundle_files=built.bundle_files,
        title=str(built.title),
    )


def store_atomically(name: str, data: bytes) -> str:
    """Write ``data`` under ``name`` in the default storage so that no reader ever sees a
    partial file: on disk, a temporary file in the same directory, fsync, then rename
    (atomic on POSIX); object stores publish an object only once fully uploaded."""
    if isinstance(default_storage, FileSystemStorage):
        target = Path(default_storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return name
    return default_storage.save(name, ContentFile(data))


def job_complete(job_id: int, token: str, result: RenderResult) -> bool:
    """Store the rendered file and mark the job done, if this worker still holds it."""
    sha256 = hashlib.sha256(result.pdf).hexdigest()
    job = ReportJob.objects.select_related("organisation").get(pk=job_id)
    name = f"reports/{job.organisation_id}/{job.pk}-{sha256[:16]}.pdf"
    store_atomically(name, result.pdf)
    with transaction.atomic():
        updated = ReportJob.objects.filter(
            pk=job_id, claim_token=token, status=JobStatus.RUNNING
        ).update(
            status=JobStatus.DONE,
            progress=100,
            file=name,
            file_size=len(result.pdf),
            sha256=sha256,
            manifest=result.manifest,
            signed=b"/ByteRange" in result.pdf[-200_000:],
            title=result.title[:300],
            finished_at=timezone.now(),
            claim_token="",
            error="",
        )
        if not updated:
            return False
        audit_event_record(
            actor=WORKER_ACTOR,
            organisation=job.organisation,
            action="reports.render",
            target=job,
            changes={
                "status": [JobStatus.RUNNING, JobStatus.DONE],
                "sha256": [None, sha256],
                "pages": [None, result.pages],
                "manifest_items": [None, len(result.manifest.get("items", []))],
            },
        )
    return True


def job_render(job_id: int, token: str, *, heartbeat: bool = True) -> None:
    """Render a claimed job to completion; raises on failure (the task decides between
    retry and failure). ``heartbeat=False`` for eager runs: the request's own transaction
    may hold the job, which a second connection (the heartbeat thread's) cannot see.
    (Celery's Django fix-up already closes stale connections around every task.)"""
    job = ReportJob.objects.select_related("organisation").get(pk=job_id)

    def progress(percent: int) -> None:
        if not job_progress(job_id, token, percent):
            raise ClaimLost

    interval = max(1.0, settings.EGIDE_REPORT_LEASE_SECONDS / 4)
    started = time.monotonic()
    if heartbeat:
        with Heartbeat(job_id, token, interval) as beating:
            result = render_job_document(job, progress=progress)
        if beating.lost:
            raise ClaimLost
    else:
        result = render_job_document(job, progress=progress)
    if not job_complete(job_id, token, result):
        raise ClaimLost
    logger.info(
        "report rendered",
        extra={"job": job_id, "pages": result.pages, "seconds": time.monotonic() - started},
    )


# --- Verification ---------------------------------------------------------------------


@dataclass
class Verification:
    problems: list[str]
    file_sha256: str = ""
    items_checked: int = 0
    signature: SignatureCheck | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def read_job_file(job: ReportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def report_verify(job: ReportJob) -> Verification:
    """Check the stored file against the job's SHA-256, every manifest item against what
    is stored now, the manifest embedded in the PDF against the job's, and the PAdES
    signature when there is one."""
    problems: list[str] = []
    if job.status != JobStatus.DONE or not job.file:
        return Verification(problems=[_("The document has not been rendered.")])
    try:
        data = read_job_file(job)
    except OSError as error:
        return Verification(problems=[_("The file cannot be read: %(error)s") % {"error": error}])
    actual = hashlib.sha256(data).hexdigest()
    if actual != job.sha256:
        problems.append(
            _("The file's SHA-256 is %(actual)s, the job recorded %(expected)s.")
            % {"actual": actual, "expected": job.sha256}
        )
    items = job.manifest.get("items", [])
    for item in items:
        check = registry.manifest_check(str(item.get("type")))
        if check is None:
            problems.append(
                _("No check is known for manifest items of type %(type)s.")
                % {"type": item.get("type")}
            )
            continue
        problem = check(job.organisation, item)
        if problem:
            problems.append(problem)
    embedded = embedded_manifest(data)
    if embedded is None:
        problems.append(_("The PDF carries no manifest.json attachment."))
    elif embedded != job.manifest:
        problems.append(_("The manifest attached to the PDF differs from the job's."))
    signature: SignatureCheck | None = None
    try:
        signature = check_signature(data, signing_material(job.organisation.slug))
    except Exception as error:  # a corrupted file can break the PDF parser anywhere
        problems.append(_("The signature cannot be checked: %(error)s") % {"error": error})
    if signature is not None:
        if job.signed and not signature.present:
            problems.append(_("The document was signed but carries no signature now."))
        elif signature.present and not signature.ok:
            problems.append(_("The signature is not valid for this file."))
    return Verification(
        problems=problems, file_sha256=actual, items_checked=len(items), signature=signature
    )


def embedded_manifest(data: bytes) -> dict[str, Any] | None:
    """The manifest.json attached to the PDF, or ``None``."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for index in range(0, len(names), 2):
            if str(names[index]) == "manifest.json":
                spec = names[index + 1].get_object()
                stream = spec["/EF"]["/F"].get_object()
                loaded = json.loads(stream.data)
                return loaded if isinstance(loaded, dict) else None
    except Exception:  # noqa: S110 - a damaged file simply has no readable manifest
        pass
    return None


# --- ZIP audit bundle -----------------------------------------------------------------


def bundle_stream(job: ReportJob) -> Iterator[bytes]:
    """The audit bundle as a ZIP: the PDF, ``manifest.json`` and every evidence file the
    kind lists. Written to a spooled temporary file (evidence can be large), then
    streamed in chunks."""
    document = registry.get_document(job.kind)
    files: list[registry.BundleFile] = []
    if document is not None and document.bundle:
        with translation.override(job.language):
            built = document.build(
                registry.BuildRequest(
                    organisation=job.organisation,
                    parameters=job.parameters,
                    language=job.language,
                )
            )
        files = built.bundle_files
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(job.download_name, read_job_file(job))
        archive.writestr("manifest.json", json.dumps(job.manifest, indent=2, ensure_ascii=False))
        for bundle_file in files:
            with bundle_file.open() as source, archive.open(bundle_file.name, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
    spool.seek(0)
    try:
        while chunk := spool.read(1024 * 1024):
            yield chunk
    finally:
        spool.close()
