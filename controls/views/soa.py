"""Statement of Applicability and framework status pages."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.models import Membership
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view, safe_next
from controls.choices import ImplementationStatus
from controls.forms import SoaBulkForm, SoaIssueForm, SoaLineForm, StatusForm
from controls.models import Framework, Requirement, SoaVersion
from controls.selectors import (
    ScopedRows,
    compliance_scores,
    filter_requirements,
    framework_by_code,
    is_soa_control,
    row_of,
    scored_requirements,
    scores_by_framework,
    soa_evidence_counts,
    soa_framework,
    soa_lines,
    status_lines,
)
from controls.services.soa import (
    soa_current_lines,
    soa_diff,
    soa_issue,
    soa_problems,
    soa_to_csv,
    soa_to_xlsx,
)
from controls.services.statuses import (
    requirement_status_update,
    row_model,
    soa_bulk_update,
    suggestion_confirm,
    suggestion_dismiss,
)
from evidence.selectors import NO_EVIDENCE, EvidenceCount


def _members(membership: Membership) -> list[Membership]:
    return list(Membership.objects.for_membership(membership).select_related("user"))


def _status_page(
    request: HttpRequest,
    template: str,
    requirements: list[Requirement],
    *,
    members: list[Membership],
    can_edit: bool,
    evidence: dict[int, EvidenceCount] | None = None,
    **extra: Any,
) -> HttpResponse:
    """The SoA and framework pages: filterable rows, scores, owner and status choices.
    Each row's controls are written out by the template (a Django form per row took
    seconds with 93 rows and many members); a form class only validates the POST."""
    shown = filter_requirements(
        requirements,
        theme=request.GET.get("theme", ""),
        status=request.GET.get("status", ""),
        applicable=request.GET.get("applicable", ""),
    )
    context = {
        "lines": [_line(requirement, evidence) for requirement in shown],
        "total": len(requirements),
        "scores": compliance_scores(requirements),
        **_row_choices(members),
        "can_edit": can_edit,
        **extra,
    }
    return render(request, template, context)


def _line(
    requirement: Requirement, evidence: dict[int, EvidenceCount] | None = None
) -> dict[str, Any]:
    """What templates/controls/_status_row.html shows of one requirement."""
    return {
        "requirement": requirement,
        "row": row_of(requirement),
        "soa_line": is_soa_control(requirement),
        "prefix": f"r{requirement.pk}",  # the field prefix the row's form validates
        # Linked evidence (SoA only): valid items count, expired ones are shown.
        "evidence": evidence.get(requirement.pk, NO_EVIDENCE) if evidence is not None else None,
    }


def _row_choices(members: list[Membership]) -> dict[str, Any]:
    return {
        "statuses": ImplementationStatus.choices,
        "owner_choices": sorted(((m.user_id, str(m.user)) for m in members), key=lambda c: c[1]),
    }


@organisation_view(Permission.VIEW_COMPLIANCE)
def framework_list(request: HttpRequest) -> HttpResponse:
    rows = ScopedRows.for_membership(current_membership(request))
    scores = scores_by_framework(scored_requirements(rows))
    frameworks = [
        {"framework": framework, "scores": scores.get(framework.pk) or compliance_scores([])}
        for framework in Framework.objects.all()
    ]
    return render(request, "controls/framework_list.html", {"frameworks": frameworks})


@organisation_view(Permission.VIEW_COMPLIANCE)
def framework_detail(request: HttpRequest, code: str) -> HttpResponse:
    membership = current_membership(request)
    framework = framework_by_code(code)
    requirements = list(status_lines(framework, ScopedRows.for_membership(membership)))
    return _status_page(
        request,
        "controls/framework_detail.html",
        requirements,
        members=_members(membership),
        can_edit=membership.has_perm(Permission.EDIT_STATUS),
        framework=framework,
        themes=framework.themes.all(),
    )


@organisation_view(Permission.VIEW_COMPLIANCE)
def soa_page(request: HttpRequest) -> HttpResponse:
    return _render_soa(request)


def _render_soa(request: HttpRequest, problems: list[str] | None = None) -> HttpResponse:
    """The SoA page; ``problems`` lists what stops it from being issued."""
    membership = current_membership(request)
    framework = soa_framework()
    if framework is None:
        return render(request, "controls/soa_missing.html", status=404)
    members = _members(membership)
    requirements = list(soa_lines(framework, ScopedRows.for_membership(membership)))
    return _status_page(
        request,
        "controls/soa.html",
        requirements,
        members=members,
        evidence=soa_evidence_counts(membership.organisation_id),
        can_edit=membership.has_perm(Permission.EDIT_SOA),
        framework=framework,
        themes=framework.themes.exclude(code="clauses"),
        can_issue=membership.has_perm(Permission.ISSUE_SOA),
        bulk_form=SoaBulkForm(memberships=members),
        issue_form=SoaIssueForm(),
        problems=problems,
        latest=SoaVersion.objects.for_membership(membership).first(),
    )


def _as_typed(line: dict[str, Any], organisation_id: int, form: Form) -> Any:
    """The row as the person typed it, unsaved, to show a refused save again without
    losing what they wrote (the stored row, or a blank one, with the posted values)."""
    requirement = line["requirement"]
    stored = line["row"]
    typed: Any = (
        copy.copy(stored)
        if stored is not None
        else row_model(requirement)(organisation_id=organisation_id, requirement=requirement)
    )
    for name in form.fields:
        raw = form.data.get(form.add_prefix(name), "")
        if name == "applicable":
            typed.applicable = {"yes": True, "no": False}.get(raw)
        elif name == "owner":
            typed.owner_id = int(raw) if raw.isdigit() else None
        else:
            setattr(typed, name, raw)
    return typed


def _row_response(
    request: HttpRequest,
    membership: Membership,
    requirement: Requirement,
    *,
    members: list[Membership],
    form: Form | None = None,
    notice: str = "",
) -> HttpResponse:
    """One row re-rendered for htmx after a save or a decision on a suggestion: the stored
    values with "Saved", or (``form`` with errors) what was typed with the messages, 400.
    Reads the row through the same selectors as the page (badges, suggestion, evidence)."""
    soa = is_soa_control(requirement)
    rows = ScopedRows.for_membership(membership)
    lines = soa_lines if soa else status_lines
    fresh = lines(requirement.framework, rows).get(pk=requirement.pk)
    counts = soa_evidence_counts(membership.organisation_id, [requirement.pk]) if soa else None
    line = _line(fresh, counts)
    errors: list[str] = []
    if form is not None and form.errors:
        line["row"] = _as_typed(line, membership.organisation_id, form)
        line["errors"] = form.errors
        errors = [str(message) for messages in form.errors.values() for message in messages]
    context = {
        "line": line,
        **_row_choices(members),
        "can_edit": True,  # only an editor's save gets this far
        "saved": not errors and not notice,
        "errors": errors,
        "notice": notice,
        # The page the row sits on, for a later save without JavaScript.
        "next_url": safe_next(request, ""),
    }
    return render(request, "controls/_status_row.html", context, status=400 if errors else 200)


def _save_line(
    request: HttpRequest, membership: Membership, requirement: Requirement
) -> HttpResponse:
    """Save one row's form: the row re-rendered for htmx, a redirect otherwise."""
    members = _members(membership)
    form_class = SoaLineForm if is_soa_control(requirement) else StatusForm
    form = form_class(request.POST, memberships=members, prefix=f"r{requirement.pk}")
    if form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            requirement_status_update(
                actor=acting_user(request),
                organisation=membership.organisation,
                requirement=requirement,
                **fields,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(request, membership, requirement, members=members, form=form)
    if form.errors:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, f"{requirement.ref_id}: {message}")
    else:
        messages.success(request, _("%(ref)s saved.") % {"ref": requirement.ref_id})
    return redirect(safe_next(request, request.get_full_path()))


@organisation_view(Permission.VIEW_COMPLIANCE)
@require_POST
def requirement_save(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    requirement = get_object_or_404(
        Requirement.objects.select_related("framework"), pk=pk, assessable=True
    )
    permission = Permission.EDIT_SOA if is_soa_control(requirement) else Permission.EDIT_STATUS
    if not membership.has_perm(permission):
        raise PermissionDenied
    return _save_line(request, membership, requirement)


@organisation_view(Permission.EDIT_STATUS)
@require_POST
def suggestion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or dismiss the status a mapped requirement offers: the row re-rendered for
    htmx (with what happened), a redirect with a message otherwise."""
    membership = current_membership(request)
    requirement = get_object_or_404(
        Requirement.objects.select_related("framework"), pk=pk, assessable=True
    )
    if is_soa_control(requirement) and not membership.has_perm(Permission.EDIT_SOA):
        raise PermissionDenied
    actor, organisation = acting_user(request), membership.organisation
    ref = requirement.ref_id
    if request.POST.get("decision") == "confirm":
        try:
            suggestion_confirm(actor=actor, organisation=organisation, requirement=requirement)
        except ValidationError as error:  # already confirmed in another tab, double click
            notice, level = " ".join(error.messages), messages.INFO
        else:
            notice = _("%(ref)s: suggested status confirmed.") % {"ref": ref}
            level = messages.SUCCESS
    else:
        suggestion_dismiss(actor=actor, organisation=organisation, requirement=requirement)
        notice, level = _("%(ref)s: suggestion dismissed.") % {"ref": ref}, messages.INFO
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(
            request, membership, requirement, members=_members(membership), notice=notice
        )
    messages.add_message(request, level, notice)
    return redirect(safe_next(request, reverse("home")))


@organisation_view(Permission.EDIT_SOA)
@require_POST
def soa_bulk(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    framework = soa_framework()
    if framework is None:
        raise Http404
    form = SoaBulkForm(request.POST, memberships=_members(membership))
    slug = membership.organisation.slug
    if not form.is_valid():
        messages.error(request, _("Choose a theme and an action (and the status to set)."))
        return redirect("soa", org_slug=slug)
    requirements = list(
        Requirement.objects.soa_controls().filter(
            framework=framework, theme__code=form.cleaned_data["theme"]
        )
    )
    try:
        count = soa_bulk_update(
            actor=acting_user(request),
            organisation=membership.organisation,
            requirements=requirements,
            **form.changes(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s controls updated.") % {"count": count})
    return redirect("soa", org_slug=slug)


@organisation_view(Permission.ISSUE_SOA)
@require_POST
def soa_issue_view(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    framework = soa_framework()
    if framework is None:
        raise Http404
    form = SoaIssueForm(request.POST)
    lines = soa_current_lines(framework, ScopedRows.for_membership(membership))
    problems = soa_problems(lines)
    if problems or not form.is_valid():
        return _render_soa(request, problems=problems)
    version = soa_issue(
        actor=acting_user(request),
        organisation=membership.organisation,
        framework=framework,
        lines=lines,
        note=form.cleaned_data["note"],
    )
    messages.success(
        request, _("Version %(number)s of the SoA is issued.") % {"number": version.number}
    )
    return redirect("soa_version", org_slug=membership.organisation.slug, number=version.number)


@organisation_view(Permission.VIEW_COMPLIANCE)
def soa_versions(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    versions = SoaVersion.objects.for_membership(membership).defer("lines")
    return render(request, "controls/soa_versions.html", {"versions": versions})


@organisation_view(Permission.VIEW_COMPLIANCE)
def soa_version(request: HttpRequest, number: int) -> HttpResponse:
    membership = current_membership(request)
    version = get_object_or_404(SoaVersion.objects.for_membership(membership), number=number)
    compare = request.GET.get("compare")
    changes = None
    other = None
    if compare and compare.isdigit():
        other = get_object_or_404(
            SoaVersion.objects.for_membership(membership), number=int(compare)
        )
        older, newer = sorted([other, version], key=lambda v: v.number)
        changes = soa_diff(older.lines, newer.lines)
    labels = dict(ImplementationStatus.choices)
    lines = [
        {**line, "status_label": labels.get(line["status"], line["status"])}
        for line in version.lines
    ]
    return render(
        request,
        "controls/soa_version.html",
        {
            "version": version,
            "lines": lines,
            "other": other,
            "changes": changes,
            "statuses": dict(ImplementationStatus.choices),
            "numbers": SoaVersion.objects.for_membership(membership).values_list(
                "number", flat=True
            ),
        },
    )


@organisation_view(Permission.VIEW_COMPLIANCE)
def soa_export(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    framework = soa_framework()
    if framework is None:
        raise Http404
    language = "en" if request.GET.get("lang") == "en" else "fr"
    number = request.GET.get("version", "")
    if number.isdigit():
        version = get_object_or_404(
            SoaVersion.objects.for_membership(membership), number=int(number)
        )
        lines, label = version.lines, f"v{version.number}"
    else:
        lines, label = soa_current_lines(framework, ScopedRows.for_membership(membership)), "draft"
    name = f"soa-{membership.organisation.slug}-{label}-{language}"
    if request.GET.get("format") == "xlsx":
        title = f"{membership.organisation.name} — SoA {label}"
        response = HttpResponse(
            soa_to_xlsx(lines, language, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(soa_to_csv(lines, language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
