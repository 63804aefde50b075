"""Writes of the evidence app: items, their revisions and the requirements they support.

Every function runs in one transaction with its audit-trail row. Files are checked and
stored before the transaction opens (hashing and copying are slow I/O), under their
content hash, so a failed transaction leaves at most a blob no row points at, which is
deleted again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Organisation, User
from compliance.services.audit_trail import Actor, actor_label, audit_event_record
from controls.models import Requirement
from evidence.models import Evidence, EvidenceRevision
from evidence.services.files import IncomingFile, discard_unreferenced, inspect_files, store


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _check_dates(collected_on: datetime.date | None, expires_on: datetime.date | None) -> None:
    if collected_on and expires_on and expires_on < collected_on:
        raise ValidationError(
            {"expires_on": _("The expiry date cannot be before the collection date.")}
        )
    if collected_on and collected_on > timezone.localdate():
        raise ValidationError({"collected_on": _("The collection date cannot be in the future.")})


def _check_url(url: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a web address starting with https://.")}) from None


def _store_all(incoming: Sequence[IncomingFile]) -> tuple[list[str], list[str]]:
    names, written = [], []
    try:
        for item in incoming:
            name, new = store(item)
            names.append(name)
            if new:
                written.append(name)
    except Exception:
        discard_unreferenced(written)
        raise
    return names, written


def _add_revisions(
    *,
    actor: Actor,
    evidence: Evidence,
    incoming: Sequence[IncomingFile],
    names: Sequence[str],
    collected_on: datetime.date | None,
    expires_on: datetime.date | None,
) -> list[EvidenceRevision]:
    """Inside the caller's transaction, with the item row locked: numbers follow on."""
    last = evidence.revisions.aggregate(n=Max("number"))["n"] or 0
    now = timezone.now()
    revisions = []
    for offset, (item, name) in enumerate(zip(incoming, names, strict=True), start=1):
        revision = EvidenceRevision(
            evidence=evidence,
            number=last + offset,
            original_name=item.name,
            size=item.size,
            sha256=item.sha256,
            media_type=item.media_type,
            storage_name=name,
            uploaded_by=_user(actor),
            uploaded_by_label=actor_label(actor)[:254],
            uploaded_at=now,
            collected_on=collected_on,
            expires_on=expires_on,
        )
        revision.save()
        revisions.append(revision)
    # The newest upload renews the item: its dates are the ones that count.
    evidence.collected_on, evidence.expires_on = collected_on, expires_on
    Evidence.objects.filter(pk=evidence.pk).update(collected_on=collected_on, expires_on=expires_on)
    return revisions


def _revision_changes(revisions: Iterable[EvidenceRevision]) -> list[dict[str, Any]]:
    return [
        {
            "number": r.number,
            "name": r.original_name,
            "size": r.size,
            "sha256": r.sha256,
            "media_type": r.media_type,
            "collected_on": r.collected_on,
            "expires_on": r.expires_on,
        }
        for r in revisions
    ]


def _check_requirements(requirements: Iterable[Requirement]) -> list[Requirement]:
    requirements = list(requirements)
    if any(not r.assessable for r in requirements):
        raise ValidationError(
            {"requirements": _("Evidence can only support assessable requirements.")}
        )
    return requirements


def evidence_create(
    *,
    actor: Actor,
    organisation: Organisation,
    title: str,
    description: str = "",
    url: str = "",
    requirements: Iterable[Requirement] = (),
    files: Iterable[Any] = (),
    collected_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> Evidence:
    """A new evidence item: files (one revision each) or a link, never both, never
    neither. Each file is refused when empty, too large, of a type the settings do not
    allow, or named as something it is not."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the evidence a title.")})
    url = url.strip()
    files = list(files)
    if url and files:
        raise ValidationError(_("An evidence item is either files or a link, not both."))
    if not url and not files:
        raise ValidationError(_("Add at least one file, or a link."))
    if url:
        _check_url(url)
    _check_dates(collected_on, expires_on)
    requirements = _check_requirements(requirements)
    incoming = inspect_files(files)
    names, written = _store_all(incoming)
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                organisation=organisation,
                title=title[:255],
                description=description,
                url=url,
                created_by=_user(actor),
                collected_on=collected_on,
                expires_on=expires_on,
            )
            if requirements:
                evidence.requirements.set(requirements)
            revisions = _add_revisions(
                actor=actor,
                evidence=evidence,
                incoming=incoming,
                names=names,
                collected_on=collected_on,
                expires_on=expires_on,
            )
            audit_event_record(
                actor=actor,
                organisation=organisation,
                action="evidence.create",
                target=evidence,
                changes={
                    "title": title,
                    "url": url,
                    "collected_on": collected_on,
                    "expires_on": expires_on,
                    "requirements": sorted(r.pk for r in requirements),
                    "revisions": _revision_changes(revisions),
                },
            )
    except Exception:
        discard_unreferenced(written)
        raise
    return evidence


def revision_add(
    *,
    actor: Actor,
    evidence: Evidence,
    files: Iterable[Any],
    collected_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> list[EvidenceRevision]:
    """New immutable revisions of a file item (a renewed certificate, this year's
    export): earlier revisions stay as they were; the item takes the new dates."""
    if evidence.url:
        raise ValidationError(_("This evidence item is a link: it has no files."))
    files = list(files)
    if not files:
        raise ValidationError(_("Add at least one file."))
    _check_dates(collected_on, expires_on)
    incoming = inspect_files(files)
    names, written = _store_all(incoming)
    try:
        with transaction.atomic():
            # Lock the item so that two uploads at once get numbers one after the other.
            locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
            revisions = _add_revisions(
                actor=actor,
                evidence=locked,
                incoming=incoming,
                names=names,
                collected_on=collected_on,
                expires_on=expires_on,
            )
            audit_event_record(
                actor=actor,
                organisation=locked.organisation,
                action="evidence.revision_add",
                target=locked,
                changes={"revisions": _revision_changes(revisions)},
            )
    except Exception:
        discard_unreferenced(written)
        raise
    evidence.collected_on, evidence.expires_on = collected_on, expires_on
    return revisions


def evidence_link_update(
    *,
    actor: Actor,
    evidence: Evidence,
    url: str,
    collected_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> Evidence:
    """Point a link item at a new address or renew its dates."""
    if not evidence.url:
        raise ValidationError(_("This evidence item is made of files, not a link."))
    url = url.strip()
    _check_url(url)
    _check_dates(collected_on, expires_on)
    with transaction.atomic():
        before = {
            "url": evidence.url,
            "collected_on": evidence.collected_on,
            "expires_on": evidence.expires_on,
        }
        evidence.url, evidence.collected_on, evidence.expires_on = url, collected_on, expires_on
        evidence.save(update_fields=["url", "collected_on", "expires_on"])
        after = {"url": url, "collected_on": collected_on, "expires_on": expires_on}
        audit_event_record(
            actor=actor,
            organisation=evidence.organisation,
            action="evidence.link_update",
            target=evidence,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return evidence


def evidence_requirements_link(
    *, actor: Actor, evidence: Evidence, requirements: Iterable[Requirement]
) -> list[Requirement]:
    """Add requirements this item supports; those already linked are left as they are.
    Returns the ones added."""
    requirements = _check_requirements(requirements)
    with transaction.atomic():
        linked = set(evidence.requirements.values_list("pk", flat=True))
        added = [r for r in requirements if r.pk not in linked]
        if added:
            evidence.requirements.add(*added)
            audit_event_record(
                actor=actor,
                organisation=evidence.organisation,
                action="evidence.requirements_link",
                target=evidence,
                changes={"added": [{"id": r.pk, "ref_id": r.ref_id} for r in added]},
            )
    return added


def evidence_requirement_unlink(
    *, actor: Actor, evidence: Evidence, requirement: Requirement
) -> bool:
    """This item no longer supports ``requirement``. False when it did not."""
    with transaction.atomic():
        if not evidence.requirements.filter(pk=requirement.pk).exists():
            return False
        evidence.requirements.remove(requirement)
        audit_event_record(
            actor=actor,
            organisation=evidence.organisation,
            action="evidence.requirement_unlink",
            target=evidence,
            changes={"removed": [{"id": requirement.pk, "ref_id": requirement.ref_id}]},
        )
    return True
