"""Writes on organisations and memberships. Each runs in one transaction with its audit row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from compliance.choices import Role
from compliance.models import Membership, Organisation, User
from compliance.services.audit_trail import Actor, audit_event_record, diff, snapshot

ORGANISATION_EDITABLE_FIELDS = (
    "name",
    "kind",
    "nis2_classification",
    "staff_count",
    "siret",
    "finess",
    "require_two_factor",
)


def organisation_create(
    *, actor: Actor, name: str, slug: str, kind: str, **fields: Any
) -> Organisation:
    with transaction.atomic():
        organisation = Organisation(name=name, slug=slug, kind=kind, **fields)
        organisation.full_clean()
        organisation.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="organisation.create",
            target=organisation,
            changes=diff(
                {}, snapshot(organisation, ("name", "slug", *ORGANISATION_EDITABLE_FIELDS))
            ),
        )
    return organisation


def organisation_update(*, actor: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    unknown = set(fields) - set(ORGANISATION_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = snapshot(organisation, fields)
        for field, value in fields.items():
            setattr(organisation, field, value)
        organisation.full_clean()
        changes = diff(before, snapshot(organisation, fields))
        if changes:
            organisation.save(update_fields=list(changes))
            audit_event_record(
                actor=actor,
                organisation=organisation,
                action="organisation.update",
                target=organisation,
                changes=changes,
            )
    return organisation


def _ensure_a_manager_remains(membership: Membership) -> None:
    # Lock the organisation row first: two managers demoting each other at the same
    # moment would otherwise both see the other one still a manager.
    Organisation.objects.select_for_update().filter(pk=membership.organisation_id).first()
    other_managers = (
        Membership.objects.for_membership(membership)
        .filter(role=Role.MANAGER)
        .exclude(pk=membership.pk)
    )
    if membership.role == Role.MANAGER and not other_managers.exists():
        raise ValidationError(
            _("An organisation must keep at least one manager: name another manager first.")
        )


def membership_create(
    *, actor: Actor, organisation: Organisation, user: User, role: str
) -> Membership:
    with transaction.atomic():
        membership = Membership(organisation=organisation, user=user, role=role)
        membership.full_clean()
        membership.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="membership.create",
            target=membership,
            changes={"user": [None, user.email], "role": [None, role]},
        )
    return membership


def membership_invite(
    *, actor: Actor, organisation: Organisation, email: str, role: str, site_url: str
) -> Membership:
    """Give ``email`` a role in the organisation. A person new to Egide gets an account
    without a password and an e-mail with a link to choose one."""
    email = User.objects.normalize_email(email).strip()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None)
            audit_event_record(
                actor=actor,
                organisation=organisation,
                action="user.create",
                target=user,
                changes={"email": [None, email]},
            )
        elif Membership.objects.filter(organisation=organisation, user=user).exists():
            raise ValidationError(
                _("%(email)s is already a member of this organisation.") % {"email": email}
            )
        # Someone invited before who never chose a password gets a fresh set-password link.
        needs_password = not user.has_usable_password()
        membership = membership_create(actor=actor, organisation=organisation, user=user, role=role)
        transaction.on_commit(
            lambda: _send_invitation(
                user=user,
                organisation=organisation,
                site_url=site_url,
                needs_password=needs_password,
            )
        )
    return membership


def _send_invitation(
    *, user: User, organisation: Organisation, site_url: str, needs_password: bool
) -> None:
    if needs_password:
        token = default_token_generator.make_token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = site_url.rstrip("/") + reverse("invitation_accept", args=[uid, token])
    else:
        link = site_url.rstrip("/") + reverse("organisation_home", args=[organisation.slug])
    with translation.override("fr"):
        subject = _("You have been invited to %(organisation)s on Egide") % {
            "organisation": organisation.name
        }
        body = _(
            "You now have access to %(organisation)s on Egide.\n\n"
            "Open this link to continue:\n%(link)s\n"
        ) % {"organisation": organisation.name, "link": link}
    send_mail(subject, body, None, [user.email])


def membership_resend_invitation(*, actor: Actor, membership: Membership, site_url: str) -> None:
    """Send a new set-password link to a member who has not chosen a password yet
    (the previous link may have expired after a week)."""
    user = membership.user
    if user.has_usable_password():
        raise ValidationError(
            _("%(email)s has already activated their account.") % {"email": user.email}
        )
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=membership.organisation,
            action="membership.resend_invitation",
            target=membership,
        )
        transaction.on_commit(
            lambda: _send_invitation(
                user=user,
                organisation=membership.organisation,
                site_url=site_url,
                needs_password=True,
            )
        )


def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == role:
            return membership
        if role != Role.MANAGER:
            _ensure_a_manager_remains(membership)
        old_role = membership.role
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        audit_event_record(
            actor=actor,
            organisation=membership.organisation,
            action="membership.change_role",
            target=membership,
            changes={"role": [old_role, role]},
        )
    return membership


def membership_remove(*, actor: Actor, membership: Membership) -> None:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user", "organisation")
            .get(pk=membership.pk)
        )
        _ensure_a_manager_remains(membership)
        audit_event_record(
            actor=actor,
            organisation=membership.organisation,
            action="membership.remove",
            target=membership,
            changes={"user": [membership.user.email, None], "role": [membership.role, None]},
        )
        membership.delete()
