"""Evidence pages under /o/<org_slug>/evidence/: list, detail, create, new revisions,
requirements, download. Uploads stream through ``evidence.uploads``."""

from __future__ import annotations

import functools
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from compliance.permissions import Permission
from compliance.views.base import ViewFunc, acting_user, current_membership, organisation_view
from controls.models import Requirement
from evidence.choices import EvidenceState
from evidence.downloads import revision_response
from evidence.filters import EvidenceFilter
from evidence.forms import EvidenceForm, LinkForm, RequirementLinkForm, RevisionForm
from evidence.models import Evidence, EvidenceRevision
from evidence.selectors import integrity_summary, with_detail, with_list_details
from evidence.services import (
    evidence_create,
    evidence_link_update,
    evidence_requirement_unlink,
    evidence_requirements_link,
    revision_add,
)
from evidence.uploads import UploadTooLarge, install_handler


def too_large_response(request: HttpRequest, reason: UploadTooLarge) -> HttpResponse:
    return render(request, "evidence/too_large.html", {"reason": reason}, status=413)


def streamed_upload(view: ViewFunc) -> ViewFunc:
    """Read a POST body through the evidence upload handler (limits enforced as it
    streams; 413 past them), then check CSRF on the parsed form and run the view.

    CSRF is checked here rather than by the middleware because the middleware would read
    the body first, with Django's default handlers."""
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            handler = install_handler(request)
            try:
                request.POST  # noqa: B018 - parse now, through the handler
            except MultiPartParserError:
                handler.discard()
                return HttpResponse(_("The upload could not be read."), status=400)
            if handler.too_large is not None:
                handler.discard()
                return too_large_response(request, handler.too_large)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _items(request: HttpRequest) -> Any:
    return Evidence.objects.for_membership(current_membership(request))


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        target = "files" if "files" in form.fields else None
        for message in error.messages:
            form.add_error(target, message)


@organisation_view(Permission.VIEW_EVIDENCE)
def evidence_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    filterset = EvidenceFilter(request.GET, queryset=with_list_details(_items(request)))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/list.html",
        {
            "page": page,
            "filterset": filterset,
            "states": EvidenceState.choices,
            "today": timezone.localdate(),
            "can_add": membership.has_perm(Permission.ADD_EVIDENCE),
            "integrity": integrity_summary(EvidenceRevision.objects.for_membership(membership)),
        },
    )


@organisation_view(Permission.ADD_EVIDENCE)
@streamed_upload
@require_http_methods(["GET", "POST"])
def evidence_new(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence = evidence_create(
                    actor=acting_user(request),
                    organisation=membership.organisation,
                    title=data["title"],
                    description=data["description"],
                    url=data["url"],
                    requirements=form.selected_requirements(),
                    files=data["files"],
                    collected_on=data["collected_on"],
                    expires_on=data["expires_on"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Evidence “%(title)s” saved.") % {"title": evidence})
                return redirect(
                    "evidence_detail", org_slug=membership.organisation.slug, pk=evidence.pk
                )
        status = 400
    else:
        initial: dict[str, Any] = {}
        requirement = request.GET.get("requirement", "")
        if requirement.isdigit():
            initial["requirements"] = [int(requirement)]
        form = EvidenceForm(initial=initial)
        status = 200
    return render(
        request, "evidence/new.html", {"form": form, "limits": limits_mb()}, status=status
    )


def limits_mb() -> dict[str, str]:
    return {
        "file": f"{settings.EGIDE_EVIDENCE_MAX_FILE_BYTES / (1024 * 1024):g}",
        "request": f"{settings.EGIDE_EVIDENCE_MAX_REQUEST_BYTES / (1024 * 1024):g}",
    }


def _detail(
    request: HttpRequest,
    evidence: Evidence,
    *,
    revision_form: RevisionForm | None = None,
    link_form: LinkForm | None = None,
    requirement_form: RequirementLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = current_membership(request)
    can_add = membership.has_perm(Permission.ADD_EVIDENCE)
    context: dict[str, Any] = {
        "evidence": evidence,
        "today": timezone.localdate(),
        "can_add": can_add,
        # Lists prefetched by evidence.selectors.with_detail (_get_evidence).
        "revisions": evidence.revision_list,  # type: ignore[attr-defined]
        "requirements": evidence.linked_requirements,  # type: ignore[attr-defined]
    }
    if can_add:
        context["revision_form"] = revision_form or RevisionForm()
        context["link_form"] = link_form or LinkForm(
            initial={
                "url": evidence.url,
                "collected_on": evidence.collected_on,
                "expires_on": evidence.expires_on,
            }
        )
        context["requirement_form"] = requirement_form or RequirementLinkForm()
    return render(request, "evidence/detail.html", context, status=status)


def _get_evidence(request: HttpRequest, pk: int) -> Evidence:
    return get_object_or_404(with_detail(_items(request)), pk=pk)


@organisation_view(Permission.VIEW_EVIDENCE)
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_evidence(request, pk))


@organisation_view(Permission.ADD_EVIDENCE)
@streamed_upload
@require_POST
def revision_upload(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_evidence(request, pk)
    form = RevisionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            revisions = revision_add(
                actor=acting_user(request),
                evidence=evidence,
                files=form.cleaned_data["files"],
                collected_on=form.cleaned_data["collected_on"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)s new revision(s) saved.") % {"count": len(revisions)},
            )
            return redirect("evidence_detail", org_slug=evidence.organisation.slug, pk=evidence.pk)
    return _detail(request, _get_evidence(request, pk), revision_form=form, status=400)


@organisation_view(Permission.ADD_EVIDENCE)
@require_POST
def link_update(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_evidence(request, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            evidence_link_update(actor=acting_user(request), evidence=evidence, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Link updated."))
            return redirect("evidence_detail", org_slug=evidence.organisation.slug, pk=pk)
    return _detail(request, _get_evidence(request, pk), link_form=form, status=400)


@organisation_view(Permission.ADD_EVIDENCE)
@require_POST
def requirements_link(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_evidence(request, pk)
    form = RequirementLinkForm(request.POST)
    if form.is_valid():
        added = evidence_requirements_link(
            actor=acting_user(request),
            evidence=evidence,
            requirements=form.selected_requirements(),
        )
        messages.success(request, _("%(count)s requirement(s) linked.") % {"count": len(added)})
        return redirect("evidence_detail", org_slug=evidence.organisation.slug, pk=pk)
    return _detail(request, evidence, requirement_form=form, status=400)


@organisation_view(Permission.ADD_EVIDENCE)
@require_POST
def requirement_unlink(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    evidence = _get_evidence(request, pk)
    requirement = get_object_or_404(Requirement, pk=requirement_pk)
    if evidence_requirement_unlink(
        actor=acting_user(request), evidence=evidence, requirement=requirement
    ):
        messages.success(
            request,
            _("This evidence no longer supports %(ref)s.") % {"ref": requirement.ref_id},
        )
    return redirect("evidence_detail", org_slug=evidence.organisation.slug, pk=pk)


@organisation_view(Permission.VIEW_EVIDENCE)
def revision_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = get_object_or_404(
        EvidenceRevision.objects.for_membership(current_membership(request)),
        evidence_id=pk,
        number=number,
    )
    # A streamed FileResponse: typed as the HttpResponse the view decorators expect.
    return cast(HttpResponse, revision_response(request, revision))
