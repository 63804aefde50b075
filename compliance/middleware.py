"""Request logging and two-factor enforcement."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

request_logger = logging.getLogger("egide.requests")


class RequestLogMiddleware:
    """One structured log line per request (JSON in production)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def two_factor_required(user: object) -> bool:
    """TOTP is required when the user enrolled a device, belongs to an organisation that
    requires it, or holds a role listed in EGIDE_TWO_FACTOR_ROLES (managers and lead
    auditors in production)."""
    from django_otp import user_has_device

    from compliance.models import Membership

    if user_has_device(user):
        return True
    rule = Q(organisation__require_two_factor=True)
    if settings.EGIDE_TWO_FACTOR_ROLES:
        rule |= Q(role__in=settings.EGIDE_TWO_FACTOR_ROLES)
    return Membership.objects.of_user(user).filter(rule).exists()


class TwoFactorEnforcementMiddleware:
    """Sends a logged-in user who must use TOTP, and has not yet in this session, to the
    verification page (or to enrolment when they have no device yet)."""

    EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and two_factor_required(user)
        ):
            from django_otp import user_has_device

            target = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
