"""The risk register and a risk's pages: assess, treat, accept, review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.models import RemediationAction
from compliance.models import Membership
from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view
from risks.choices import ControlRole
from risks.filters import RiskFilter
from risks.forms import AcceptForm, ActionForm, RiskForm
from risks.models import Asset, Risk, RiskLevelRecord, RiskMethod
from risks.selectors import existing_controls, planned_controls, risk_rows
from risks.services.actions import risk_action_create
from risks.services.method import method_current
from risks.services.risks import (
    RISK_FIELDS,
    acceptance_allowed,
    risk_accept,
    risk_create,
    risk_delete,
    risk_reassess,
    risk_update,
)
from risks.views.common import errors_to_form, members


def _risk(membership: Membership, pk: int) -> Risk:
    return get_object_or_404(risk_rows(Risk.objects.for_membership(membership)), pk=pk)


@organisation_view(Permission.VIEW_RISKS)
def risk_register(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    scoped = Risk.objects.for_membership(membership)
    risk_filter = RiskFilter(request.GET, queryset=scoped, request=request)
    risks = list(risk_rows(risk_filter.qs if risk_filter.is_valid() else scoped.none()))
    method = method_current(membership.organisation_id)
    rows = [
        {"risk": risk, "existing": existing_controls(risk), "planned": planned_controls(risk)}
        for risk in risks
    ]
    return render(
        request,
        "risks/register.html",
        {
            "rows": rows,
            "filter": risk_filter,
            "method": method,
            "older_method": any(method and r.method_id != method.pk for r in risks),
            "can_manage": membership.has_perm(Permission.MANAGE_RISKS),
        },
    )


def _form(
    request: HttpRequest, membership: Membership, method: RiskMethod, **kwargs: Any
) -> RiskForm:
    return RiskForm(
        request.POST if request.method == "POST" else None,
        memberships=members(membership),
        method=method,
        assets=Asset.objects.for_membership(membership),
        actions=RemediationAction.objects.for_membership(membership)
        .select_related("finding")
        .order_by("due_date", "pk"),
        **kwargs,
    )


def _save_fields(form: RiskForm) -> dict[str, Any]:
    data = form.cleaned_data
    fields = {name: data[name] for name in RISK_FIELDS if name in data}
    return {
        **fields,
        "assets": data["assets"],
        "existing_controls": data["existing_controls"],
        "planned_controls": data["planned_controls"],
        "actions": data["actions"],
    }


@organisation_view(Permission.MANAGE_RISKS)
def risk_new(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    method = method_current(membership.organisation_id)
    if method is None:
        messages.info(request, _("Adopt a risk methodology first (a default one is proposed)."))
        return redirect("risk_method", org_slug=membership.organisation.slug)
    form = _form(request, membership, method)
    if request.method == "POST" and form.is_valid():
        try:
            risk = risk_create(
                actor=acting_user(request),
                organisation=membership.organisation,
                **_save_fields(form),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("%(ref)s created.") % {"ref": risk.reference})
            return redirect("risk_detail", org_slug=membership.organisation.slug, pk=risk.pk)
    return render(request, "risks/risk_form.html", {"form": form, "method": method})


@organisation_view(Permission.MANAGE_RISKS)
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    risk = _risk(membership, pk)
    initial = {name: getattr(risk, name) for name in RISK_FIELDS}
    initial["owner"] = risk.owner_id
    initial["assets"] = [a.pk for a in risk.assets.all()]
    initial["existing_controls"] = [r.pk for r in existing_controls(risk)]
    initial["planned_controls"] = [r.pk for r in planned_controls(risk)]
    initial["actions"] = [a.pk for a in risk.actions.all()]
    form = _form(request, membership, risk.method, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            risk_update(actor=acting_user(request), risk=risk, **_save_fields(form))
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("%(ref)s saved.") % {"ref": risk.reference})
            return redirect("risk_detail", org_slug=membership.organisation.slug, pk=risk.pk)
    return render(
        request, "risks/risk_form.html", {"form": form, "risk": risk, "method": risk.method}
    )


@organisation_view(Permission.VIEW_RISKS)
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    return _render_detail(request, membership, _risk(membership, pk))


def _render_detail(
    request: HttpRequest,
    membership: Membership,
    risk: Risk,
    accept_form: AcceptForm | None = None,
    status: int = 200,
    action_form: ActionForm | None = None,
) -> HttpResponse:
    current = method_current(membership.organisation_id)
    history = list(
        RiskLevelRecord.objects.for_membership(membership)
        .filter(risk=risk)
        .select_related("method")[:50]
    )
    user = acting_user(request)
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "existing": existing_controls(risk),
            "planned": planned_controls(risk),
            "actions": _actions(risk),
            "history": history,
            "current_method": current,
            "outdated_method": current is not None and current.pk != risk.method_id,
            "can_manage": membership.has_perm(Permission.MANAGE_RISKS),
            "can_accept": membership.has_perm(Permission.ACCEPT_RISKS)
            and acceptance_allowed(risk, user),
            "accept_form": accept_form or AcceptForm(),
            "action_form": action_form or ActionForm(memberships=members(membership)),
            "can_add_actions": membership.has_perm(Permission.EDIT_ACTIONS),
            "roles": ControlRole,
        },
        status=status,
    )


def _actions(risk: Risk) -> list[Any]:
    """The remediation actions that carry the risk's treatment (audits app)."""
    return list(risk.actions.select_related("owner", "finding").order_by("due_date"))


@organisation_view(Permission.EDIT_ACTIONS)
@require_POST
def risk_action_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an action of the treatment to the remediation plan."""
    membership = current_membership(request)
    risk = _risk(membership, pk)
    form = ActionForm(request.POST, memberships=members(membership))
    if form.is_valid():
        try:
            risk_action_create(actor=acting_user(request), risk=risk, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Action added to the remediation plan."))
            return redirect("risk_detail", org_slug=membership.organisation.slug, pk=risk.pk)
    return _render_detail(request, membership, risk, action_form=form, status=400)


@organisation_view(Permission.ACCEPT_RISKS)
@require_POST
def risk_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    risk = _risk(membership, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            risk_accept(
                actor=acting_user(request),
                risk=risk,
                reason=form.cleaned_data["acceptance_reason"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request, _("%(ref)s: residual risk accepted.") % {"ref": risk.reference}
            )
            return redirect("risk_detail", org_slug=membership.organisation.slug, pk=risk.pk)
    return _render_detail(request, membership, risk, accept_form=form, status=400)


@organisation_view(Permission.MANAGE_RISKS)
@require_POST
def risk_reassess_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    risk = risk_reassess(actor=acting_user(request), risk=_risk(membership, pk))
    messages.info(
        request,
        _("%(ref)s moves to methodology v%(version)s: assess its levels again.")
        % {"ref": risk.reference, "version": risk.method.version},
    )
    return redirect("risk_edit", org_slug=membership.organisation.slug, pk=risk.pk)


@organisation_view(Permission.MANAGE_RISKS)
def risk_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    risk = _risk(membership, pk)
    if request.method == "POST":
        risk_delete(actor=acting_user(request), risk=risk)
        messages.success(request, _("%(ref)s deleted.") % {"ref": risk.reference})
        return redirect("risk_register", org_slug=membership.organisation.slug)
    return render(request, "risks/risk_confirm_delete.html", {"risk": risk})
