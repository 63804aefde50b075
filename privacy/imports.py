"""Register imports as background jobs (``queued → running → done | failed``).

- ``register_import_request`` (web request) stores the uploaded file in the default
  storage (the workers share it: same ``MEDIA_ROOT``, or the object store), creates the
  ``RegisterImport`` and queues ``privacy.tasks.register_import_task`` once the
  transaction commits;
- the worker runs ``register_import_run``: it claims the row with a conditional UPDATE
  (of two deliveries of one message, one imports and the other does nothing), checks
  every line with no transaction open, then writes them all in one transaction that
  also marks the import ``done``: the register and the import's status change together.
  A single bad line imports nothing: the import is ``failed`` with every row error, as
  the page showed them before it was a job. The file is deleted either way.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
from typing import Any

from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from compliance.jobs import STALL_MARGIN, background_job_claim, background_jobs_sweep
from compliance.models import Organisation, User
from compliance.queue import QueueUnavailable, enqueue
from compliance.services.audit_trail import Actor, SystemActor, actor_label, audit_event_record
from privacy import interop
from privacy.choices import ImportStatus, ImportStep
from privacy.models import RegisterImport, import_time_limit

logger = logging.getLogger(__name__)

WORKER_ACTOR = SystemActor("register-import-worker")
# Where each step sits on the progress bar.
READ_END, CHECK_END = 5, 30

# Reasons an import could not run: stored in English, shown in the reader's language.
QUEUE_DOWN = gettext_noop(
    "The processing queue was unavailable when this import was requested: import the file again."
)
FILE_GONE = gettext_noop("The uploaded file is no longer available: import it again.")
TOO_LONG = gettext_noop("The import took too long and was stopped; nothing was imported.")
UNEXPECTED = gettext_noop(
    "The import failed unexpectedly and nothing was imported; the error was logged."
)
STALLED = gettext_noop(
    "The import stopped without finishing (its worker was lost); nothing was imported."
)


def import_error_text(job: RegisterImport) -> str:
    """Why the import could not run, in the reader's language ("" otherwise; row errors
    are listed apart)."""
    from django.utils.translation import gettext

    error = STALLED if job.stalled else job.error
    return gettext(error) if error else ""


# --- Request (web) --------------------------------------------------------------------


def _enqueue(import_id: int) -> None:
    """Publish the import to the workers. With the broker down it is marked failed (the
    file deleted) and ``QueueUnavailable`` reaches the view: the 503 page."""
    from privacy.tasks import register_import_task

    try:
        enqueue(register_import_task, (import_id,))
    except QueueUnavailable:
        register_import_fail(import_id, QUEUE_DOWN)
        raise


def register_import_request(
    *, actor: Actor, organisation: Organisation, upload: Any, language: str
) -> RegisterImport:
    """Queue the import of an uploaded CSV or XLSX file (a Django ``UploadedFile`` of at
    most ``interop.MAX_UPLOAD_BYTES``, which the form checks)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = RegisterImport(
        organisation=organisation,
        file_name=(upload.name or "register")[:255],
        file_size=upload.size or 0,
        file_sha256=digest.hexdigest(),
        language=(language or "fr")[:8],
        requested_by=actor if isinstance(actor, User) else None,
        requested_by_label=actor_label(actor)[:254],
    )
    # Written to the storage before the transaction (no file I/O while it is open).
    job.file.save(upload.name or "register", upload, save=False)
    try:
        with transaction.atomic():
            job.save()
            audit_event_record(
                actor=actor,
                organisation=organisation,
                action="privacy.register_import_requested",
                target=job,
                changes={
                    "file": job.file_name[:200],
                    "file_sha256": job.file_sha256,
                    "file_size": job.file_size,
                },
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
    except QueueUnavailable:
        raise
    except BaseException:
        _delete_file(job.file.name)
        raise
    return job


# --- Lifecycle (worker) ---------------------------------------------------------------


def register_import_claim(import_id: int) -> bool:
    """Take a queued import (``compliance.queue.background_job_claim``)."""
    return background_job_claim(RegisterImport, import_id)


class ProgressWriter:
    """Records the import's progress.

    The lines are written in one transaction (all or nothing): an UPDATE of the progress
    made inside it would stay invisible to the page until the commit. So, in a worker,
    a thread of its own writes the latest value every ``interval`` seconds on its own
    database connection, which commits at once. In-process runs (no broker: tests, the
    embedded default) write directly; nobody is polling then."""

    def __init__(self, import_id: int, *, threaded: bool, interval: float = 1.0) -> None:
        self.import_id = import_id
        self.threaded = threaded
        self.interval = interval
        self.value: tuple[int, str] = (0, "")
        self.written: tuple[int, str] = (0, "")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __call__(self, percent: int, step: str) -> None:
        self.value = (max(0, min(99, percent)), step)
        if not self.threaded:
            self._write()

    def _write(self) -> None:
        value = self.value
        if value == self.written:
            return
        RegisterImport.objects.filter(pk=self.import_id, status=ImportStatus.RUNNING).update(
            progress=value[0], step=value[1]
        )
        self.written = value

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self._write()
                except DatabaseError:
                    # SQLite lets one writer at a time: the next tick tries again.
                    continue
        finally:
            connection.close()

    def __enter__(self) -> ProgressWriter:
        if self.threaded:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.threaded:
            self._stop.set()
            self._thread.join(timeout=30)


def _read(job: RegisterImport) -> bytes | None:
    if not job.file:
        return None
    try:
        with job.file.open("rb") as handle:
            return bytes(handle.read(interop.MAX_UPLOAD_BYTES + 1))
    except (OSError, ValueError):
        return None


def _delete_file(name: str | None) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete an imported register file", extra={"file": name})


def register_import_run(import_id: int, *, threaded: bool = False) -> str:
    """Check then apply a queued import (``done`` or ``failed``); safe to call twice: a
    second call finds it claimed and returns ``"not-claimed"``. ``threaded``: progress
    written from a thread (see ``ProgressWriter``), for real workers."""
    if not register_import_claim(import_id):
        return "not-claimed"
    job = RegisterImport.objects.select_related("organisation").get(pk=import_id)
    stored = job.file.name
    try:
        with ProgressWriter(import_id, threaded=threaded) as progress:
            progress(1, ImportStep.READING)
            data = _read(job)
            if data is None:
                register_import_fail(import_id, FILE_GONE)
                return "failed"
            progress(READ_END, ImportStep.CHECKING)
            # The requester's language: row errors and column names read as on the page.
            with translation.override(job.language):
                try:
                    plan = interop.register_check(
                        organisation=job.organisation,
                        data=data,
                        filename=job.file_name,
                        progress=lambda done: progress(
                            READ_END + int(done * (CHECK_END - READ_END)), ImportStep.CHECKING
                        ),
                    )
                except interop.ImportRejected as rejected:
                    register_import_reject(import_id, rejected.errors)
                    return "rejected"
                progress(CHECK_END, ImportStep.WRITING)
                with transaction.atomic():
                    result = interop.register_apply(
                        actor=WORKER_ACTOR,
                        organisation=job.organisation,
                        plan=plan,
                        target=job,
                        progress=lambda done: progress(
                            CHECK_END + int(done * (99 - CHECK_END)), ImportStep.WRITING
                        ),
                    )
                    # Same transaction: the register and the import's status commit together.
                    done = RegisterImport.objects.filter(
                        pk=import_id, status=ImportStatus.RUNNING
                    ).update(
                        status=ImportStatus.DONE,
                        progress=100,
                        step="",
                        created_count=result.created,
                        updated_count=result.updated,
                        file="",
                        finished_at=timezone.now(),
                    )
                    if not done:  # taken back meanwhile: write nothing
                        transaction.set_rollback(True)
                        return "not-claimed"
        return "done"
    finally:
        _delete_file(stored)


def register_import_reject(import_id: int, errors: list[interop.RowError]) -> None:
    """The file has bad lines: nothing was imported, every error is kept for the page."""
    _finish_failed(
        import_id,
        error="",
        row_errors=[{"row": e.row, "column": e.column, "message": e.message} for e in errors],
    )


def register_import_fail(import_id: int, error: str) -> None:
    """The import could not run (``error`` is a msgid, shown translated)."""
    _finish_failed(import_id, error=error, row_errors=[])


def _finish_failed(import_id: int, *, error: str, row_errors: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        job = (
            RegisterImport.objects.select_for_update()
            .filter(pk=import_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
            .select_related("organisation")
            .first()
        )
        if job is None:
            return
        previous, stored = job.status, job.file.name
        job.status = ImportStatus.FAILED
        job.error = error[:2000]
        job.row_errors = row_errors
        job.step = ""
        job.file = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "row_errors", "step", "file", "finished_at"])
        audit_event_record(
            actor=WORKER_ACTOR,
            organisation=job.organisation,
            action="privacy.register_import_failed",
            target=job,
            # Counts only: the messages quote the file's cells.
            changes={
                "status": [previous, ImportStatus.FAILED],
                "error": job.error,
                "row_errors": len(row_errors),
            },
        )
    _delete_file(stored)


def register_imports_sweep(
    *, lost_after: datetime.timedelta = datetime.timedelta(minutes=5)
) -> dict[str, list[int]]:
    """Every five minutes (beat): imports whose message a Redis restart lost are
    published again, those whose worker died are recorded as failed."""
    from privacy.tasks import register_import_task

    return background_jobs_sweep(
        RegisterImport,
        task=register_import_task,
        fail=register_import_fail,
        stalled_error=STALLED,
        lost_after=lost_after,
        stalled_after=datetime.timedelta(seconds=import_time_limit()) + STALL_MARGIN,
    )
