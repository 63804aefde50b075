from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.forms import ChangeRoleForm, InviteMemberForm
from compliance.models import Membership
from compliance.permissions import Permission
from compliance.services.organisations import (
    membership_change_role,
    membership_invite,
    membership_remove,
    membership_resend_invitation,
)
from compliance.views.base import acting_user, current_membership, organisation_view


def _render_list(request: HttpRequest, invite_form: InviteMemberForm | None = None) -> HttpResponse:
    membership = current_membership(request)
    members = (
        Membership.objects.for_membership(membership)
        .select_related("user")
        .order_by("user__last_name", "user__email")
    )
    return render(
        request,
        "compliance/member_list.html",
        {
            "members": members,
            "can_manage": membership.has_perm(Permission.MANAGE_MEMBERS),
            "invite_form": invite_form or InviteMemberForm(),
            "role_form": ChangeRoleForm(),
        },
    )


@organisation_view(Permission.VIEW_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@organisation_view(Permission.MANAGE_MEMBERS)
@require_POST
def member_invite(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = InviteMemberForm(request.POST)
    if form.is_valid():
        try:
            membership_invite(
                actor=acting_user(request),
                organisation=membership.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, _("%(email)s has been invited.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("member_list", org_slug=membership.organisation.slug)
    return _render_list(request, invite_form=form)


@organisation_view(Permission.MANAGE_MEMBERS)
@require_POST
def member_change_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    target = get_object_or_404(Membership.objects.for_membership(membership), pk=pk)
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
    else:
        try:
            membership_change_role(
                actor=acting_user(request), membership=target, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The role of %(email)s was changed.") % {"email": target.user.email}
            )
    return redirect("member_list", org_slug=membership.organisation.slug)


@organisation_view(Permission.MANAGE_MEMBERS)
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes."""
    membership = current_membership(request)
    target = get_object_or_404(
        Membership.objects.for_membership(membership).select_related("user"), pk=pk
    )
    if request.method == "POST":
        try:
            membership_remove(actor=acting_user(request), membership=target)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(email)s no longer has access.") % {"email": target.user.email}
            )
            if target.pk == membership.pk:
                return redirect("home")
        return redirect("member_list", org_slug=membership.organisation.slug)
    return render(request, "compliance/member_confirm_remove.html", {"target": target})


@organisation_view(Permission.MANAGE_MEMBERS)
@require_POST
def member_resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    target = get_object_or_404(
        Membership.objects.for_membership(membership).select_related("user", "organisation"), pk=pk
    )
    try:
        membership_resend_invitation(
            actor=acting_user(request), membership=target, site_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": target.user.email}
        )
    return redirect("member_list", org_slug=membership.organisation.slug)
