"""Pages under /o/<org_slug>/anonymity/: upload, confirm the roles, results, list, scan."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anonymity.choices import ColumnRole, Criterion, Verdict
from anonymity.engine.reader import ExtractError, read_extract, read_sample, read_text_lines
from anonymity.engine.roles import suggest_roles
from anonymity.forms import RolesForm, ScanForm, UploadForm
from anonymity.messages import CATEGORY_LABELS, IDENTIFIER_LABELS, generalisation_text, reason_text
from anonymity.models import AnonymityAssessment
from anonymity.selectors import assessments_list
from anonymity.services import (
    assessment_error_text,
    assessment_request,
    assessment_to_evidence,
    free_text_scan,
)
from anonymity.uploads import StoredUpload, store_upload
from compliance.jobs import job_progress, job_progress_response
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view

PENDING_KEY = "anonymity_pending"
MAX_PENDING = 5
MAX_SHOWN_NOTES = 200
MAX_SCAN_NOTES = 20_000


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(str(m) for msgs in error.message_dict.values() for m in msgs)
    return " ".join(str(m) for m in error.messages)


@organisation_view(Permission.VIEW_REGISTER)
def assessment_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    assessments = assessments_list(AnonymityAssessment.objects.for_membership(membership))
    return render(
        request,
        "anonymity/assessment_list.html",
        {
            "assessments": list(assessments[:200]),
            "can_run": membership.has_perm(Permission.RUN_ANONYMITY_ASSESSMENTS),
        },
    )


@organisation_view(Permission.RUN_ANONYMITY_ASSESSMENTS)
def assessment_new(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = store_upload(form.cleaned_data["file"])
        except ExtractError as error:
            form.add_error("file", str(error))
            return render(request, "anonymity/assessment_new.html", {"form": form})
        try:
            sample = read_sample(upload.path)
        except ExtractError as error:
            upload.discard()  # refused: nothing of the file is kept
            form.add_error("file", str(error))
        else:
            if sample.columns.empty:
                upload.discard()
                form.add_error("file", _("The file has no columns."))
            else:
                pending = dict(request.session.get(PENDING_KEY, {}))
                for token in list(pending)[: max(0, len(pending) - MAX_PENDING + 1)]:
                    old = StoredUpload.from_dict(pending.pop(token))
                    if old is not None:
                        old.discard()
                pending[upload.token] = {
                    **upload.as_dict(),
                    "organisation": membership.organisation_id,
                    "columns": suggest_roles(sample),
                }
                request.session[PENDING_KEY] = pending
                return redirect("anonymity_roles", membership.organisation.slug, upload.token)
    return render(request, "anonymity/assessment_new.html", {"form": form})


def _pending(request: HttpRequest, token: str) -> tuple[StoredUpload, dict[str, Any]]:
    membership = current_membership(request)
    data = request.session.get(PENDING_KEY, {}).get(token)
    if not data or data.get("organisation") != membership.organisation_id:
        raise Http404
    upload = StoredUpload.from_dict(data)
    if upload is None:
        raise Http404
    return upload, data


def _processing(membership: Any, value: str | None) -> Any:
    if not value:
        return None
    from privacy.models import ProcessingActivity

    return (
        ProcessingActivity.objects.filter(organisation_id=membership.organisation_id, pk=value)
        .select_related("organisation")
        .first()
    )


@organisation_view(Permission.RUN_ANONYMITY_ASSESSMENTS)
def assessment_roles(request: HttpRequest, token: str) -> HttpResponse:
    membership = current_membership(request)
    upload, data = _pending(request, token)
    form = RolesForm(
        request.POST or None, columns=data["columns"], organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            # Queued for a worker: the page answers now and shows the progress.
            assessment = assessment_request(
                actor=acting_user(request),
                organisation=membership.organisation,
                upload=upload,
                roles=form.roles(),
                k_threshold=form.cleaned_data["k_threshold"],
                with_t_closeness=form.cleaned_data["t_closeness"],
                processing=_processing(membership, form.cleaned_data.get("processing")),
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            # The job owns the extract now (the worker deletes it): not ours to discard.
            pending = dict(request.session.get(PENDING_KEY, {}))
            pending.pop(token, None)
            request.session[PENDING_KEY] = pending
            return redirect("anonymity_detail", membership.organisation.slug, assessment.pk)
    return render(
        request,
        "anonymity/assessment_roles.html",
        {"form": form, "upload": upload},
    )


def _side(results: dict[str, Any] | None) -> dict[str, Any] | None:
    if not results:
        return None
    by_criterion: dict[str, list[str]] = {c.value: [] for c in Criterion}
    for reason in results.get("reasons", []):
        by_criterion.setdefault(reason["criterion"], []).append(reason_text(reason))
    return {
        **results,
        "criteria_rows": [
            {
                "code": c.value,
                "label": c.label,
                "at_risk": results["criteria"].get(c.value, False),
                "reasons": by_criterion.get(c.value, []),
            }
            for c in Criterion
        ],
        "l_rows": sorted(results.get("l_diversity", {}).items()),
        "t_rows": sorted((results.get("t_closeness") or {}).items()),
    }


def _compare(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The numbers as rows, as uploaded and after the generalisations, side by side."""
    if before is None:
        return []
    verdicts = dict(Verdict.choices)

    def cell(side: dict[str, Any] | None, key: str) -> Any:
        if side is None:
            return ""
        value = side.get(key)
        if key == "verdict":
            return verdicts.get(str(value), value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "—"
        return value

    rows = [
        (_("Verdict"), "verdict"),
        (_("Records"), "rows"),
        (_("Quasi-identifiers"), "quasi_identifiers"),
        (_("Equivalence classes"), "equivalence_classes"),
        ("k-anonymity", "k_anonymity"),
        (_("Unique records"), "unique_records"),
        (_("Records below k"), "records_below_k"),
        (_("Prosecutor risk (highest)"), "prosecutor_risk_max"),
        (_("Prosecutor risk (average)"), "prosecutor_risk_avg"),
        (_("Marketer risk"), "marketer_risk"),
        (_("Linkable columns"), "linkable_columns"),
    ]
    out = [
        {"label": label, "before": cell(before, key), "after": cell(after, key)}
        for label, key in rows
    ]
    for column, value in before.get("l_rows", []):
        out.append(
            {
                "label": f"l-diversity · {column}",
                "before": value,
                "after": (after or {}).get("l_diversity", {}).get(column, "—"),
            }
        )
    for column, value in before.get("t_rows", []):
        out.append(
            {
                "label": f"t-closeness · {column}",
                "before": value,
                "after": ((after or {}).get("t_closeness") or {}).get(column, "—"),
            }
        )
    out.insert(
        4,
        {
            "label": _("k threshold"),
            "before": before.get("k_threshold"),
            "after": (after or {}).get("k_threshold", ""),
        },
    )
    return out


def _job_context(assessment: AnonymityAssessment, slug: str) -> dict[str, Any]:
    """What components/_job_progress.html needs (the page and the polled fragment)."""
    return {
        "job": assessment,
        "job_error": assessment_error_text(assessment),
        "job_note": _(
            "The assessment goes on if you leave this page; reload it later to see the results."
        ),
        "poll_url": reverse("anonymity_progress", args=[slug, assessment.pk]),
    }


@organisation_view(Permission.VIEW_REGISTER)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    assessment = get_object_or_404(
        assessments_list(AnonymityAssessment.objects.for_membership(membership)).defer(None),
        pk=pk,
    )
    roles = [
        (column, dict(ColumnRole.choices).get(role, role))
        for column, role in assessment.column_roles.items()
    ]
    if not assessment.is_done:
        return render(
            request,
            "anonymity/assessment_detail.html",
            {
                "assessment": assessment,
                "roles": roles,
                "can_run": membership.has_perm(Permission.RUN_ANONYMITY_ASSESSMENTS),
                **_job_context(assessment, membership.organisation.slug),
            },
        )
    results = assessment.results
    free_text = [
        {
            "column": column,
            "summary": summary,
            "categories": [
                (CATEGORY_LABELS.get(k, k), v) for k, v in summary["categories"].items() if v
            ],
            "identifiers": [
                (IDENTIFIER_LABELS.get(k, k), v) for k, v in summary["identifiers"].items() if v
            ],
        }
        for column, summary in (results.get("free_text") or {}).items()
    ]
    before, after = _side(results), _side(results.get("rerun"))
    return render(
        request,
        "anonymity/assessment_detail.html",
        {
            "assessment": assessment,
            "before": before,
            "after": after,
            "compare": _compare(before, after),
            "roles": roles,
            "generalisations": [generalisation_text(s) for s in results.get("generalisations", [])],
            "free_text": free_text,
            "can_run": membership.has_perm(Permission.RUN_ANONYMITY_ASSESSMENTS),
            "can_file_evidence": membership.has_perm(Permission.ADD_EVIDENCE),
        },
    )


@organisation_view(Permission.VIEW_REGISTER)
@require_GET
def assessment_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every 2 s (components/_job_progress.html).
    Once the measure is over, htmx is told to reload the page, which shows the results
    or the error."""
    membership = current_membership(request)
    # Queries: the session, the user, the membership (organisation_view), the assessment.
    assessment = job_progress(AnonymityAssessment.objects.for_membership(membership), pk)
    if assessment is None:
        raise Http404
    return job_progress_response(
        request, assessment, _job_context(assessment, membership.organisation.slug)
    )


@require_POST
@organisation_view(Permission.ADD_EVIDENCE)
def assessment_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    assessment = get_object_or_404(AnonymityAssessment.objects.for_membership(membership), pk=pk)
    try:
        assessment_to_evidence(actor=acting_user(request), assessment=assessment)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The assessment was filed as evidence."))
    return redirect("anonymity_detail", membership.organisation.slug, assessment.pk)


def _split_notes(text: str) -> list[str]:
    notes = [n.strip() for n in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return [n for n in notes if n]


@organisation_view(Permission.RUN_ANONYMITY_ASSESSMENTS)
def free_text_scan_page(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = ScanForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        notes: list[str] = []
        source = "paste"
        upload_file = form.cleaned_data.get("file")
        try:
            if upload_file is not None:
                upload = store_upload(upload_file)
                source = upload.name
                try:
                    column = form.cleaned_data.get("column", "").strip()
                    if column:
                        notes = read_extract(upload.path, [column])[column].tolist()
                    else:
                        notes = _split_notes(read_text_lines(upload.path.read_bytes()))
                finally:
                    upload.discard()
            else:
                notes = _split_notes(form.cleaned_data["text"])
        except ExtractError as error:
            form.add_error("file" if upload_file is not None else "text", str(error))
        else:
            if len(notes) > MAX_SCAN_NOTES:
                form.add_error(
                    None,
                    _("At most %(n)s notes per scan here; use the command or the API for more.")
                    % {"n": MAX_SCAN_NOTES},
                )
            else:
                results, summary = free_text_scan(
                    actor=acting_user(request),
                    organisation=membership.organisation,
                    notes=notes,
                    source=source,
                )
                context["results"] = [
                    {
                        "row": r.row,
                        "categories": [CATEGORY_LABELS.get(c, c) for c in r.categories],
                        "identifiers": [IDENTIFIER_LABELS.get(i, i) for i in r.identifiers],
                        "redacted": r.redacted,
                    }
                    for r in results[:MAX_SHOWN_NOTES]
                ]
                context["summary"] = summary
                context["summary_categories"] = [
                    (CATEGORY_LABELS[k], v) for k, v in summary["categories"].items()
                ]
                context["summary_identifiers"] = [
                    (IDENTIFIER_LABELS[k], v) for k, v in summary["identifiers"].items()
                ]
                context["truncated"] = len(results) > MAX_SHOWN_NOTES
    return render(request, "anonymity/free_text_scan.html", context)
