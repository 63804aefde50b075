from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from compliance.api.authentication import ApiKeyAuthentication
from compliance.choices import ApiKeyScope
from compliance.models import ApiKey


class HasApiKeyScope(permissions.BasePermission):
    """Reads need the ``read`` scope, writes the ``write`` scope."""

    message: Any = _("This API key is not allowed to do this (missing scope).")

    def has_permission(self, request: Request, view: Any) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            # No key at all gets the same 401 as a refused key: nothing to tell apart.
            raise exceptions.AuthenticationFailed(ApiKeyAuthentication.failure_message)
        needed = (
            ApiKeyScope.READ if request.method in permissions.SAFE_METHODS else ApiKeyScope.WRITE
        )
        if not api_key.allows(needed):
            self.message = _("This API key has no “%(scope)s” scope.") % {"scope": needed}
            return False
        return True
