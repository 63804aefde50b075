"""Audit list, creation, detail, status changes, the checklist and one check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.choices import AUDIT_TRANSITIONS, CHECK_RESULT_ENGLISH, AuditStatus, CheckResult
from audits.forms import AuditEditForm, AuditForm, CheckDetailForm, CheckForm
from audits.models import Audit, AuditCheck, Finding
from audits.selectors import (
    audit_checks,
    audit_summary,
    audits_with_progress,
    filter_checks,
    findings_with_actions,
    progress_percent,
)
from audits.services import AuditLocked, audit_create, audit_transition, audit_update, check_record
from audits.views.common import add_service_errors, evidence_of, members_of
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view


def _audit(request: HttpRequest, pk: int) -> Audit:
    return get_object_or_404(
        Audit.objects.for_membership(current_membership(request)).select_related("lead_auditor"),
        pk=pk,
    )


@organisation_view(Permission.VIEW_AUDITS)
def audit_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    audits = list(audits_with_progress(Audit.objects.for_membership(membership)))
    for audit in audits:
        audit.percent = progress_percent(audit.checks_done, audit.checks_total)  # type: ignore[attr-defined]
    return render(
        request,
        "audits/audit_list.html",
        {"audits": audits, "can_manage": membership.has_perm(Permission.MANAGE_AUDITS)},
    )


@organisation_view(Permission.MANAGE_AUDITS)
def audit_create_view(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    members = members_of(membership)
    form = AuditForm(request.POST or None, memberships=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = audit_create(
                actor=acting_user(request),
                organisation=membership.organisation,
                title=data["title"],
                kind=data["kind"],
                frameworks=data["frameworks"],
                themes=data["themes"],
                requirements=data["requirements"],
                sample_per_theme=data["sample_per_theme"],
                sample_seed=data["sample_seed"],
                lead_auditor=data["lead_auditor"],
                auditors=data["auditors"],
                auditees=data["auditees"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                objectives=data["objectives"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Audit planned with %(count)s checks.") % {"count": audit.checks.count()},
            )
            return redirect(
                "audits:audit_detail", org_slug=membership.organisation.slug, pk=audit.pk
            )
    if request.method == "GET" and not form.is_bound:
        form.initial.setdefault("lead_auditor", request.user.pk)
    return render(request, "audits/audit_form.html", {"form": form})


@organisation_view(Permission.VIEW_AUDITS)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    audit = _audit(request, pk)
    summary = audit_summary(audit)
    findings = findings_with_actions(Finding.objects.for_membership(membership).filter(audit=audit))
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "summary": summary,
            "findings": findings,
            "auditors": audit.auditors.all(),
            "auditees": audit.auditees.all(),
            "transitions": [
                (status, AuditStatus(status).label) for status in AUDIT_TRANSITIONS[audit.status]
            ],
            "can_manage": membership.has_perm(Permission.MANAGE_AUDITS),
            "can_record": membership.has_perm(Permission.RECORD_CHECKS),
        },
    )


@organisation_view(Permission.MANAGE_AUDITS)
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    audit = _audit(request, pk)
    members = members_of(membership)
    initial = {
        "title": audit.title,
        "planned_start": audit.planned_start,
        "planned_end": audit.planned_end,
        "objectives": audit.objectives,
        "lead_auditor": audit.lead_auditor_id,
        "auditors": list(audit.auditors.values_list("pk", flat=True)),
        "auditees": list(audit.auditees.values_list("pk", flat=True)),
    }
    form = AuditEditForm(request.POST or None, memberships=members, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            audit_update(actor=acting_user(request), audit=audit, **form.cleaned_data)
        except AuditLocked as error:
            add_service_errors(form, error)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Audit updated."))
            return redirect("audits:audit_detail", org_slug=membership.organisation.slug, pk=pk)
    return render(request, "audits/audit_edit.html", {"form": form, "audit": audit}, status=status)


@organisation_view(Permission.MANAGE_AUDITS)
def audit_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the audit's status; closing asks for confirmation first (it cannot be undone)."""
    membership = current_membership(request)
    audit = _audit(request, pk)
    target = request.POST.get("status") or request.GET.get("status", "")
    if request.method == "GET" or (
        target == AuditStatus.CLOSED and not request.POST.get("confirm")
    ):
        summary = audit_summary(audit)
        return render(request, "audits/audit_close.html", {"audit": audit, "summary": summary})
    try:
        audit_transition(actor=acting_user(request), audit=audit, status=target)
    except AuditLocked as error:
        messages.error(request, " ".join(error.messages))
        return redirect("audits:audit_detail", org_slug=membership.organisation.slug, pk=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The audit is now “%(status)s”.") % {"status": AuditStatus(target).label}
        )
    return redirect("audits:audit_detail", org_slug=membership.organisation.slug, pk=pk)


@organisation_view(Permission.VIEW_AUDITS)
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """The auditor's one-screen checklist: every check, inline result and notes saved as
    they change (htmx, with static/js/inline-save.js for failures), filters, keyboard
    navigation (static/js/checklist.js), progress."""
    membership = current_membership(request)
    audit = _audit(request, pk)
    checks = list(audit_checks(audit))
    done = sum(1 for check in checks if check.is_done)
    themes: dict[str, str] = {}
    for check in checks:
        theme = check.requirement.theme
        themes.setdefault(theme.code if theme else "-", theme.name if theme else "—")
    shown = filter_checks(
        checks, theme=request.GET.get("theme", ""), result=request.GET.get("result", "")
    )
    return render(
        request,
        "audits/checklist.html",
        {
            "audit": audit,
            "checks": shown,
            "total": len(checks),
            "done": done,
            "percent": progress_percent(done, len(checks)),
            "themes": sorted(themes.items(), key=lambda item: item[0]),
            "results": _results(),
            "can_record": membership.has_perm(Permission.RECORD_CHECKS) and not audit.is_locked,
        },
    )


def _results() -> list[tuple[str, str, str]]:
    """The result scale: value, label in the page's language, English label."""
    return [
        (value, str(label), CHECK_RESULT_ENGLISH[CheckResult(value)])
        for value, label in CheckResult.choices
    ]


def _check(request: HttpRequest, audit_pk: int, pk: int) -> AuditCheck:
    return get_object_or_404(
        AuditCheck.objects.for_membership(current_membership(request)).select_related(
            "audit", "requirement__theme", "requirement__framework"
        ),
        audit_id=audit_pk,
        pk=pk,
    )


def _check_row_response(
    request: HttpRequest,
    check: AuditCheck,
    *,
    form: CheckForm,
    locked: bool,
    next_url: str,
) -> HttpResponse:
    """One checklist row re-rendered for htmx after a save, with the progress bar swapped
    out of band: the stored result with "Saved", or what was typed with the messages
    (400, or 409 when the audit is closed)."""
    membership = current_membership(request)
    audit = check.audit
    fresh = audit_checks(audit).get(pk=check.pk)
    progress: Any = audits_with_progress(Audit.objects.for_membership(membership)).get(pk=audit.pk)
    errors = [message for messages in form.errors.values() for message in messages]
    if errors:  # show it as typed: nothing was stored
        fresh.result = form.data.get(form.add_prefix("result"), "")
        fresh.notes = form.data.get(form.add_prefix("notes"), "")
    context = {
        "audit": audit,
        "check": fresh,
        "results": _results(),
        "can_record": not locked and not audit.is_locked,
        "saved": not errors,
        "errors": errors,
        "check_errors": form.errors,
        "next_url": next_url,
        "done": progress.checks_done,
        "total": progress.checks_total,
        "percent": progress_percent(progress.checks_done, progress.checks_total),
    }
    status = 409 if locked else 400 if errors else 200
    return render(request, "audits/_check_saved.html", context, status=status)


@organisation_view(Permission.RECORD_CHECKS)
@require_POST
def check_save(request: HttpRequest, audit_pk: int, pk: int) -> HttpResponse:
    """One checklist row: the row re-rendered for htmx, a redirect without JavaScript."""
    membership = current_membership(request)
    check = _check(request, audit_pk, pk)
    form = CheckForm(request.POST, prefix=f"c{check.pk}")
    locked = False
    if form.is_valid():
        try:
            check = check_record(
                actor=acting_user(request),
                check=check,
                result=form.cleaned_data["result"],
                notes=form.cleaned_data["notes"],
            )
        except AuditLocked as error:
            form.add_error(None, error.messages)
            locked = True
        except ValidationError as error:
            add_service_errors(form, error)
    base = reverse(
        "audits:checklist", kwargs={"org_slug": membership.organisation.slug, "pk": audit_pk}
    )
    # Only the checklist's own query string comes back (no open redirect).
    url = request.POST.get("next", "")
    target = url if url.startswith(base) else base
    if request.htmx:  # type: ignore[attr-defined]
        return _check_row_response(request, check, form=form, locked=locked, next_url=target)
    if form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"{check.requirement.ref_id}: {message}")
    else:
        messages.success(request, _("%(ref)s saved.") % {"ref": check.requirement.ref_id})
    return redirect(f"{target}#check-{check.pk}")


@organisation_view(Permission.VIEW_AUDITS)
def check_detail(request: HttpRequest, audit_pk: int, pk: int) -> HttpResponse:
    """One check in full: requirement text, result, notes, evidence items, its finding."""
    membership = current_membership(request)
    check = _check(request, audit_pk, pk)
    can_record = membership.has_perm(Permission.RECORD_CHECKS)
    evidence = evidence_of(membership)
    form = CheckDetailForm(
        request.POST or None,
        evidence=evidence,
        initial={
            "result": check.result,
            "notes": check.notes,
            "evidence": list(check.evidence.values_list("pk", flat=True)),
        },
    )
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                check_record(actor=acting_user(request), check=check, **form.cleaned_data)
            except AuditLocked as error:
                form.add_error(None, error.messages)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(ref)s saved.") % {"ref": check.requirement.ref_id})
                return redirect(
                    "audits:check_detail",
                    org_slug=membership.organisation.slug,
                    audit_pk=audit_pk,
                    pk=pk,
                )
    finding = Finding.objects.filter(audit_check=check).first()
    # Evidence the organisation already links to this requirement: what to look at first.
    today = timezone.localdate()
    valid = set(
        evidence.filter(requirements=check.requirement).valid_on(today).values_list("pk", flat=True)
    )
    supporting = [
        (item, item.pk in valid) for item in evidence.filter(requirements=check.requirement)
    ]
    return render(
        request,
        "audits/check_detail.html",
        {
            "check": check,
            "audit": check.audit,
            "form": form,
            "finding": finding,
            "evidence_items": check.evidence.all(),
            "supporting": supporting,
            "can_record": can_record and not check.audit.is_locked,
        },
        status=status,
    )
