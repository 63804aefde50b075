"""``Authorization: Bearer <key>`` with an organisation API key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from compliance.models import ApiKey
from compliance.services.api_keys import api_key_authenticate


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """``request.user`` for an API call: the key acts, not a person."""

    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    pk: None = None

    def __str__(self) -> str:
        return f"api-key:{self.api_key.display_prefix}"


def request_api_key(request: Request) -> ApiKey:
    """The API key that authenticated this request (views behind HasApiKeyScope)."""
    if not isinstance(request.auth, ApiKey):
        raise exceptions.NotAuthenticated
    return request.auth


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"
    # One message for unknown, malformed, expired and revoked keys: nothing else revealed.
    failure_message = _("Invalid, expired or revoked API key.")

    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(self.failure_message)
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(self.failure_message) from None
        api_key = api_key_authenticate(raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(self.failure_message)
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="egide"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "compliance.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Organisation API key: `Authorization: Bearer egide_xxxxxxxx_...`",
        }
