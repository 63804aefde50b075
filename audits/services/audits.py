"""Planning, scoping, moving and closing audits, and recording check results.

A closed audit is locked: every write below first locks the audit row and refuses with
``AuditLocked`` (a ``ValidationError`` whose message says why), so the UI shows it, the
API answers 409 and no two writers race the closing.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audits.choices import AUDIT_TRANSITIONS, AuditKind, AuditStatus, CheckResult
from audits.models import Audit, AuditCheck
from compliance.models import Membership, Organisation, User
from compliance.services.audit_trail import Actor, actor_label, audit_event_record, diff, snapshot
from controls.models import Framework, Requirement, Theme


class AuditLocked(ValidationError):
    """A write on a closed audit (or on a check or finding inside it)."""

    def __init__(self, audit: Audit) -> None:
        closed = (
            formats.date_format(timezone.localtime(audit.closed_at), "DATE_FORMAT")
            if (audit.closed_at)
            else ""
        )
        super().__init__(
            _(
                "The audit “%(title)s” was closed on %(date)s: its checks, findings and "
                "details are locked and can no longer change."
            )
            % {"title": audit.title, "date": closed},
            code="audit_locked",
        )


def lock_audit(audit: Audit) -> Audit:
    """Re-read the audit under a row lock (inside the caller's transaction) and refuse if
    it is closed: a save racing the closing either lands before it or is refused."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if locked.is_locked:
        raise AuditLocked(locked)
    return locked


# --- Scope ---------------------------------------------------------------------------


def sample_group(
    requirements: Sequence[Requirement], n: int, seed: str, key: str
) -> list[Requirement]:
    """``n`` requirements of one group drawn with a generator seeded by ``seed`` and the
    group's key: the same seed always gives the same sample, and adding a theme to the
    scope does not change the picks of the others."""
    pool = sorted(requirements, key=lambda r: r.order)
    if n >= len(pool):
        return pool
    rng = random.Random(f"{seed}:{key}")  # noqa: S311 - reproducible sampling, not secrecy
    return sorted(rng.sample(pool, n), key=lambda r: r.order)


def audit_scope_requirements(
    *,
    frameworks: Iterable[Framework] = (),
    themes: Iterable[Theme] = (),
    requirements: Iterable[Requirement] = (),
    sample_per_theme: int | None = None,
    sample_seed: str = "",
) -> list[Requirement]:
    """The requirements an audit covers, in catalogue order: every assessable requirement
    of the chosen themes, of the chosen frameworks with no theme chosen, plus the explicit
    ones (never sampled). With ``sample_per_theme``, N per theme are drawn from the first two."""
    themes = list(themes)
    frameworks = list(frameworks)
    themed = {theme.framework_id for theme in themes}
    condition = Q(theme__in=[t.pk for t in themes]) | Q(
        framework__in=[f.pk for f in frameworks if f.pk not in themed]
    )
    pool = list(
        Requirement.objects.assessable()
        .filter(condition)
        .select_related("framework", "theme")
        .order_by("framework__code", "order")
    )
    if sample_per_theme:
        groups: dict[str, list[Requirement]] = {}
        for requirement in pool:
            theme_code = requirement.theme.code if requirement.theme else "-"
            groups.setdefault(f"{requirement.framework.code}:{theme_code}", []).append(requirement)
        pool = [
            picked
            for key, group in groups.items()
            for picked in sample_group(group, sample_per_theme, sample_seed, key)
        ]
    chosen = {r.pk: r for r in pool}
    for requirement in requirements:
        chosen.setdefault(requirement.pk, requirement)
    return sorted(
        chosen.values(), key=lambda r: (r.framework.code if r.framework_id else "", r.order)
    )


def _check_members(organisation: Organisation, people: Iterable[User | None], field: str) -> None:
    ids = {person.pk for person in people if person is not None}
    members = set(
        Membership.objects.filter(organisation=organisation, user__in=ids).values_list(
            "user_id", flat=True
        )
    )
    if ids - members:
        raise ValidationError({field: _("Only members of this organisation can be chosen.")})


AUDIT_FIELDS = ("title", "kind", "objectives", "planned_start", "planned_end", "lead_auditor")


def audit_create(
    *,
    actor: Actor,
    organisation: Organisation,
    title: str,
    kind: str = AuditKind.FLASH,
    frameworks: Iterable[Framework] = (),
    themes: Iterable[Theme] = (),
    requirements: Iterable[Requirement] = (),
    sample_per_theme: int | None = None,
    sample_seed: str = "",
    lead_auditor: User | None = None,
    auditors: Iterable[User] = (),
    auditees: Iterable[User] = (),
    planned_start: Any = None,
    planned_end: Any = None,
    objectives: str = "",
) -> Audit:
    """Plan an audit and generate one check per requirement in its scope."""
    frameworks, themes, requirements = list(frameworks), list(themes), list(requirements)
    auditors, auditees = list(auditors), list(auditees)
    if sample_per_theme and not sample_seed:
        sample_seed = secrets.token_hex(4)
    scope = audit_scope_requirements(
        frameworks=frameworks,
        themes=themes,
        requirements=requirements,
        sample_per_theme=sample_per_theme,
        sample_seed=sample_seed,
    )
    if not scope:
        raise ValidationError(
            _("The scope is empty: choose a framework, a theme or requirements to audit.")
        )
    if planned_start and planned_end and planned_end < planned_start:
        raise ValidationError({"planned_end": _("The end date is before the start date.")})
    _check_members(organisation, [lead_auditor], "lead_auditor")
    _check_members(organisation, auditors, "auditors")
    _check_members(organisation, auditees, "auditees")
    with transaction.atomic():
        audit = Audit(
            organisation=organisation,
            title=title,
            kind=kind,
            objectives=objectives,
            sample_per_theme=sample_per_theme or None,
            sample_seed=sample_seed if sample_per_theme else "",
            lead_auditor=lead_auditor,
            planned_start=planned_start,
            planned_end=planned_end,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit.full_clean(exclude=["organisation", "created_by"])
        audit.save()
        audit.frameworks.set(frameworks)
        audit.themes.set(themes)
        audit.requirements.set(requirements)
        audit.auditors.set(auditors)
        audit.auditees.set(auditees)
        AuditCheck.objects.bulk_create(
            AuditCheck(audit=audit, requirement=requirement, order=index)
            for index, requirement in enumerate(scope)
        )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="audits.audit_create",
            target=audit,
            changes={
                **{k: [None, v] for k, v in snapshot(audit, AUDIT_FIELDS).items()},
                "frameworks": [None, [f.code for f in frameworks]],
                "themes": [None, [t.code for t in themes]],
                "requirements": [None, [r.ref_id for r in requirements]],
                "sample_per_theme": [None, audit.sample_per_theme],
                "sample_seed": [None, audit.sample_seed],
                "checks": [None, len(scope)],
            },
        )
    return audit


def audit_update(*, actor: Actor, audit: Audit, **fields: Any) -> Audit:
    """Edit an open audit's title, kind, objectives, dates and team (not its scope)."""
    team: dict[str, list[Any]] = {
        key: list(fields.pop(key)) for key in ("auditors", "auditees") if key in fields
    }
    unknown = set(fields) - set(AUDIT_FIELDS)
    if unknown:
        raise TypeError(f"audit_update does not change {sorted(unknown)}")
    with transaction.atomic():
        audit = lock_audit(audit)
        _check_members(audit.organisation, [fields.get("lead_auditor")], "lead_auditor")
        for key, people in team.items():
            _check_members(audit.organisation, people, key)
        before = snapshot(audit, AUDIT_FIELDS)
        for key, value in fields.items():
            setattr(audit, key, value)
        if audit.planned_start and audit.planned_end and audit.planned_end < audit.planned_start:
            raise ValidationError({"planned_end": _("The end date is before the start date.")})
        audit.full_clean(exclude=["organisation", "created_by"])
        audit.save()
        changes: dict[str, Any] = diff(before, snapshot(audit, AUDIT_FIELDS))
        for key, people in team.items():
            old = sorted(getattr(audit, key).values_list("pk", flat=True))
            getattr(audit, key).set(people)
            new = sorted(p.pk for p in people)
            if old != new:
                changes[key] = [old, new]
        if changes:
            audit_event_record(
                actor=actor,
                organisation=audit.organisation,
                action="audits.audit_update",
                target=audit,
                changes=changes,
            )
    return audit


def audit_transition(*, actor: Actor, audit: Audit, status: str) -> Audit:
    """Move the audit one step along planned → fieldwork → reporting → closed."""
    with transaction.atomic():
        audit = lock_audit(audit)
        if status not in AUDIT_TRANSITIONS[audit.status]:
            raise ValidationError(
                _("An audit cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": AuditStatus(audit.status).label,
                    "to": AuditStatus(status).label if status in AuditStatus.values else status,
                },
                code="invalid_transition",
            )
        before = audit.status
        audit.status = status
        if status == AuditStatus.CLOSED:
            audit.closed_at = timezone.now()
            audit.closed_by_label = actor_label(actor)[:254]
        audit.save(update_fields=["status", "closed_at", "closed_by_label", "updated_at"])
        audit_event_record(
            actor=actor,
            organisation=audit.organisation,
            action="audits.audit_close" if status == AuditStatus.CLOSED else "audits.audit_status",
            target=audit,
            changes={"status": [before, status]},
        )
    return audit


# --- Checks ----------------------------------------------------------------------------


def check_record(
    *,
    actor: Actor,
    check: AuditCheck,
    result: str | None = None,
    notes: str | None = None,
    evidence: Iterable[Any] | None = None,
) -> AuditCheck:
    """Record an auditor's result, notes and evidence for one check, and keep the check's
    finding in step with its result (see ``finding_sync_from_check``)."""
    from audits.services.findings import finding_sync_from_check

    if result is not None and result not in CheckResult.values:
        raise ValidationError({"result": _("Unknown result.")})
    with transaction.atomic():
        audit = lock_audit(check.audit)
        check = (
            AuditCheck.objects.select_for_update(of=("self",))
            .select_related("requirement")
            .get(pk=check.pk)
        )
        check.audit = audit
        changes: dict[str, Any] = {}
        if result is not None and result != check.result:
            changes["result"] = [check.result, result]
            check.result = result
            check.assessed_by = actor if isinstance(actor, User) else None
            check.assessed_by_label = actor_label(actor)[:254]
            check.assessed_at = timezone.now()
        if notes is not None and notes != check.notes:
            changes["notes"] = [check.notes, notes]
            check.notes = notes
        if evidence is not None:
            items = list(evidence)
            if any(item.organisation_id != audit.organisation_id for item in items):
                raise ValidationError({"evidence": _("Evidence of another organisation.")})
            old = sorted(check.evidence.values_list("pk", flat=True))
            new = sorted(item.pk for item in items)
            if old != new:
                check.evidence.set(items)
                changes["evidence"] = [old, new]
        if not changes:
            return check
        check.save()
        audit_event_record(
            actor=actor,
            organisation=audit.organisation,
            action="audits.check_record",
            target=check,
            changes={"requirement": [None, check.requirement.ref_id], **changes},
        )
        if "result" in changes:
            finding_sync_from_check(actor=actor, check=check)
    return check
