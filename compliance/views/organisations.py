from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from compliance.dashboard import dashboard_context, this_week_context
from compliance.forms import OrganisationSettingsForm
from compliance.models import ApiKey, AuditEvent, Membership
from compliance.permissions import Permission
from compliance.search import MIN_LENGTH, search
from compliance.services.organisations import organisation_update
from compliance.views.base import (
    LAST_ORGANISATION_SESSION_KEY,
    acting_user,
    current_membership,
    organisation_view,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Back to the organisation used last, or to the list when there is a choice to make."""
    memberships = list(Membership.objects.of_user(request.user).select_related("organisation"))
    last = request.session.get(LAST_ORGANISATION_SESSION_KEY)
    slugs = [m.organisation.slug for m in memberships]
    if last in slugs:
        return redirect("organisation_home", org_slug=last)
    if len(memberships) == 1:
        return redirect("organisation_home", org_slug=slugs[0])
    return render(request, "compliance/organisation_list.html", {"memberships": memberships})


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.of_user(request.user).select_related("organisation")
    return render(request, "compliance/organisation_list.html", {"memberships": memberships})


@organisation_view(Permission.VIEW_ORGANISATION)
def organisation_home(request: HttpRequest) -> HttpResponse:
    """The dashboard. htmx asks for the "this week" panels alone every minute."""
    membership = current_membership(request)
    if request.htmx and request.GET.get("panel") == "this-week":  # type: ignore[attr-defined]
        return render(
            request, "compliance/dashboard/_this_week.html", this_week_context(membership)
        )
    can_see_trail = membership.has_perm(Permission.VIEW_AUDIT_TRAIL)
    context = {
        "member_count": Membership.objects.for_membership(membership).count(),
        "active_api_key_count": ApiKey.objects.for_membership(membership)
        .filter(revoked_at__isnull=True)
        .count(),
        "recent_events": AuditEvent.objects.for_membership(membership)[:8] if can_see_trail else [],
        "can_see_trail": can_see_trail,
        **dashboard_context(membership),
    }
    return render(request, "compliance/organisation_home.html", context)


@organisation_view(Permission.CHANGE_ORGANISATION)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    organisation = membership.organisation
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(
                actor=acting_user(request), organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The organisation's details were saved."))
            return redirect("organisation_settings", org_slug=organisation.slug)
    return render(request, "compliance/organisation_settings.html", {"form": form})


@organisation_view(Permission.VIEW_ORGANISATION)
def organisation_search(request: HttpRequest) -> HttpResponse:
    """Search the organisation's requirements, evidence, findings, actions, register,
    risks and incidents (compliance/search.py)."""
    query = request.GET.get("q", "").strip()
    groups = search(current_membership(request), query)
    return render(
        request,
        "compliance/search.html",
        {"query": query, "groups": groups, "too_short": 0 < len(query) < MIN_LENGTH},
    )
