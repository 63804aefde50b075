from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from compliance.models import Membership
from compliance.permissions import ROLE_PERMISSIONS


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation switcher and the current organisation, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "membership", None)
    return {
        "my_memberships": Membership.objects.of_user(user).select_related("organisation"),
        "current_membership": current,
        "current_organisation": current.organisation if current else None,
        "org_perms": ROLE_PERMISSIONS.get(current.role, frozenset()) if current else frozenset(),
    }
