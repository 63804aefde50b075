"""Two-factor enrolment and verification, and accepting an invitation."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from compliance.forms import TokenForm
from compliance.services.accounts import totp_device_confirm, totp_device_start
from compliance.views.base import acting_user, safe_next


def _safe_next(request: HttpRequest) -> str:
    return safe_next(request, str(reverse_lazy("home")))


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if user_has_device(request.user):
        return redirect("two_factor_verify")
    device = totp_device_start(user=acting_user(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            totp_device_confirm(user=acting_user(request), device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_safe_next(request))
        form.add_error(
            "token", _("This code is not valid. Check your phone's clock and try again.")
        )
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg_data": base64.b64encode(buffer.getvalue()).decode(),
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _safe_next(request),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user):
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error(
            "token",
            _(
                "This code is not valid. After several wrong codes, "
                "wait a little before trying again."
            ),
        )
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """An invited person chooses their password through a one-time link (Django's
    password-reset token: it stops working once a password is set)."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        messages.success(self.request, _("Your password is set. You can now log in."))
        return super().form_valid(form)
