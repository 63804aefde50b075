"""Writes of the anonymity app: each in one transaction with its audit-trail row.

The measure itself (reading and hashing the file, computing the metrics, scanning free
text) runs *before* the transaction: it is slow, and only a complete result is ever
written, so a file that cannot be read leaves no assessment behind.
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

from anonymity.choices import ColumnRole, Verdict
from anonymity.engine.reader import ExtractError
from anonymity.engine.run import assess_file
from anonymity.messages import generalisation_text, reason_text
from anonymity.models import AnonymityAssessment
from anonymity.scanner.scan import NoteResult, scan_notes, summarise
from anonymity.uploads import StoredUpload
from compliance.models import ApiKey, Organisation, User
from compliance.services.audit_trail import Actor, actor_label, audit_event_record

MAX_K_THRESHOLD = 1000


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
    """Measure an uploaded extract and store the complete assessment (WP216 criteria)."""
    roles = _validate_roles(roles)
    if not 1 <= k_threshold <= MAX_K_THRESHOLD:
        raise ValidationError(
            {"k_threshold": _("Choose a k between 1 and %(max)s.") % {"max": MAX_K_THRESHOLD}}
        )
    _check_processing(organisation, processing)
    try:
        results = assess_file(
            upload.path,
            roles,
            k_threshold=k_threshold,
            with_t_closeness=with_t_closeness,
            include_undeclared=include_undeclared,
        )
    except ExtractError as error:
        raise ValidationError(str(error)) from None
    except MemoryError:
        raise ValidationError(_("Not enough memory to assess this file.")) from None
    parameters = {"k_threshold": k_threshold, "t_closeness": with_t_closeness}
    with transaction.atomic():
        assessment = AnonymityAssessment(
            organisation=organisation,
            file_name=upload.name,
            file_sha256=upload.sha256,
            file_size=upload.size,
            file_format=upload.file_format,
            column_roles=roles,
            parameters=parameters,
            results=results,
            verdict=results["verdict"],
            rows=results["rows"],
            k_anonymity=results["k_anonymity"],
            created_by=actor if isinstance(actor, User) else None,
            created_by_label=actor_label(actor)[:200],
        )
        if processing is not None:
            assessment.processing = processing
        assessment.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="anonymity.assessed",
            target=assessment,
            changes={
                "file_name": upload.name,
                "file_sha256": upload.sha256,
                "rows": results["rows"],
                "verdict": results["verdict"],
                "k_anonymity": results["k_anonymity"],
                "criteria": results["criteria"],
                "processing": getattr(processing, "pk", None),
            },
        )
        if processing is not None:
            transaction.on_commit(lambda: _recompute_privacy_findings(processing))
    return assessment


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
