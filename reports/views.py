"""Pages of the PDF documents: request, follow the rendering live, list, download."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audits.models import Audit
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view, safe_next
from controls.models import SoaVersion
from reports import registry
from reports.choices import DocumentLanguage, JobStatus
from reports.filters import ReportJobFilter
from reports.models import ReportJob
from reports.services import bundle_stream, report_request, report_retry

PARAMETER_PREFIX = "param_"
# Requested from the documents page; other apps' kinds are requested from their own pages.
LISTED_KINDS = ("soa", "evidence_pack", "remediation_plan")


def _jobs(request: HttpRequest) -> QuerySet[ReportJob]:
    return ReportJob.objects.for_membership(current_membership(request))


def _job(request: HttpRequest, pk: int) -> ReportJob:
    return get_object_or_404(_jobs(request).select_related("organisation"), pk=pk)


def job_status_payload(job: ReportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "error": job.error,
        "sha256": job.sha256,
        "finished": job.is_finished,
    }


@organisation_view(Permission.VIEW_REPORTS)
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    filterset = ReportJobFilter(request.GET or None, queryset=_jobs(request).defer("manifest"))
    # Query 1: the count, query 2: the page (no relation is shown, so no join).
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    versions: list[int] = []
    audits: list[tuple[int, str]] = []
    if membership.has_perm(Permission.REQUEST_REPORTS):
        versions = list(
            SoaVersion.objects.for_membership(membership).values_list("number", flat=True)
        )
        audits = list(Audit.objects.for_membership(membership).values_list("pk", "title"))
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "filter": filterset,
            "kinds": [d for d in registry.document_kinds() if d.kind in LISTED_KINDS],
            "labels": {document.kind: document.label for document in registry.document_kinds()},
            "soa_versions": versions,
            "audits": audits,
            "languages": DocumentLanguage.choices,
            "can_request": membership.has_perm(Permission.REQUEST_REPORTS),
        },
    )


@organisation_view(Permission.REQUEST_REPORTS)
@require_POST
def report_request_view(request: HttpRequest) -> HttpResponse:
    """Queue a document. Other pages post here (kind, language, ``param_<name>`` fields)
    so that their buttons need no code of this app."""
    membership = current_membership(request)
    parameters = {
        key.removeprefix(PARAMETER_PREFIX): value
        for key, value in request.POST.items()
        if key.startswith(PARAMETER_PREFIX)
    }
    back = safe_next(request, reverse("report_list", args=[membership.organisation.slug]))
    try:
        job = report_request(
            actor=acting_user(request),
            organisation=membership.organisation,
            kind=request.POST.get("kind", ""),
            parameters=parameters,
            language=request.POST.get("language") or DocumentLanguage.FRENCH,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("The document is being prepared."))
    return redirect("report_detail", org_slug=membership.organisation.slug, pk=job.pk)


@organisation_view(Permission.VIEW_REPORTS)
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    job = _job(request, pk)
    document = registry.get_document(job.kind)
    return render(
        request,
        "reports/report_detail.html",
        {
            "job": job,
            "label": document.label if document else job.kind,
            "bundle": bool(document and document.bundle),
            "items": job.manifest.get("items", []),
            "can_request": membership.has_perm(Permission.REQUEST_REPORTS),
        },
    )


@organisation_view(Permission.VIEW_REPORTS)
@require_GET
def report_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by the progress bar (static/js/report-progress.js)."""
    return JsonResponse(job_status_payload(_job(request, pk)))


def _require_done(job: ReportJob) -> None:
    if job.status != JobStatus.DONE or not job.file:
        raise Http404


@organisation_view(Permission.VIEW_REPORTS)
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    _require_done(job)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.download_name,
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = job.sha256
    # organisation_view is typed for HttpResponse; a streamed file is answered the same way.
    return cast(HttpResponse, response)


@organisation_view(Permission.VIEW_REPORTS)
@require_GET
def report_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    _require_done(job)
    response = FileResponse(
        bundle_stream(job),
        as_attachment=True,
        filename=job.download_name.removesuffix(".pdf") + "-bundle.zip",
        content_type="application/zip",
    )
    return cast(HttpResponse, response)


@organisation_view(Permission.REQUEST_REPORTS)
@require_POST
def report_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        report_retry(actor=acting_user(request), job=job)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("report_detail", org_slug=job.organisation.slug, pk=job.pk)
