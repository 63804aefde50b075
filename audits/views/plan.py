"""The remediation plan: overdue and due-soon actions, burn-down, filters; action forms."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.choices import ACTION_OPEN_STATUSES, SEVERITY_PRIORITY, ActionStatus
from audits.forms import ActionForm, VerifyForm
from audits.models import Finding, RemediationAction
from audits.selectors import DUE_SOON_DAYS, burn_down, burn_down_chart, plan_actions, plan_rows
from audits.services import action_create, action_update, action_verify
from audits.views.common import add_service_errors, evidence_of, members_of
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view
from controls.models import Framework

SECTION_ROWS = 50


@organisation_view(Permission.VIEW_REMEDIATION)
def plan(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    owner = request.GET.get("owner", "")
    framework = request.GET.get("framework", "")
    status = request.GET.get("status", "")
    scoped = RemediationAction.objects.for_membership(membership)
    actions = plan_actions(scoped, owner=owner, framework=framework, status=status)
    still_open = Q(status__in=ACTION_OPEN_STATUSES)
    counts = actions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=still_open),
        overdue=Count("pk", filter=still_open & Q(due_date__lt=today)),
        soon=Count("pk", filter=still_open & Q(due_date__gte=today, due_date__lte=soon)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        verified=Count("pk", filter=Q(status=ActionStatus.VERIFIED)),
    )
    overdue = plan_rows(actions.filter(still_open, due_date__lt=today)[:SECTION_ROWS], today=today)
    due_soon = plan_rows(
        actions.filter(still_open, due_date__gte=today, due_date__lte=soon)[:SECTION_ROWS],
        today=today,
    )
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    chart = burn_down_chart(
        burn_down(plan_actions(scoped, owner=owner, framework=framework), today=today)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audits/plan.html",
        {
            "counts": counts,
            "overdue": overdue,
            "due_soon": due_soon,
            "page": page,
            "rows": plan_rows(page.object_list, today=today),
            "chart": chart,
            "query": query.urlencode(),
            "members": members_of(membership),
            "frameworks": Framework.objects.only("code", "name_fr", "name_en", "version"),
            "statuses": ActionStatus.choices,
            "section_rows": SECTION_ROWS,
            "due_soon_days": DUE_SOON_DAYS,
            "can_edit": membership.has_perm(Permission.EDIT_ACTIONS),
        },
    )


@organisation_view(Permission.EDIT_ACTIONS)
def action_create_view(request: HttpRequest, finding_pk: int) -> HttpResponse:
    membership = current_membership(request)
    finding = get_object_or_404(Finding.objects.for_membership(membership), pk=finding_pk)
    derived = SEVERITY_PRIORITY[finding.severity]
    form = ActionForm(
        request.POST or None,
        memberships=members_of(membership),
        initial={"priority": derived},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_create(actor=acting_user(request), finding=finding, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action added to the plan."))
            return redirect(
                "audits:finding_detail", org_slug=membership.organisation.slug, pk=finding.pk
            )
    return render(
        request,
        "audits/action_form.html",
        {"form": form, "finding": finding, "action": None, "derived": derived},
    )


def _action(request: HttpRequest, pk: int) -> RemediationAction:
    return get_object_or_404(
        RemediationAction.objects.for_membership(current_membership(request)).select_related(
            "finding", "owner", "verified_by", "verification_evidence"
        ),
        pk=pk,
    )


@organisation_view(Permission.EDIT_ACTIONS)
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    action = _action(request, pk)
    form = ActionForm(
        request.POST or None,
        memberships=members_of(membership),
        with_status=True,
        initial={
            "title": action.title,
            "description": action.description,
            "due_date": action.due_date,
            "priority": action.priority,
            "priority_override_reason": action.priority_override_reason,
            "owner": action.owner_id,
            "status": action.status,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_update(actor=acting_user(request), action=action, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect("audits:plan", org_slug=membership.organisation.slug)
    return render(
        request,
        "audits/action_form.html",
        {
            "form": form,
            "finding": action.finding,
            "action": action,
            "derived": SEVERITY_PRIORITY[action.finding.severity],
        },
    )


@organisation_view(Permission.EDIT_ACTIONS)
def action_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    action = _action(request, pk)
    valid = evidence_of(membership).valid_on(timezone.localdate()).distinct()
    form = VerifyForm(request.POST or None, evidence=valid)
    user = acting_user(request)
    if request.method == "POST" and form.is_valid():
        try:
            action_verify(
                actor=user,
                action=action,
                verified_by=user,
                evidence=form.cleaned_data["evidence"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action verified."))
            return redirect("audits:plan", org_slug=membership.organisation.slug)
    return render(
        request,
        "audits/action_verify.html",
        {"form": form, "action": action, "is_owner": action.owner_id == user.pk},
    )
