"""Account security writes: two-factor enrolment."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.models import User
from compliance.services.audit_trail import Actor, audit_event_record


def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created once and reused until
    confirmed, so reloading the enrolment page does not change the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Egide", confirmed=False)
    return device


def totp_device_confirm(*, user: User, device: TOTPDevice) -> TOTPDevice:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_event_record(
            actor=user,
            organisation=None,
            action="user.two_factor_enable",
            target=user,
            changes={"two_factor": [False, True]},
        )
    return device


def user_create(
    *, actor: Actor, email: str, password: str | None, first_name: str = "", last_name: str = ""
) -> User:
    """A new account (no organisation yet). Recorded in the global audit chain."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
        audit_event_record(
            actor=actor,
            organisation=None,
            action="user.create",
            target=user,
            changes={"email": [None, user.email]},
        )
    return user
