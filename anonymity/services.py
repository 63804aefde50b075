"""Writes of the anonymity app: each in one transaction with its audit-trail row.

An assessment is a background job (``queued → running → done | failed``):

- ``assessment_request`` (web request, API) checks the roles and parameters, creates the
  row ``queued`` with the extract's hash and queues ``anonymity.tasks.assess_task`` once
  the transaction commits; the extract waits in the upload directory (same
  ``EGIDE_VAR_DIR`` for the web and the workers);
- the worker runs ``assessment_run``: it claims the row with a conditional UPDATE (of two
  deliveries of one message, one measures and the other does nothing), measures the file
  with no transaction open, reports progress, then stores the results (``done``) or the
  reason (``failed``). Either way the extract is deleted: only its SHA-256 stays.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from anonymity.choices import AssessmentStatus, ColumnRole, Verdict
from anonymity.engine.reader import ExtractError, read_header
from anonymity.engine.run import assess_file
from anonymity.messages import generalisation_text, reason_text
from anonymity.models import AnonymityAssessment, task_time_limit
from anonymity.scanner.scan import NoteResult, scan_notes, summarise
from anonymity.uploads import StoredUpload
from compliance.jobs import STALL_MARGIN, background_job_claim, background_jobs_sweep
from compliance.models import ApiKey, Organisation, User
from compliance.queue import QueueUnavailable, enqueue
from compliance.services.audit_trail import (
    Actor,
    SystemActor,
    actor_label,
    audit_event_record,
)

MAX_K_THRESHOLD = 1000
WORKER_ACTOR = SystemActor("anonymity-worker")

# Failure reasons: stored in English, shown in the reader's language (``gettext`` at
# display). A problem with the file itself keeps the reader's own message.
QUEUE_DOWN = gettext_noop(
    "The processing queue was unavailable when this assessment was requested: run it again."
)
UPLOAD_GONE = gettext_noop("The uploaded extract is no longer available: upload it again.")
NO_MEMORY = gettext_noop("Not enough memory to assess this file.")
TOO_LONG = gettext_noop("The assessment took too long and was stopped.")
UNEXPECTED = gettext_noop("The assessment failed unexpectedly; the error was logged.")


STALLED = gettext_noop(
    "The assessment stopped without finishing (its worker was lost): run it again."
)


def error_text(error: str) -> str:
    """A stored failure reason in the reader's language (a file's own message as is)."""
    return _(error) if error else ""


def assessment_error_text(assessment: AnonymityAssessment) -> str:
    """Why the assessment did not finish, in the reader's language ("" when it did not
    fail). A row still running past the time limit lost its worker."""
    return error_text(STALLED if assessment.stalled else assessment.error)


def _validate_roles(roles: dict[str, str]) -> dict[str, str]:
    valid = set(ColumnRole.values)
    clean = {str(c): str(r) for c, r in roles.items() if str(r) in valid}
    if len(clean) != len(roles):
        raise ValidationError(_("Unknown column role."))
    measured = [r for r in clean.values() if r != ColumnRole.IGNORE]
    if not measured:
        raise ValidationError(_("Give at least one column a role other than “ignore”."))
    return clean


def _check_processing(organisation: Organisation, processing: Any) -> None:
    if processing is not None and processing.organisation_id != organisation.pk:
        raise ValidationError({"processing": _("Unknown processing activity.")})


# --- Requests (web, API) --------------------------------------------------------------


def _check_columns(upload: StoredUpload, roles: dict[str, str]) -> None:
    """A column named in the roles must be in the file: said at once (reading the header
    is quick), not minutes later by the worker."""
    try:
        header = read_header(upload.path)
    except ExtractError as error:
        raise ValidationError(str(error)) from None
    missing = [column for column in roles if column not in header]
    if missing:
        raise ValidationError(
            _("Column(s) not found in the file: %(missing)s. Columns present: %(present)s")
            % {"missing": ", ".join(missing), "present": ", ".join(header[:40])}
        )


def _enqueue(assessment_id: int) -> None:
    """Publish the assessment to the workers. With the broker down it is marked failed
    (the extract deleted) and ``QueueUnavailable`` reaches the view: 503 with
    Retry-After, in HTML and in the API (compliance/queue.py)."""
    from anonymity.tasks import assess_task

    try:
        enqueue(assess_task, (assessment_id,))
    except QueueUnavailable:
        assessment_fail(assessment_id, QUEUE_DOWN)
        raise


def assessment_request(
    *,
    actor: Actor,
    organisation: Organisation,
    upload: StoredUpload,
    roles: dict[str, str],
    k_threshold: int = 5,
    with_t_closeness: bool = False,
    processing: Any = None,
    include_undeclared: bool = False,
    in_worker: bool = True,
) -> AnonymityAssessment:
    """Queue the measure of an uploaded extract (WP216 criteria). Raises
    ``ValidationError`` on roles, k or processing it refuses (nothing is stored then and
    the caller still owns the upload); once it returns, the job owns the upload and
    deletes it when done. ``in_worker=False`` leaves the running to the caller."""
    roles = _validate_roles(roles)
    if not 1 <= k_threshold <= MAX_K_THRESHOLD:
        raise ValidationError(
            {"k_threshold": _("Choose a k between 1 and %(max)s.") % {"max": MAX_K_THRESHOLD}}
        )
    _check_processing(organisation, processing)
    _check_columns(upload, roles)
    parameters = {
        "k_threshold": k_threshold,
        "t_closeness": with_t_closeness,
        "include_undeclared": include_undeclared,
    }
    with transaction.atomic():
        assessment = AnonymityAssessment.objects.create(
            organisation=organisation,
            file_name=upload.name,
            file_sha256=upload.sha256,
            file_size=upload.size,
            file_format=upload.file_format,
            processing=processing,
            column_roles=roles,
            parameters=parameters,
            upload_token=upload.token,
            created_by=actor if isinstance(actor, User) else None,
            created_by_label=actor_label(actor)[:200],
        )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="anonymity.requested",
            target=assessment,
            changes={
                "file_name": upload.name,
                "file_sha256": upload.sha256,
                "column_roles": roles,
                "parameters": parameters,
                "processing": getattr(processing, "pk", None),
            },
        )
        if in_worker:
            transaction.on_commit(functools.partial(_enqueue, assessment.pk))
    return assessment


def assessment_create(
    *,
    actor: Actor,
    organisation: Organisation,
    upload: StoredUpload,
    roles: dict[str, str],
    k_threshold: int = 5,
    with_t_closeness: bool = False,
    processing: Any = None,
    include_undeclared: bool = False,
) -> AnonymityAssessment:
    """Request and measure at once, in this process (demo seeding, scripts). Raises
    ``ValidationError`` with the reason when the measure fails (the failed row stays)."""
    assessment = assessment_request(
        actor=actor,
        organisation=organisation,
        upload=upload,
        roles=roles,
        k_threshold=k_threshold,
        with_t_closeness=with_t_closeness,
        processing=processing,
        include_undeclared=include_undeclared,
        in_worker=False,
    )
    assessment_run(assessment.pk)
    assessment.refresh_from_db()
    if assessment.status != AssessmentStatus.DONE:
        raise ValidationError(error_text(assessment.error))
    return assessment


# --- Lifecycle (worker) ---------------------------------------------------------------


def assessment_claim(assessment_id: int) -> bool:
    """Take a queued assessment (``compliance.queue.background_job_claim``)."""
    return background_job_claim(AnonymityAssessment, assessment_id)


class _Progress:
    """Writes the progress bar's value, only when it moved (a 1M-row extract reports a
    few hundred times at most)."""

    def __init__(self, assessment_id: int) -> None:
        self.assessment_id = assessment_id
        self.last: tuple[int, str] = (-1, "")

    def __call__(self, percent: int, step: str) -> None:
        current = (max(0, min(99, percent)), step)
        if current == self.last:
            return
        self.last = current
        AnonymityAssessment.objects.filter(
            pk=self.assessment_id, status=AssessmentStatus.RUNNING
        ).update(progress=current[0], step=step)


def _upload_of(assessment: AnonymityAssessment) -> StoredUpload | None:
    return StoredUpload.from_dict(
        {
            "token": assessment.upload_token,
            "name": assessment.file_name,
            "sha256": assessment.file_sha256,
            "size": assessment.file_size,
            "file_format": assessment.file_format,
        }
    )


def _discard_upload(assessment: AnonymityAssessment) -> None:
    upload = _upload_of(assessment)
    if upload is not None:
        upload.discard()


def assessment_run(assessment_id: int) -> str:
    """Measure a queued assessment to its end (``done`` or ``failed``); safe to call
    twice: a second call finds it claimed and returns ``"not-claimed"``. Raises only
    what it cannot record (the task logs it and records a generic failure)."""
    if not assessment_claim(assessment_id):
        return "not-claimed"
    assessment = AnonymityAssessment.objects.select_related("organisation").get(pk=assessment_id)
    upload = _upload_of(assessment)
    if upload is None:
        assessment_fail(assessment_id, UPLOAD_GONE)
        return "failed"
    parameters = assessment.parameters
    try:
        # Reading and measuring take seconds to minutes: no transaction is open here.
        results = assess_file(
            upload.path,
            assessment.column_roles,
            k_threshold=int(parameters.get("k_threshold", 5)),
            with_t_closeness=bool(parameters.get("t_closeness", False)),
            include_undeclared=bool(parameters.get("include_undeclared", False)),
            progress=_Progress(assessment_id),
        )
    except ExtractError as error:
        assessment_fail(assessment_id, str(error))
        return "failed"
    except MemoryError:
        assessment_fail(assessment_id, NO_MEMORY)
        return "failed"
    finally:
        upload.discard()
    return "done" if assessment_complete(assessment, results) else "not-claimed"


def assessment_complete(assessment: AnonymityAssessment, results: dict[str, Any]) -> bool:
    """Store the results of a running assessment (``False`` if it is no longer running)."""
    with transaction.atomic():
        updated = AnonymityAssessment.objects.filter(
            pk=assessment.pk, status=AssessmentStatus.RUNNING
        ).update(
            status=AssessmentStatus.DONE,
            progress=100,
            step="",
            results=results,
            verdict=results["verdict"],
            rows=results["rows"],
            k_anonymity=results["k_anonymity"],
            upload_token="",
            finished_at=timezone.now(),
        )
        if not updated:
            return False
        audit_event_record(
            actor=WORKER_ACTOR,
            organisation=assessment.organisation,
            action="anonymity.assessed",
            target=assessment,
            changes={
                "file_name": assessment.file_name,
                "file_sha256": assessment.file_sha256,
                "rows": results["rows"],
                "verdict": results["verdict"],
                "k_anonymity": results["k_anonymity"],
                "criteria": results["criteria"],
                "processing": assessment.processing_id,
                "requested_by": assessment.created_by_label,
            },
        )
        if assessment.processing_id is not None:
            transaction.on_commit(
                functools.partial(_recompute_privacy_findings, assessment.processing)
            )
    return True


def assessment_fail(assessment_id: int, error: str) -> None:
    """Record why an assessment that has not finished failed, and delete its extract."""
    with transaction.atomic():
        assessment = (
            AnonymityAssessment.objects.select_for_update()
            .filter(
                pk=assessment_id,
                status__in=[AssessmentStatus.QUEUED, AssessmentStatus.RUNNING],
            )
            .select_related("organisation")
            .first()
        )
        if assessment is None:
            return
        previous = assessment.status
        token = assessment.upload_token
        assessment.status = AssessmentStatus.FAILED
        assessment.error = error[:2000]
        assessment.upload_token = ""
        assessment.finished_at = timezone.now()
        assessment.save(update_fields=["status", "error", "upload_token", "finished_at"])
        audit_event_record(
            actor=WORKER_ACTOR,
            organisation=assessment.organisation,
            action="anonymity.failed",
            target=assessment,
            changes={"status": [previous, AssessmentStatus.FAILED], "error": assessment.error},
        )
    assessment.upload_token = token
    _discard_upload(assessment)


def _recompute_privacy_findings(processing: Any) -> None:
    """The privacy rules read the latest linked assessment (claimed-anonymous check)."""
    if not apps.is_installed("privacy"):
        return
    try:
        from privacy.services import findings_recompute
    except ImportError:
        return
    findings_recompute(processing)


def assessment_link_processing(
    *, actor: Actor, assessment: AnonymityAssessment, processing: Any
) -> AnonymityAssessment:
    """Link (or unlink, with ``None``) an assessment to a processing activity."""
    _check_processing(assessment.organisation, processing)
    previous = assessment.processing
    with transaction.atomic():
        assessment.processing = processing
        assessment.save(update_fields=["processing"])
        audit_event_record(
            actor=actor,
            organisation=assessment.organisation,
            action="anonymity.linked",
            target=assessment,
            changes={
                "processing": [getattr(previous, "pk", None), getattr(processing, "pk", None)]
            },
        )
        for touched in {p for p in (previous, processing) if p is not None}:
            transaction.on_commit(functools.partial(_recompute_privacy_findings, touched))
    return assessment


def free_text_scan(
    *, actor: Actor, organisation: Organisation, notes: list[str], source: str
) -> tuple[list[NoteResult], dict[str, Any]]:
    """Scan notes for special categories and identifiers. Nothing is stored but an audit
    row with the counts (never the text)."""
    results = scan_notes(notes)
    summary = summarise(results)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="anonymity.free_text_scanned",
            changes={"source": source[:200], **summary},
        )
    return results, summary


def assessment_summary_text(assessment: AnonymityAssessment) -> str:
    """A plain-text record of the assessment (used as an evidence file)."""
    r = assessment.results
    lines = [
        _("Anonymity assessment #%(id)s") % {"id": assessment.pk},
        f"{_('File')}: {assessment.file_name}",
        f"SHA-256: {assessment.file_sha256}",
        f"{_('Run at')}: {assessment.created_at.isoformat()} ({assessment.created_by_label})",
        f"{_('Verdict')}: {Verdict(assessment.verdict).label}",
        f"{_('Records')}: {r['rows']}",
        f"{_('Equivalence classes')}: {r['equivalence_classes']}",
        f"k-anonymity: {r['k_anonymity']} ({_('threshold')} {r['k_threshold']})",
        f"{_('Unique records')}: {r['unique_records']}",
        f"{_('Records below k')}: {r['records_below_k']}",
        f"l-diversity: {r['l_diversity']}",
        f"{_('Prosecutor risk (max / average)')}: "
        f"{r['prosecutor_risk_max']} / {r['prosecutor_risk_avg']}",
        f"{_('Linkable columns')}: {', '.join(r['linkable_columns']) or '-'}",
        "",
    ]
    for reason in r["reasons"]:
        lines.append(f"- [{reason['criterion']}] {reason_text(reason)}")
    for step in r.get("generalisations") or []:
        lines.append(f"* {generalisation_text(step)}")
    return "\n".join(str(line) for line in lines) + "\n"


def assessment_to_evidence(
    *, actor: User | ApiKey, assessment: AnonymityAssessment
) -> models.Model:
    """File the assessment as an evidence item (a text record of its numbers, verdict,
    reasons and the SHA-256 of the extract) through the evidence app's service."""
    if not apps.is_installed("evidence"):
        raise ValidationError(_("The evidence register is not available."))
    if assessment.status != AssessmentStatus.DONE:
        raise ValidationError(_("Only a finished assessment can be filed as evidence."))
    from evidence.services.evidence import evidence_create

    body = assessment_summary_text(assessment).encode("utf-8")
    attachment = SimpleUploadedFile(
        f"anonymity-assessment-{assessment.pk}.txt", body, content_type="text/plain"
    )
    return evidence_create(
        actor=actor,
        organisation=assessment.organisation,
        title=_("Anonymity assessment: %(name)s (%(verdict)s)")
        % {"name": assessment.file_name, "verdict": Verdict(assessment.verdict).label},
        description=_("WP29 Opinion 05/2014 criteria measured on %(rows)s records.")
        % {"rows": assessment.rows},
        files=[attachment],
        collected_on=timezone.localdate(assessment.created_at)
        if assessment.created_at
        else datetime.date.today(),
    )


def assessments_sweep(
    *, lost_after: datetime.timedelta = datetime.timedelta(minutes=5)
) -> dict[str, list[int]]:
    """Every five minutes (beat): assessments whose message a Redis restart lost are
    published again, those whose worker died are recorded as failed."""
    from anonymity.tasks import assess_task

    return background_jobs_sweep(
        AnonymityAssessment,
        task=assess_task,
        fail=assessment_fail,
        stalled_error=STALLED,
        lost_after=lost_after,
        stalled_after=datetime.timedelta(seconds=task_time_limit()) + STALL_MARGIN,
    )
