"""How an HTML view reaches tenant data: through the membership of the URL's organisation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from compliance.models import Membership, User

LAST_ORGANISATION_SESSION_KEY = "egide_last_organisation"

ViewFunc = Callable[..., HttpResponse]


def resolve_membership(request: HttpRequest, slug: str) -> Membership:
    """The caller's membership of organisation ``slug``; 404 when they are not a member,
    so the existence of another organisation is never confirmed."""
    return get_object_or_404(
        Membership.objects.of_user(request.user).select_related("organisation", "user"),
        organisation__slug=slug,
    )


def organisation_view(permission: str) -> Callable[[ViewFunc], ViewFunc]:
    """Resolve ``/o/<org_slug>/...`` to ``request.membership`` and check the role's
    permission (403 inside one's own organisation, never for someone else's)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @login_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = resolve_membership(request, org_slug)
            if not membership.has_perm(permission):
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            if request.session.get(LAST_ORGANISATION_SESSION_KEY) != org_slug:
                request.session[LAST_ORGANISATION_SESSION_KEY] = org_slug
            return view(request, *args, **kwargs)

        # Read by the isolation test that walks every URL with every role.
        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` URL the form came from, when it points inside this site (no open
    redirect); ``default`` otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def acting_user(request: HttpRequest) -> User:
    """The logged-in user as a service ``actor`` (views behind login_required only)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def current_membership(request: HttpRequest) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    return membership
