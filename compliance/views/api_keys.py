from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from compliance.forms import ApiKeyForm
from compliance.models import ApiKey
from compliance.permissions import Permission
from compliance.services.api_keys import api_key_create, api_key_revoke
from compliance.views.base import acting_user, current_membership, organisation_view


@organisation_view(Permission.MANAGE_API_KEYS)
def api_key_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    keys = ApiKey.objects.for_membership(membership).select_related("created_by")
    return render(request, "compliance/api_key_list.html", {"api_keys": keys})


@organisation_view(Permission.MANAGE_API_KEYS)
def api_key_new(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_key_create(
                actor=acting_user(request),
                organisation=membership.organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Rendered, not redirected: the key exists in clear only in this response.
            response = render(
                request,
                "compliance/api_key_created.html",
                {"issued": issued, "api_key": issued.api_key},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "compliance/api_key_form.html", {"form": form})


@organisation_view(Permission.MANAGE_API_KEYS)
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    api_key = get_object_or_404(ApiKey.objects.for_membership(membership), pk=pk)
    if request.method == "POST":
        api_key_revoke(actor=acting_user(request), api_key=api_key)
        messages.success(request, _("The key “%(name)s” was revoked.") % {"name": api_key.name})
        return redirect("api_key_list", org_slug=membership.organisation.slug)
    return render(request, "compliance/api_key_confirm_revoke.html", {"api_key": api_key})
