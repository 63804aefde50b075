"""Writes on risk scenarios: assessment, treatment and acceptance (ISO/IEC 27001:2022
6.1.2, 6.1.3, 8.2, 8.3). Each runs in one transaction with its audit row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Membership, Organisation, User
from compliance.services.audit_trail import (
    Actor,
    actor_label,
    audit_event_record,
    diff,
    snapshot,
)
from controls.models import Requirement
from risks.choices import ControlRole, Treatment
from risks.library import BY_CODE, Scenario
from risks.models import Asset, Risk, RiskControl, RiskLevelRecord, RiskMethod
from risks.services.assets import validate_member
from risks.services.method import method_current, method_ensure

LEVEL_FIELDS = (
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "residual_likelihood",
    "residual_impact",
)
RISK_FIELDS = (
    "title",
    "description",
    "threat",
    "vulnerability",
    "affects_confidentiality",
    "affects_integrity",
    "affects_availability",
    "consequences",
    *LEVEL_FIELDS,
    "treatment",
    "treatment_description",
    "owner",
    "review_date",
)
# A change to any of these voids an acceptance: the owner accepted other levels.
ACCEPTANCE_VOIDING = (*LEVEL_FIELDS, "treatment")
AUDITED = (*RISK_FIELDS, "method", "accepted_by", "accepted_at", "acceptance_reason")


def _check_levels(risk: Risk) -> None:
    errors: dict[str, str] = {}
    for stage in ("inherent", "current", "residual"):
        likelihood = getattr(risk, f"{stage}_likelihood")
        impact = getattr(risk, f"{stage}_impact")
        if likelihood is None and impact is None:
            continue
        if not risk.method.is_valid_pair(likelihood, impact):
            errors[f"{stage}_likelihood"] = _(
                "Give a likelihood from 1 to %(l)s and an impact from 1 to %(i)s."
            ) % {"l": risk.method.likelihood_size, "i": risk.method.impact_size}
    if errors:
        raise ValidationError(errors)


def _set_controls(risk: Risk, role: str, requirements: Iterable[Requirement]) -> list[str]:
    wanted = {r.pk: r for r in requirements}
    links = RiskControl.objects.filter(risk=risk, role=role)
    links.exclude(requirement_id__in=wanted).delete()
    present = set(links.values_list("requirement_id", flat=True))
    RiskControl.objects.bulk_create(
        RiskControl(risk=risk, requirement_id=pk, role=role) for pk in wanted if pk not in present
    )
    return sorted(r.ref_id for r in wanted.values())


def _set_assets(risk: Risk, assets: Iterable[Asset]) -> list[int]:
    chosen = list(assets)
    if any(asset.organisation_id != risk.organisation_id for asset in chosen):
        raise ValidationError({"assets": _("Choose assets of this organisation.")})
    risk.assets.set(chosen)
    return sorted(asset.pk for asset in chosen)


def _record_levels(risk: Risk, actor: Actor) -> None:
    RiskLevelRecord.objects.create(
        risk=risk,
        method=risk.method,
        recorded_at=timezone.now(),
        recorded_by_label=actor_label(actor)[:254],
        **{name: getattr(risk, name) for name in LEVEL_FIELDS},
    )


def _set_actions(risk: Risk, actions: Iterable[Any]) -> list[int] | None:
    chosen = list(actions)
    if any(action.organisation_id != risk.organisation_id for action in chosen):
        raise ValidationError({"actions": _("Choose actions of this organisation.")})
    before = set(risk.actions.values_list("pk", flat=True))
    if before == {action.pk for action in chosen}:
        return None
    risk.actions.set(chosen)
    return sorted(action.pk for action in chosen)


def _relations(
    risk: Risk,
    assets: Iterable[Asset] | None,
    existing_controls: Iterable[Requirement] | None,
    planned_controls: Iterable[Requirement] | None,
    actions: Iterable[Any] | None = None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if actions is not None and (linked := _set_actions(risk, actions)) is not None:
        changes["actions"] = linked
    if assets is not None:
        changes["assets"] = _set_assets(risk, assets)
    if existing_controls is not None:
        changes["existing_controls"] = _set_controls(risk, ControlRole.EXISTING, existing_controls)
    if planned_controls is not None:
        changes["planned_controls"] = _set_controls(risk, ControlRole.PLANNED, planned_controls)
    return changes


def risk_create(
    *,
    actor: Actor,
    organisation: Organisation,
    title: str,
    assets: Iterable[Asset] = (),
    existing_controls: Iterable[Requirement] = (),
    planned_controls: Iterable[Requirement] = (),
    actions: Iterable[Any] = (),
    library_code: str = "",
    source_reference: str = "",
    **fields: Any,
) -> Risk:
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"unknown risk fields: {sorted(unknown)}")
    validate_member(organisation, fields.get("owner"))
    with transaction.atomic():
        method = method_ensure(actor=actor, organisation=organisation)
        last = (
            Risk.objects.select_for_update()
            .filter(organisation=organisation)
            .aggregate(last=Max("number"))["last"]
        )
        risk = Risk(
            organisation=organisation,
            number=(last or 0) + 1,
            title=title,
            method=method,
            library_code=library_code,
            source_reference=source_reference,
            **fields,
        )
        risk.full_clean(exclude=["organisation", "owner", "method"])
        _check_levels(risk)
        risk.save()
        relations = _relations(risk, assets, existing_controls, planned_controls, actions)
        _record_levels(risk, actor)
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="risks.risk_created",
            target=risk,
            changes={**snapshot(risk, (*RISK_FIELDS, "method", "library_code")), **relations},
        )
    return risk


def risk_update(
    *,
    actor: Actor,
    risk: Risk,
    assets: Iterable[Asset] | None = None,
    existing_controls: Iterable[Requirement] | None = None,
    planned_controls: Iterable[Requirement] | None = None,
    actions: Iterable[Any] | None = None,
    **fields: Any,
) -> Risk:
    """Change a risk. A change of level or treatment voids an earlier acceptance and is
    kept in the level history."""
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"unknown risk fields: {sorted(unknown)}")
    if "owner" in fields:
        validate_member(risk.organisation, fields["owner"])
    with transaction.atomic():
        risk = Risk.objects.select_for_update().select_related("method").get(pk=risk.pk)
        before = snapshot(risk, AUDITED)
        for name, value in fields.items():
            setattr(risk, name, value)
        risk.full_clean(exclude=["organisation", "owner", "method"])
        _check_levels(risk)
        voided = risk.is_accepted and any(
            before[f] != snapshot(risk, [f])[f] for f in ACCEPTANCE_VOIDING
        )
        if voided:
            risk.accepted_at = None
            risk.accepted_by = None
            risk.acceptance_reason = ""
        changes = diff(before, snapshot(risk, AUDITED))
        if changes:
            risk.save()
        changes.update(_relations(risk, assets, existing_controls, planned_controls, actions))
        if any(field in changes for field in LEVEL_FIELDS):
            _record_levels(risk, actor)
        if changes:
            audit_event_record(
                actor=actor,
                organisation=risk.organisation,
                action="risks.risk_updated",
                target=risk,
                changes=changes,
            )
    return risk


def risk_reassess(*, actor: Actor, risk: Risk) -> Risk:
    """Move a risk assessed under an earlier methodology to the one in force. Its levels
    are cleared (scales may differ); the history keeps them under the old version."""
    with transaction.atomic():
        risk = Risk.objects.select_for_update().select_related("method").get(pk=risk.pk)
        current = method_current(risk.organisation_id)
        if current is None or current.pk == risk.method_id:
            return risk
        old = risk.method
        risk.method = current
        for name in LEVEL_FIELDS:
            setattr(risk, name, None)
        risk.accepted_at, risk.accepted_by, risk.acceptance_reason = None, None, ""
        risk.save()
        _record_levels(risk, actor)
        audit_event_record(
            actor=actor,
            organisation=risk.organisation,
            action="risks.risk_reassessed",
            target=risk,
            changes={"method": [old.version, current.version]},
        )
    return risk


def acceptance_allowed(risk: Risk, user: User, method: RiskMethod | None = None) -> bool:
    """6.1.3 f: the risk owner accepts the residual risk; so may the roles the
    methodology names (a manager by default)."""
    method = method or risk.method
    if risk.owner_id is not None and risk.owner_id == user.pk:
        return True
    role = (
        Membership.objects.filter(organisation_id=risk.organisation_id, user=user)
        .values_list("role", flat=True)
        .first()
    )
    return role is not None and role in method.acceptor_roles


def risk_accept(*, actor: Actor, risk: Risk, reason: str = "") -> Risk:
    """Record the risk owner's acceptance of the residual risk (6.1.3 f). Above the
    methodology's threshold, acceptance needs a written reason."""
    if not isinstance(actor, User):
        # An API key or a task is nobody: a person accepts a risk.
        raise PermissionDenied
    with transaction.atomic():
        risk = Risk.objects.select_for_update().select_related("method").get(pk=risk.pk)
        if not acceptance_allowed(risk, actor):
            raise PermissionDenied
        if not risk.treatment:
            raise ValidationError(
                {"treatment": _("Decide the treatment before accepting the risk.")}
            )
        if risk.treatment == Treatment.ACCEPT and risk.residual_level is None:
            # Accepting as is: the residual risk is the current one.
            risk.residual_likelihood = risk.current_likelihood
            risk.residual_impact = risk.current_impact
        level = risk.residual_level
        if level is None:
            raise ValidationError(
                {"residual_likelihood": _("Assess the residual level before accepting it.")}
            )
        reason = reason.strip()
        if not level.acceptable and not reason:
            raise ValidationError(
                {
                    "acceptance_reason": _(
                        "The residual level %(score)s is above the acceptance threshold "
                        "(%(threshold)s): give the reason for accepting it."
                    )
                    % {"score": level.score, "threshold": risk.method.acceptance_threshold}
                }
            )
        before = snapshot(risk, AUDITED)
        risk.accepted_by = actor
        risk.accepted_at = timezone.now()
        risk.acceptance_reason = reason
        risk.save()
        changes = diff(before, snapshot(risk, AUDITED))
        if "residual_likelihood" in changes:
            _record_levels(risk, actor)
        audit_event_record(
            actor=actor,
            organisation=risk.organisation,
            action="risks.risk_accepted",
            target=risk,
            changes={
                **changes,
                "residual_score": level.score,
                "above_threshold": not level.acceptable,
            },
        )
    return risk


def risk_delete(*, actor: Actor, risk: Risk) -> None:
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            organisation=risk.organisation,
            action="risks.risk_deleted",
            target=risk,
            changes=snapshot(risk, ("title", "library_code")),
        )
        risk.delete()


def library_controls(scenario: Scenario) -> list[Requirement]:
    """The scenario's suggested Annex A controls found in the loaded SoA catalogue."""
    from controls.selectors import soa_framework

    framework = soa_framework()
    if framework is None:
        return []
    return list(
        Requirement.objects.filter(framework=framework, ref_id__in=scenario.controls).order_by(
            "order"
        )
    )


def risks_from_library(
    *, actor: Actor, organisation: Organisation, codes: Sequence[str], language: str = "fr"
) -> list[Risk]:
    """Create a risk from each chosen library scenario the organisation does not have
    yet (choosing twice creates nothing twice). Suggested controls become planned
    controls, to confirm or change."""
    unknown = [code for code in codes if code not in BY_CODE]
    if unknown:
        raise ValidationError({"codes": _("Unknown library scenario.")})
    english = language == "en"
    created = []
    with transaction.atomic():
        taken = set(
            Risk.objects.filter(organisation=organisation, library_code__in=codes).values_list(
                "library_code", flat=True
            )
        )
        for code in dict.fromkeys(codes):
            if code in taken:
                continue
            scenario = BY_CODE[code]
            created.append(
                risk_create(
                    actor=actor,
                    organisation=organisation,
                    title=scenario.title_en if english else scenario.title_fr,
                    threat=scenario.threat_en if english else scenario.threat_fr,
                    vulnerability=scenario.vulnerability_en
                    if english
                    else scenario.vulnerability_fr,
                    affects_confidentiality=scenario.confidentiality,
                    affects_integrity=scenario.integrity,
                    affects_availability=scenario.availability,
                    planned_controls=library_controls(scenario),
                    library_code=code,
                    source_reference=scenario.reference,
                )
            )
    return created
