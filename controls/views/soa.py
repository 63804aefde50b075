"""Statement of Applicability and framework status pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.models import Membership
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view, safe_next
from controls.choices import ImplementationStatus
from controls.forms import SoaBulkForm, SoaIssueForm, SoaLineForm, StatusForm, owner_from_choice
from controls.models import Applicability, ControlStatus, Framework, Requirement, SoaVersion
from controls.selectors import compliance_scores, requirements_with_rows, row_of, soa_framework
from controls.services.soa import (
    soa_current_lines,
    soa_diff,
    soa_issue,
    soa_problems,
    soa_to_csv,
    soa_to_xlsx,
)
from controls.services.statuses import (
    is_soa_control,
    requirement_status_update,
    soa_bulk_update,
    suggestion_confirm,
    suggestion_dismiss,
)


def _scoped_rows(membership: Membership) -> dict[str, Any]:
    return {
        "soa_rows": Applicability.objects.for_membership(membership),
        "status_rows": ControlStatus.objects.for_membership(membership),
    }


def _framework_or_404(code: str) -> Framework:
    framework = Framework.objects.filter(code=code).order_by("-version").first()
    if framework is None:
        raise Http404
    return framework


def _members(membership: Membership) -> list[Membership]:
    return list(Membership.objects.for_membership(membership).select_related("user"))


def _owner_choices(members: list[Membership]) -> list[tuple[int, str]]:
    return sorted(((m.user_id, str(m.user)) for m in members), key=lambda choice: choice[1])


def _line(requirement: Requirement, members: list[Membership], prefix: str) -> dict[str, Any]:
    row = row_of(requirement)
    form_class = SoaLineForm if is_soa_control(requirement) else StatusForm
    # The form only lends its field prefix; the row template writes the controls itself.
    return {
        "requirement": requirement,
        "row": row,
        "soa_line": form_class is SoaLineForm,
        "form": form_class(memberships=members, prefix=prefix),
    }


def _filtered(lines: list[dict[str, Any]], request: HttpRequest) -> list[dict[str, Any]]:
    theme, status, applicable = (request.GET.get(k, "") for k in ("theme", "status", "applicable"))
    out = []
    for line in lines:
        requirement, row = line["requirement"], line["row"]
        if theme and (not requirement.theme or requirement.theme.code != theme):
            continue
        if status and (row.status if row else ImplementationStatus.NOT_STARTED) != status:
            continue
        if applicable:
            value = getattr(row, "applicable", None) if row else None
            if {"yes": True, "no": False, "undecided": None}.get(applicable, "?") != value:
                continue
        out.append(line)
    return out


@organisation_view(Permission.VIEW_COMPLIANCE)
def framework_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    frameworks = []
    for framework in Framework.objects.all():
        requirements = list(requirements_with_rows(framework, **_scoped_rows(membership)))
        if framework.has_statement_of_applicability:
            requirements = [r for r in requirements if r.kind == "control"]
        frameworks.append({"framework": framework, "scores": compliance_scores(requirements)})
    return render(request, "controls/framework_list.html", {"frameworks": frameworks})


@organisation_view(Permission.VIEW_COMPLIANCE)
def framework_detail(request: HttpRequest, code: str) -> HttpResponse:
    membership = current_membership(request)
    framework = _framework_or_404(code)
    members = _members(membership)
    requirements = list(requirements_with_rows(framework, **_scoped_rows(membership)))
    if framework.has_statement_of_applicability:
        # Annex A controls live on the SoA page; here, clauses 4-10.
        requirements = [r for r in requirements if r.kind != "control"]
    lines = [_line(r, members, prefix=f"r{r.pk}") for r in requirements]
    return render(
        request,
        "controls/framework_detail.html",
        {
            "framework": framework,
            "lines": _filtered(lines, request),
            "scores": compliance_scores(requirements),
            "themes": framework.themes.all(),
            "statuses": ImplementationStatus.choices,
            "status_choices": ImplementationStatus.choices,
            "owner_choices": _owner_choices(members),
            "can_edit": membership.has_perm(Permission.EDIT_STATUS),
        },
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
    requirements = [
        r
        for r in requirements_with_rows(framework, **_scoped_rows(membership))
        if r.kind == "control"
    ]
    lines = [_line(r, members, prefix=f"r{r.pk}") for r in requirements]
    return render(
        request,
        "controls/soa.html",
        {
            "framework": framework,
            "lines": _filtered(lines, request),
            "total": len(lines),
            "scores": compliance_scores(requirements),
            "themes": framework.themes.exclude(code="clauses"),
            "statuses": ImplementationStatus.choices,
            "status_choices": ImplementationStatus.choices,
            "owner_choices": _owner_choices(members),
            "can_edit": membership.has_perm(Permission.EDIT_SOA),
            "can_issue": membership.has_perm(Permission.ISSUE_SOA),
            "bulk_form": SoaBulkForm(memberships=members),
            "issue_form": SoaIssueForm(),
            "problems": problems,
            "latest": SoaVersion.objects.for_membership(membership).first(),
        },
    )


def _save_line(
    request: HttpRequest, membership: Membership, requirement: Requirement
) -> HttpResponse:
    """Save one row's form: JSON for the page's autosave script, a redirect otherwise."""
    members = _members(membership)
    soa = is_soa_control(requirement)
    form_class = SoaLineForm if soa else StatusForm
    form = form_class(request.POST, memberships=members, prefix=f"r{requirement.pk}")
    ajax = request.headers.get("X-Requested-With") == "fetch"
    if form.is_valid():
        fields = dict(form.cleaned_data)
        fields["owner"] = owner_from_choice(members, fields.get("owner"))
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
    if ajax:
        if form.errors:
            return JsonResponse({"ok": False, "errors": form.errors}, status=400)
        return JsonResponse({"ok": True, "message": _("Saved.")})
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
    membership = current_membership(request)
    requirement = get_object_or_404(
        Requirement.objects.select_related("framework"), pk=pk, assessable=True
    )
    if is_soa_control(requirement) and not membership.has_perm(Permission.EDIT_SOA):
        raise PermissionDenied
    actor, organisation = acting_user(request), membership.organisation
    if request.POST.get("decision") == "confirm":
        try:
            suggestion_confirm(actor=actor, organisation=organisation, requirement=requirement)
        except ValidationError as error:  # already confirmed in another tab, double click
            messages.info(request, " ".join(error.messages))
            return redirect(safe_next(request, reverse("home")))
        messages.success(
            request, _("%(ref)s: suggested status confirmed.") % {"ref": requirement.ref_id}
        )
    else:
        suggestion_dismiss(actor=actor, organisation=organisation, requirement=requirement)
        messages.info(request, _("%(ref)s: suggestion dismissed.") % {"ref": requirement.ref_id})
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
        messages.error(request, _("Choose a theme and an action."))
        return redirect("soa", org_slug=slug)
    requirements = list(
        Requirement.objects.filter(
            framework=framework, kind="control", theme__code=form.cleaned_data["theme"]
        )
    )
    action = form.cleaned_data["action"]
    fields: dict[str, Any] = {}
    if action == "applicable":
        fields = {"applicable": True}
        if form.cleaned_data["inclusion_justification"]:
            fields["inclusion_justification"] = form.cleaned_data["inclusion_justification"]
    elif action == "owner":
        fields = {"owner": owner_from_choice(_members(membership), form.cleaned_data["owner"])}
    elif action == "status" and form.cleaned_data["status"]:
        fields = {"status": form.cleaned_data["status"]}
    try:
        count = soa_bulk_update(
            actor=acting_user(request),
            organisation=membership.organisation,
            requirements=requirements,
            **fields,
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
    lines = soa_current_lines(framework, **_scoped_rows(membership))
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
        lines, label = soa_current_lines(framework, **_scoped_rows(membership)), "draft"
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
