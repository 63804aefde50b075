"""Writes on the risk methodology (ISO/IEC 27001:2022 6.1.2 a-b). A change is a new
version; earlier versions stay, so assessments made under them stay readable."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compliance.choices import Role
from compliance.models import Organisation
from compliance.services.audit_trail import Actor, actor_label, audit_event_record
from risks.choices import MAX_SCALE, MIN_SCALE
from risks.models import RiskMethod

DEFAULT_LIKELIHOOD = {
    3: [("Faible", "Low"), ("Moyenne", "Medium"), ("Élevée", "High")],
    4: [
        ("Rare", "Rare"),
        ("Peu probable", "Unlikely"),
        ("Probable", "Likely"),
        ("Quasi certaine", "Almost certain"),
    ],
    5: [
        ("Très rare", "Very rare"),
        ("Rare", "Rare"),
        ("Possible", "Possible"),
        ("Probable", "Likely"),
        ("Quasi certaine", "Almost certain"),
    ],
}
DEFAULT_IMPACT = {
    3: [("Mineur", "Minor"), ("Significatif", "Significant"), ("Grave", "Severe")],
    4: [
        ("Mineur", "Minor"),
        ("Significatif", "Significant"),
        ("Grave", "Severe"),
        ("Critique", "Critical"),
    ],
    5: [
        ("Négligeable", "Negligible"),
        ("Mineur", "Minor"),
        ("Significatif", "Significant"),
        ("Grave", "Severe"),
        ("Critique", "Critical"),
    ],
}


def default_labels(kind: str, size: int) -> list[dict[str, str]]:
    table = DEFAULT_LIKELIHOOD if kind == "likelihood" else DEFAULT_IMPACT
    return [{"fr": fr, "en": en} for fr, en in table[size]]


def method_current(organisation: Organisation | int) -> RiskMethod | None:
    """The organisation's methodology in force: its latest version."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return RiskMethod.objects.filter(organisation_id=organisation_id).order_by("-version").first()


def _clean_labels(labels: Any, field: str) -> list[dict[str, str]]:
    if not isinstance(labels, list) or not MIN_SCALE <= len(labels) <= MAX_SCALE:
        raise ValidationError(
            {
                field: _("A scale has between %(min)s and %(max)s levels.")
                % {"min": MIN_SCALE, "max": MAX_SCALE}
            }
        )
    cleaned = []
    for label in labels:
        fr = str((label or {}).get("fr", "")).strip() if isinstance(label, dict) else ""
        en = str((label or {}).get("en", "")).strip() if isinstance(label, dict) else ""
        if not fr or not en or len(fr) > 80 or len(en) > 80:
            raise ValidationError(
                {
                    field: _(
                        "Every level needs a French and an English label (80 characters at most)."
                    )
                }
            )
        cleaned.append({"fr": fr, "en": en})
    return cleaned


def method_save(
    *,
    actor: Actor,
    organisation: Organisation,
    likelihood_labels: list[dict[str, str]],
    impact_labels: list[dict[str, str]],
    acceptance_threshold: int,
    acceptor_roles: list[str],
    description: str = "",
) -> RiskMethod:
    """Adopt a methodology: a new version when anything differs from the one in force."""
    likelihood = _clean_labels(likelihood_labels, "likelihood_labels")
    impact = _clean_labels(impact_labels, "impact_labels")
    max_score = len(likelihood) * len(impact)
    if not 1 <= int(acceptance_threshold) <= max_score:
        raise ValidationError(
            {
                "acceptance_threshold": _("The threshold is a score between 1 and %(max)s.")
                % {"max": max_score}
            }
        )
    roles = sorted(set(acceptor_roles))
    if any(role not in Role.values for role in roles):
        raise ValidationError({"acceptor_roles": _("Unknown role.")})
    with transaction.atomic():
        current = (
            RiskMethod.objects.select_for_update()
            .filter(organisation=organisation)
            .order_by("-version")
            .first()
        )
        wanted = {
            "likelihood_labels": likelihood,
            "impact_labels": impact,
            "acceptance_threshold": int(acceptance_threshold),
            "acceptor_roles": roles,
            "description": description.strip(),
        }
        if current is not None and all(getattr(current, k) == v for k, v in wanted.items()):
            return current
        method = RiskMethod.objects.create(
            organisation=organisation,
            version=(current.version + 1) if current else 1,
            created_by_label=actor_label(actor)[:254],
            **wanted,
        )
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="risks.method_adopted",
            target=method,
            changes={"version": method.version, **wanted},
        )
    return method


def method_ensure(*, actor: Actor, organisation: Organisation) -> RiskMethod:
    """The methodology in force, adopting the default 4x4 one (threshold 4, acceptance
    by the risk owner or a manager) when the organisation has none yet."""
    current = method_current(organisation)
    if current is not None:
        return current
    return method_save(
        actor=actor,
        organisation=organisation,
        likelihood_labels=default_labels("likelihood", 4),
        impact_labels=default_labels("impact", 4),
        acceptance_threshold=4,
        acceptor_roles=[Role.MANAGER],
        description="",
    )
