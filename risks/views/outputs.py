"""Heat map, register exports, the risk treatment plan and the SoA coverage."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view
from controls.models import Applicability, Requirement
from controls.selectors import soa_framework
from risks.models import Risk, RiskControl
from risks.selectors import (
    existing_controls,
    heat_map,
    heat_map_layout,
    planned_controls,
    risk_rows,
)
from risks.services.export import register_to_csv, register_to_xlsx
from risks.services.method import method_current
from risks.services.soa import soa_justify_from_risks


@organisation_view(Permission.VIEW_RISKS)
def risk_heatmap(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    method = method_current(membership.organisation_id)
    risks = list(
        Risk.objects.for_membership(membership).select_related("method").order_by("number")
    )
    maps = []
    if method is not None:
        for stage, heading in (
            ("current", _("Current risks")),
            ("residual", _("Target residual risks")),
        ):
            heat = heat_map(method, risks, stage)
            maps.append(
                {
                    "stage": stage,
                    "heading": heading,
                    "heat": heat,
                    "layout": heat_map_layout(heat, _("Likelihood"), _("Impact")),
                }
            )
    other = [risk for risk in risks if method is None or risk.method_id != method.pk]
    return render(
        request,
        "risks/heatmap.html",
        {"method": method, "maps_with_layout": maps, "other_method": other, "total": len(risks)},
    )


@organisation_view(Permission.VIEW_RISKS)
def risk_export(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    risks = list(risk_rows(Risk.objects.for_membership(membership)))
    language = "en" if request.GET.get("lang") == "en" else "fr"
    name = f"risk-register-{membership.organisation.slug}-{language}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            register_to_xlsx(risks, language, membership.organisation.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(
        register_to_csv(risks, language), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def treatment_plan_context(risks: list[Risk]) -> dict[str, Any]:
    """What the risk treatment plan (6.1.3 e) shows: every treated risk with its planned
    controls and actions, owner, target residual level and acceptance (6.1.3 f)."""
    lines = []
    for risk in risks:
        if not risk.treatment:
            continue
        lines.append(
            {
                "risk": risk,
                "existing": existing_controls(risk),
                "planned": planned_controls(risk),
                "actions": list(risk.actions.all()),
            }
        )
    return {"lines": lines, "untreated": [r for r in risks if not r.treatment]}


@organisation_view(Permission.VIEW_RISKS)
def treatment_plan(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    risks = risk_rows(Risk.objects.for_membership(membership)).prefetch_related(
        "actions__owner", "actions__finding"
    )
    context = treatment_plan_context(list(risks))
    return render(request, "risks/treatment_plan.html", context)


@organisation_view(Permission.VIEW_RISKS)
def soa_coverage(request: HttpRequest) -> HttpResponse:
    """Each SoA control with the risks it treats; flags a control excluded from the SoA
    while it treats a risk, and a risk control missing from the SoA decision."""
    membership = current_membership(request)
    framework = soa_framework()
    if framework is None:
        raise Http404
    links = (
        RiskControl.objects.for_membership(membership)
        .filter(requirement__framework=framework)
        .select_related("risk")
        .order_by("risk__number")
    )
    by_control: dict[int, dict[int, Risk]] = defaultdict(dict)
    for link in links:
        by_control[link.requirement_id][link.risk_id] = link.risk
    lines = {
        line.requirement_id: line
        for line in Applicability.objects.for_membership(membership).filter(
            requirement__framework=framework
        )
    }
    rows = []
    for requirement in (
        Requirement.objects.soa_controls().filter(framework=framework).order_by("order")
    ):
        line = lines.get(requirement.pk)
        risks = list(by_control.get(requirement.pk, {}).values())
        applicable = line.applicable if line else None
        rows.append(
            {
                "requirement": requirement,
                "line": line,
                "risks": risks,
                "flag_excluded": applicable is False and bool(risks),
                "flag_undecided": applicable is None and bool(risks),
            }
        )
    show = request.GET.get("show", "")
    if show == "treating":
        rows = [row for row in rows if row["risks"]]
    elif show == "flags":
        rows = [row for row in rows if row["flag_excluded"] or row["flag_undecided"]]
    return render(
        request,
        "risks/soa_coverage.html",
        {
            "rows": rows,
            "show": show,
            "flagged": sum(1 for row in rows if row["flag_excluded"]),
            "can_edit_soa": membership.has_perm(Permission.EDIT_SOA),
        },
    )


@organisation_view(Permission.EDIT_SOA)
@require_POST
def soa_justify(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    requirement = get_object_or_404(Requirement.objects.soa_controls(), pk=pk)
    text = soa_justify_from_risks(
        actor=acting_user(request),
        organisation=membership.organisation,
        requirement=requirement,
    )
    if text:
        messages.success(
            request,
            _("%(ref)s is applicable, justified by the risks it treats.")
            % {"ref": requirement.ref_id},
        )
    else:
        messages.error(request, _("%(ref)s treats no risk yet.") % {"ref": requirement.ref_id})
    return redirect("risk_soa_coverage", org_slug=membership.organisation.slug)
