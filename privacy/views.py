"""Pages of the processing register (GDPR Art. 30) and the Article 66 routes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from compliance.jobs import job_progress, job_progress_response
from compliance.models import Membership
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view
from privacy import interop, services
from privacy.choices import SEVERITY_ORDER, ImportStatus, RouteKind
from privacy.filters import ProcessingFilter
from privacy.forms import ImportForm, ProcessingForm, ProcessorForm, RecipientForm, RouteForm
from privacy.imports import import_error_text, register_import_request
from privacy.models import (
    Article66Route,
    ProcessingActivity,
    Processor,
    Recipient,
    RegisterImport,
)
from privacy.rules import RULES, references_label
from privacy.selectors import (
    privacy_alerts,
    register_queryset,
    route_of,
    sorted_findings,
    worst_severity,
)


def _processings(membership: Membership) -> Any:
    return ProcessingActivity.objects.for_membership(membership)


def _processing(request: HttpRequest, pk: int) -> ProcessingActivity:
    return get_object_or_404(
        register_queryset(_processings(current_membership(request))).select_related("organisation"),
        pk=pk,
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _slug(request: HttpRequest) -> str:
    return current_membership(request).organisation.slug


def _detail_url(request: HttpRequest, processing: ProcessingActivity) -> str:
    return reverse("register_processing", args=[_slug(request), processing.pk])


def _line(processing: ProcessingActivity) -> dict[str, Any]:
    findings = sorted_findings(list(processing.findings.all()))
    return {
        "processing": processing,
        "route": route_of(processing),
        "findings": findings,
        "worst": worst_severity(findings),
    }


@organisation_view(Permission.VIEW_REGISTER)
def register_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    filterset = ProcessingFilter(request.GET or None, queryset=_processings(membership))
    processings = (
        filterset.qs if filterset.is_bound and filterset.is_valid() else _processings(membership)
    )
    lines = [_line(p) for p in register_queryset(processings)]
    alerts = privacy_alerts(membership.organisation)
    return render(
        request,
        "privacy/register_list.html",
        {
            "lines": lines,
            "filter": filterset,
            "alerts": alerts,
            "severities": [(s, alerts.findings_by_severity[s.value]) for s in SEVERITY_ORDER],
            "can_edit": membership.has_perm(Permission.EDIT_REGISTER),
            "filtered": bool(request.GET),
        },
    )


def _processing_form_page(
    request: HttpRequest, processing: ProcessingActivity | None
) -> HttpResponse:
    membership = current_membership(request)
    form = ProcessingForm(request.POST or None, instance=processing)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROCESSING_FIELDS}
        try:
            if processing is None:
                processing = services.processing_create(
                    actor=acting_user(request), organisation=membership.organisation, **fields
                )
                messages.success(request, _("Processing added to the register."))
            else:
                processing = services.processing_update(
                    actor=acting_user(request), processing=processing, **fields
                )
                messages.success(request, _("Processing saved."))
            return redirect(_detail_url(request, processing))
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "privacy/processing_form.html", {"form": form, "processing": processing})


@organisation_view(Permission.EDIT_REGISTER)
def processing_new(request: HttpRequest) -> HttpResponse:
    return _processing_form_page(request, None)


@organisation_view(Permission.EDIT_REGISTER)
def processing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _processing_form_page(request, _processing(request, pk))


@organisation_view(Permission.VIEW_REGISTER)
def processing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    processing = _processing(request, pk)
    line = _line(processing)
    processors = Processor.objects.for_membership(membership)
    return render(
        request,
        "privacy/processing_detail.html",
        {
            **line,
            "findings": [
                {"finding": f, "references": references_label(f.article)} for f in line["findings"]
            ],
            "dpia_cases": processing.dpia_required(),
            "recipient_form": RecipientForm(processors=processors, prefix="recipient"),
            "can_edit": membership.has_perm(Permission.EDIT_REGISTER),
            "today": timezone.localdate(),
        },
    )


@organisation_view(Permission.EDIT_REGISTER)
def processing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    processing = _processing(request, pk)
    if request.method == "POST":
        services.processing_delete(actor=acting_user(request), processing=processing)
        messages.success(request, _("Processing removed from the register."))
        return redirect("register_list", _slug(request))
    return render(
        request,
        "privacy/confirm.html",
        {
            "title": _("Remove this processing from the register?"),
            "text": _(
                "Its recipients, its Article 66 route and its findings go with it. The audit "
                "trail keeps the record."
            ),
            "object": processing,
            "cancel": _detail_url(request, processing),
        },
    )


@organisation_view(Permission.EDIT_REGISTER)
@require_POST
def recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    processing = _processing(request, pk)
    form = RecipientForm(
        request.POST, processors=Processor.objects.for_membership(membership), prefix="recipient"
    )
    if form.is_valid():
        try:
            services.recipient_add(
                actor=acting_user(request),
                processing=processing,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                processor=form.cleaned_data["processor"],
                location=form.cleaned_data["location"],
            )
            messages.success(request, _("Recipient added."))
            return redirect(_detail_url(request, processing))
        except ValidationError as error:
            _apply_errors(form, error)
    line = _line(processing)
    return render(
        request,
        "privacy/processing_detail.html",
        {
            **line,
            "findings": [
                {"finding": f, "references": references_label(f.article)} for f in line["findings"]
            ],
            "dpia_cases": processing.dpia_required(),
            "recipient_form": form,
            "can_edit": True,
            "today": timezone.localdate(),
        },
        status=400,
    )


@organisation_view(Permission.EDIT_REGISTER)
def recipient_remove(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    processing = _processing(request, pk)
    recipient = get_object_or_404(
        Recipient.objects.select_related("processing__organisation"),
        pk=recipient_pk,
        processing=processing,
    )
    if request.method == "POST":
        services.recipient_remove(actor=acting_user(request), recipient=recipient)
        messages.success(request, _("Recipient removed."))
        return redirect(_detail_url(request, processing))
    return render(
        request,
        "privacy/confirm.html",
        {
            "title": _("Remove this recipient?"),
            "text": _("The findings of the processing are recomputed without it."),
            "object": recipient,
            "cancel": _detail_url(request, processing),
        },
    )


@organisation_view(Permission.EDIT_REGISTER)
def route_edit(request: HttpRequest, pk: int) -> HttpResponse:
    processing = _processing(request, pk)
    route = route_of(processing)
    form = RouteForm(request.POST or None, instance=route)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.ROUTE_FIELDS}
        try:
            services.route_set(actor=acting_user(request), processing=processing, **fields)
            messages.success(request, _("Article 66 route saved."))
            return redirect(_detail_url(request, processing))
        except ValidationError as error:
            _apply_errors(form, error)
    return render(
        request,
        "privacy/route_form.html",
        {"form": form, "processing": processing, "route": route, "kinds": RouteKind},
    )


@organisation_view(Permission.EDIT_REGISTER)
def route_delete(request: HttpRequest, pk: int) -> HttpResponse:
    processing = _processing(request, pk)
    route = get_object_or_404(Article66Route, processing=processing)
    if request.method == "POST":
        services.route_delete(actor=acting_user(request), route=route)
        messages.success(request, _("Article 66 route removed."))
        return redirect(_detail_url(request, processing))
    return render(
        request,
        "privacy/confirm.html",
        {
            "title": _("Remove the Article 66 route?"),
            "text": _("The processing will be flagged again until a route is recorded."),
            "object": route,
            "cancel": _detail_url(request, processing),
        },
    )


# --- Processors ---------------------------------------------------------------------------


@organisation_view(Permission.VIEW_REGISTER)
def processor_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    processors = Processor.objects.for_membership(membership).prefetch_related(
        "recipients__processing"
    )
    return render(
        request,
        "privacy/processor_list.html",
        {
            "processors": processors,
            "today": timezone.localdate(),
            "can_edit": membership.has_perm(Permission.EDIT_REGISTER),
        },
    )


def _processor_form_page(request: HttpRequest, processor: Processor | None) -> HttpResponse:
    membership = current_membership(request)
    form = ProcessorForm(request.POST or None, instance=processor)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROCESSOR_FIELDS}
        try:
            if processor is None:
                services.processor_create(
                    actor=acting_user(request), organisation=membership.organisation, **fields
                )
            else:
                services.processor_update(actor=acting_user(request), processor=processor, **fields)
            messages.success(request, _("Processor saved."))
            return redirect("register_processors", membership.organisation.slug)
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "privacy/processor_form.html", {"form": form, "processor": processor})


@organisation_view(Permission.EDIT_REGISTER)
def processor_new(request: HttpRequest) -> HttpResponse:
    return _processor_form_page(request, None)


@organisation_view(Permission.EDIT_REGISTER)
def processor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    processor = get_object_or_404(
        Processor.objects.for_membership(current_membership(request)), pk=pk
    )
    return _processor_form_page(request, processor)


@organisation_view(Permission.EDIT_REGISTER)
def processor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    processor = get_object_or_404(
        Processor.objects.for_membership(current_membership(request)).select_related(
            "organisation"
        ),
        pk=pk,
    )
    if request.method == "POST":
        try:
            services.processor_delete(actor=acting_user(request), processor=processor)
            messages.success(request, _("Processor removed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("register_processors", _slug(request))
    return render(
        request,
        "privacy/confirm.html",
        {
            "title": _("Remove this processor?"),
            "text": _("Only a processor that receives no data can be removed."),
            "object": processor,
            "cancel": reverse("register_processors", args=[_slug(request)]),
        },
    )


# --- Rules, import, export ----------------------------------------------------------------


@organisation_view(Permission.VIEW_REGISTER)
def rules_page(request: HttpRequest) -> HttpResponse:
    counts: dict[str, int] = {}
    for code in current_membership(request).organisation.privacy_findings.values_list(
        "rule_code", flat=True
    ):
        counts[code] = counts.get(code, 0) + 1
    rules = [
        {"rule": r, "references": r.references_label(), "count": counts.get(r.code, 0)}
        for r in RULES
    ]
    return render(request, "privacy/rules.html", {"rules": rules})


RECENT_IMPORTS = 5


@organisation_view(Permission.EDIT_REGISTER)
def register_import(request: HttpRequest) -> HttpResponse:
    """Upload a file: a worker checks and applies it while the next page shows the
    progress (privacy.imports)."""
    membership = current_membership(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[interop.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > interop.MAX_UPLOAD_BYTES:
            errors = [interop.RowError(0, "", _("The file is larger than 2 MB."))]
        else:
            job = register_import_request(
                actor=acting_user(request),
                organisation=membership.organisation,
                upload=upload,
                language=translation.get_language() or "fr",
            )
            return redirect("register_import_detail", membership.organisation.slug, job.pk)
    status = 400 if errors else 200
    recent = RegisterImport.objects.for_membership(membership).defer("row_errors")
    return render(
        request,
        "privacy/import.html",
        {"form": form, "errors": errors, "recent": list(recent[:RECENT_IMPORTS])},
        status=status,
    )


def _import_job_context(job: RegisterImport, slug: str) -> dict[str, Any]:
    """What components/_job_progress.html needs (the page and the polled fragment)."""
    return {
        "job": job,
        "job_error": import_error_text(job),
        "job_note": _(
            "The import goes on if you leave this page; reload it later to see the result."
        ),
        "poll_url": reverse("register_import_progress", args=[slug, job.pk]),
    }


@organisation_view(Permission.EDIT_REGISTER)
@require_GET
def register_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's progress, then what it did, or every row error (nothing imported)."""
    membership = current_membership(request)
    job = get_object_or_404(RegisterImport.objects.for_membership(membership), pk=pk)
    return render(
        request,
        "privacy/import_detail.html",
        {
            "import": job,
            "errors": job.row_errors,
            "done_message": _("Import done: %(created)s processing(s) added, %(updated)s updated.")
            % {"created": job.created_count, "updated": job.updated_count},
            "form": ImportForm() if job.is_finished and job.status != ImportStatus.DONE else None,
            **_import_job_context(job, membership.organisation.slug),
        },
    )


@organisation_view(Permission.EDIT_REGISTER)
@require_GET
def register_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every 2 s; once the import is over, htmx is
    told to reload the page, which shows the result or the row errors."""
    membership = current_membership(request)
    # Queries: the session, the user, the membership (organisation_view), the import's
    # progress (not its row errors).
    job = job_progress(RegisterImport.objects.for_membership(membership), pk)
    if job is None:
        raise Http404
    return job_progress_response(
        request, job, _import_job_context(job, membership.organisation.slug)
    )


@organisation_view(Permission.VIEW_REGISTER)
def register_export(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    language = request.GET.get("lang") or ""
    if language not in ("fr", "en"):
        language = (translation.get_language() or "fr")[:2]
    processings = list(register_queryset(_processings(membership)))
    slug = membership.organisation.slug
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        title = _("%(organisation)s: processing register") % {
            "organisation": membership.organisation.name
        }
        body = interop.register_to_xlsx(processings, language, title)
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="register-{slug}-{stamp}-{language}.xlsx"'
        )
        return response
    response = HttpResponse(
        interop.register_to_csv(processings, language), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="register-{slug}-{stamp}-{language}.csv"'
    )
    return response
