"""Recording implementation statuses and SoA lines, and offering them across mappings.

A status recorded on one requirement is *offered* on the requirements mapped to it
(``suggested_*`` fields); a person confirms it. ``equal`` and ``superset`` carry the
status over as it is; ``subset`` and ``intersect`` carry it at most as "partial",
because the other requirement asks for something the first one does not cover.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from compliance.models import Organisation, User
from compliance.services.audit_trail import Actor, audit_event_record, diff, snapshot
from controls.choices import STATUS_ORDER, ImplementationStatus, Relationship
from controls.models import Applicability, ControlStatus, Requirement, RequirementMapping
from controls.models.status import StatusFields
from controls.selectors import is_soa_control

SOA_FIELDS = (
    "applicable",
    "inclusion_justification",
    "exclusion_justification",
    "status",
    "owner_id",
    "notes",
)
STATUS_FIELDS = ("status", "owner_id", "notes")


def row_model(requirement: Requirement) -> type[StatusFields]:
    return Applicability if is_soa_control(requirement) else ControlStatus


def derived_status(status: str, relationship: str) -> str:
    """The status offered to the other side of a link, seen from the side that changed
    (``relationship`` reads "changed side is <relationship> of the other side")."""
    if relationship in (Relationship.EQUAL, Relationship.SUPERSET):
        return status
    capped = min(
        STATUS_ORDER.index(ImplementationStatus(status)),
        STATUS_ORDER.index(ImplementationStatus.PARTIAL),
    )
    return STATUS_ORDER[capped]


def _row_for_update(organisation: Organisation, requirement: Requirement) -> StatusFields:
    model = row_model(requirement)
    row, _created = model.objects.select_for_update().get_or_create(
        organisation=organisation, requirement=requirement
    )
    return row


def _validate_owner(organisation: Organisation, owner: User | None) -> None:
    if owner is not None and not owner.memberships.filter(organisation=organisation).exists():
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})


def _validate_soa_line(row: Applicability) -> None:
    if row.applicable is False and not row.exclusion_justification.strip():
        raise ValidationError(
            {
                "exclusion_justification": _(
                    "An excluded control needs a justification for its exclusion."
                )
            }
        )


def requirement_status_update(
    *,
    actor: Actor,
    organisation: Organisation,
    requirement: Requirement,
    confirmed_from: Requirement | None = None,
    **fields: Any,
) -> StatusFields:
    """Record a person's decision on one requirement (an SoA line for Annex A controls:
    ``applicable``, justifications; a status, an owner and notes for every requirement),
    then offer the status to mapped requirements."""
    if not requirement.assessable:
        raise ValidationError(
            _("This item groups requirements; record statuses on the requirements it contains.")
        )
    allowed = set(SOA_FIELDS if is_soa_control(requirement) else STATUS_FIELDS) | {"owner"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if "status" in fields and fields["status"] not in ImplementationStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if "owner" in fields:
        _validate_owner(organisation, fields["owner"])

    with transaction.atomic():
        row = _row_for_update(organisation, requirement)
        tracked = SOA_FIELDS if isinstance(row, Applicability) else STATUS_FIELDS
        before = snapshot(row, tracked)
        for name, value in fields.items():
            setattr(row, name, value)
        if "status" in fields and row.suggested_status == row.status:
            row.suggested_status, row.suggested_from, row.suggested_relationship = "", None, ""
        if isinstance(row, Applicability):
            _validate_soa_line(row)
        changes = diff(before, snapshot(row, tracked))
        if not changes:
            return row
        row.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="soa_line.update"
            if isinstance(row, Applicability)
            else "requirement_status.update",
            target=row,
            changes={"requirement": [requirement.ref_id, requirement.ref_id], **changes},
        )
        if "status" in changes:
            _offer_to_mapped(
                actor=actor,
                organisation=organisation,
                requirement=requirement,
                status=row.status,
                skip=confirmed_from,
            )
    return row


def _offer_to_mapped(
    *,
    actor: Actor,
    organisation: Organisation,
    requirement: Requirement,
    status: str,
    skip: Requirement | None = None,
) -> None:
    """Offer ``status`` to every requirement mapped to ``requirement`` except ``skip``,
    the one a just-confirmed status came from (no offer bounces back to its origin)."""
    links = RequirementMapping.objects.filter(
        Q(source=requirement) | Q(target=requirement)
    ).select_related("source__framework", "target__framework")
    for link in links:
        if link.source_id == requirement.pk:
            other, relationship = link.target, Relationship(link.relationship)
        else:
            other, relationship = link.source, Relationship(link.relationship).inverse
        if not other.assessable or (skip is not None and other.pk == skip.pk):
            continue
        offered = derived_status(status, relationship)
        row = _row_for_update(organisation, other)
        if row.status == offered:
            continue
        row.suggested_status = offered
        row.suggested_from = requirement
        row.suggested_relationship = relationship
        row.save(
            update_fields=[
                "suggested_status",
                "suggested_from",
                "suggested_relationship",
                "updated_at",
            ]
        )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="requirement_status.suggest",
            target=row,
            changes={
                "requirement": [other.ref_id, other.ref_id],
                "suggested_status": [None, offered],
                "suggested_from": [None, f"{requirement.framework.code}:{requirement.ref_id}"],
            },
        )


def suggestion_confirm(
    *, actor: Actor, organisation: Organisation, requirement: Requirement
) -> StatusFields:
    """A person accepts the status offered by a mapped requirement."""
    model = row_model(requirement)
    row = model.objects.filter(organisation=organisation, requirement=requirement).first()
    if row is None or not row.suggested_status:
        raise ValidationError(_("There is no suggested status to confirm."))
    return requirement_status_update(
        actor=actor,
        organisation=organisation,
        requirement=requirement,
        status=row.suggested_status,
        confirmed_from=row.suggested_from,
    )


def suggestion_dismiss(
    *, actor: Actor, organisation: Organisation, requirement: Requirement
) -> None:
    with transaction.atomic():
        row = (
            row_model(requirement)
            .objects.select_for_update()
            .filter(organisation=organisation, requirement=requirement)
            .first()
        )
        if row is None or not row.suggested_status:
            return
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="requirement_status.dismiss_suggestion",
            target=row,
            changes={
                "requirement": [requirement.ref_id, requirement.ref_id],
                "suggested_status": [row.suggested_status, None],
            },
        )
        row.suggested_status, row.suggested_from, row.suggested_relationship = "", None, ""
        row.save(
            update_fields=[
                "suggested_status",
                "suggested_from",
                "suggested_relationship",
                "updated_at",
            ]
        )


def soa_bulk_update(
    *, actor: Actor, organisation: Organisation, requirements: list[Requirement], **fields: Any
) -> int:
    """The same change on many SoA lines (e.g. a whole theme applicable, one owner)."""
    with transaction.atomic():
        for requirement in requirements:
            requirement_status_update(
                actor=actor, organisation=organisation, requirement=requirement, **fields
            )
    return len(requirements)
