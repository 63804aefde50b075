"""The organisation's register of findings, across audits, and one finding."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audits.choices import FindingSeverity, FindingSource, FindingStatus
from audits.filters import FindingFilter
from audits.forms import FindingForm
from audits.models import Audit, Finding
from audits.selectors import findings_with_actions
from audits.services import AuditLocked, finding_create, finding_update
from audits.views.common import add_service_errors, evidence_of
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view


@organisation_view(Permission.VIEW_AUDITS)
def finding_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    filterset = FindingFilter(
        request.GET or None,
        queryset=findings_with_actions(Finding.objects.for_membership(membership)),
        request=request,
    )
    page = Paginator(filterset.qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audits/finding_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "severities": FindingSeverity.choices,
            "statuses": FindingStatus.choices,
            "sources": FindingSource.choices,
            "audits": Audit.objects.for_membership(membership).only("pk", "title"),
            "can_record": membership.has_perm(Permission.RECORD_CHECKS),
            "can_edit_actions": membership.has_perm(Permission.EDIT_ACTIONS),
        },
    )


@organisation_view(Permission.RECORD_CHECKS)
def finding_create_view(request: HttpRequest) -> HttpResponse:
    """A finding raised outside an audit: a risk review, an incident's lesson, a remark."""
    membership = current_membership(request)
    form = FindingForm(request.POST or None, evidence=evidence_of(membership))
    source = request.POST.get("source", FindingSource.OTHER)
    if request.method == "POST" and form.is_valid():
        try:
            finding = finding_create(
                actor=acting_user(request),
                organisation=membership.organisation,
                source=source if source != FindingSource.AUDIT else FindingSource.OTHER,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Finding %(ref)s recorded.") % {"ref": finding.reference})
            return redirect(
                "audits:finding_detail", org_slug=membership.organisation.slug, pk=finding.pk
            )
    return render(
        request,
        "audits/finding_form.html",
        {
            "form": form,
            "sources": [c for c in FindingSource.choices if c[0] != FindingSource.AUDIT],
            "source": source,
        },
    )


@organisation_view(Permission.VIEW_AUDITS)
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    finding = get_object_or_404(
        findings_with_actions(Finding.objects.for_membership(membership)), pk=pk
    )
    can_record = membership.has_perm(Permission.RECORD_CHECKS)
    form = FindingForm(
        request.POST or None,
        evidence=evidence_of(membership),
        initial={
            "title": finding.title,
            "severity": finding.severity,
            "description": finding.description,
            "root_cause": finding.root_cause,
            "evidence": list(finding.evidence.values_list("pk", flat=True)),
        },
    )
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                finding_update(actor=acting_user(request), finding=finding, **form.cleaned_data)
            except AuditLocked as error:
                form.add_error(None, error.messages)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Finding %(ref)s saved.") % {"ref": finding.reference})
                return redirect(
                    "audits:finding_detail", org_slug=membership.organisation.slug, pk=pk
                )
    return render(
        request,
        "audits/finding_detail.html",
        {
            "finding": finding,
            "form": form,
            "evidence_items": finding.evidence.all(),
            "can_record": can_record and not finding.is_locked,
            "can_edit_actions": membership.has_perm(Permission.EDIT_ACTIONS),
        },
        status=status,
    )
