"""Assets, the risk methodology and the starter library."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.permissions import Permission
from compliance.views.base import acting_user, current_membership, organisation_view
from risks.choices import LibrarySource
from risks.filters import AssetFilter
from risks.forms import AssetForm, MethodForm
from risks.library import LIBRARY
from risks.models import Asset, Risk, RiskMethod
from risks.services.assets import asset_create, asset_delete, asset_update
from risks.services.method import method_current, method_save
from risks.services.risks import risks_from_library
from risks.views.common import errors_to_form, members

ASSET_FORM_FIELDS = ("name", "kind", "classification", "health_data", "description", "owner")


@organisation_view(Permission.VIEW_RISKS)
def asset_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    scoped = Asset.objects.for_membership(membership)
    asset_filter = AssetFilter(request.GET, queryset=scoped)
    assets = (asset_filter.qs if asset_filter.is_valid() else scoped.none()).select_related("owner")
    return render(
        request,
        "risks/asset_list.html",
        {
            "assets": list(assets),
            "filter": asset_filter,
            "can_manage": membership.has_perm(Permission.MANAGE_RISKS),
        },
    )


@organisation_view(Permission.MANAGE_RISKS)
def asset_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    membership = current_membership(request)
    asset = get_object_or_404(Asset.objects.for_membership(membership), pk=pk) if pk else None
    initial = {name: getattr(asset, name) for name in ASSET_FORM_FIELDS} if asset else {}
    if asset:
        initial["owner"] = asset.owner_id
    form = AssetForm(
        request.POST if request.method == "POST" else None,
        memberships=members(membership),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ASSET_FORM_FIELDS}
        try:
            if asset is None:
                asset = asset_create(
                    actor=acting_user(request), organisation=membership.organisation, **fields
                )
            else:
                asset = asset_update(actor=acting_user(request), asset=asset, **fields)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Asset “%(name)s” saved.") % {"name": asset.name})
            return redirect("asset_list", org_slug=membership.organisation.slug)
    return render(request, "risks/asset_form.html", {"form": form, "asset": asset})


@organisation_view(Permission.MANAGE_RISKS)
def asset_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    asset = get_object_or_404(Asset.objects.for_membership(membership), pk=pk)
    if request.method == "POST":
        asset_delete(actor=acting_user(request), asset=asset)
        messages.success(request, _("Asset “%(name)s” deleted.") % {"name": asset.name})
        return redirect("asset_list", org_slug=membership.organisation.slug)
    risks = list(asset.risks.order_by("number"))
    return render(request, "risks/asset_confirm_delete.html", {"asset": asset, "risks": risks})


@organisation_view(Permission.VIEW_RISKS)
def risk_method(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    current = method_current(membership.organisation_id)
    can_manage = membership.has_perm(Permission.MANAGE_RISKS)
    form = MethodForm(
        request.POST if request.method == "POST" else None,
        initial=MethodForm.initial_from(current),
    )
    if request.method == "POST":
        if not can_manage:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                method = method_save(
                    actor=acting_user(request),
                    organisation=membership.organisation,
                    likelihood_labels=form.labels("likelihood"),
                    impact_labels=form.labels("impact"),
                    acceptance_threshold=form.cleaned_data["acceptance_threshold"],
                    acceptor_roles=form.cleaned_data["acceptor_roles"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if current is not None and method.pk == current.pk:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(
                        request,
                        _(
                            "Methodology v%(version)s adopted. Risks assessed under an earlier "
                            "version keep it until they are reassessed."
                        )
                        % {"version": method.version},
                    )
                return redirect("risk_method", org_slug=membership.organisation.slug)
    versions = list(RiskMethod.objects.for_membership(membership))
    return render(
        request,
        "risks/method.html",
        {
            "method": current,
            "form": form,
            "label_rows": form.label_rows(),
            "versions": versions,
            "can_manage": can_manage,
        },
    )


@organisation_view(Permission.VIEW_RISKS)
def risk_method_version(request: HttpRequest, version: int) -> HttpResponse:
    membership = current_membership(request)
    method = get_object_or_404(RiskMethod.objects.for_membership(membership), version=version)
    risks = Risk.objects.for_membership(membership).filter(method=method).count()
    return render(request, "risks/method_version.html", {"method": method, "risk_count": risks})


@organisation_view(Permission.VIEW_RISKS)
def library(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    taken = set(
        Risk.objects.for_membership(membership)
        .exclude(library_code="")
        .values_list("library_code", flat=True)
    )
    groups = [
        (label, [s for s in LIBRARY if s.source == source])
        for source, label in LibrarySource.choices
    ]
    return render(
        request,
        "risks/library.html",
        {
            "groups": groups,
            "taken": taken,
            "can_manage": membership.has_perm(Permission.MANAGE_RISKS),
        },
    )


@organisation_view(Permission.MANAGE_RISKS)
@require_POST
def library_select(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    codes = request.POST.getlist("codes")
    slug = membership.organisation.slug
    if not codes:
        messages.error(request, _("Choose at least one scenario."))
        return redirect("risk_library", org_slug=slug)
    try:
        created = risks_from_library(
            actor=acting_user(request),
            organisation=membership.organisation,
            codes=codes,
            language=translation.get_language() or "fr",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("risk_library", org_slug=slug)
    messages.success(
        request,
        _("%(count)s risks added to the register: assess and treat them.")
        % {"count": len(created)},
    )
    return redirect("risk_register", org_slug=slug)
