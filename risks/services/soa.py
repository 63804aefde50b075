"""The link from the risk assessment to the Statement of Applicability (ISO/IEC
27001:2022 6.1.3 b-d): a control is included because it treats risks."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from compliance.models import Organisation
from compliance.services.audit_trail import Actor
from controls.models import Applicability, Requirement
from controls.services.statuses import requirement_status_update
from risks.models import Risk


def risks_treating(organisation: Organisation, requirement: Requirement) -> list[Risk]:
    return list(
        Risk.objects.filter(organisation=organisation, control_links__requirement=requirement)
        .distinct()
        .order_by("number")
    )


def justification_text(risks: list[Risk]) -> str:
    references = ", ".join(f"{risk.reference} {risk.title}" for risk in risks)
    return _("Treats the risks of the risk assessment: %(risks)s.") % {"risks": references}


def soa_justify_from_risks(
    *, actor: Actor, organisation: Organisation, requirement: Requirement, language: str = "fr"
) -> str:
    """Mark the control applicable, with an inclusion justification naming the risks it
    treats (written in the SoA's language, French by default: HDS v2 EXI 08). Goes
    through the SoA's own service, which writes the audit row."""
    risks = risks_treating(organisation, requirement)
    if not risks:
        return ""
    with translation.override(language):
        text = justification_text(risks)
    line = Applicability.objects.filter(organisation=organisation, requirement=requirement).first()
    existing = (line.inclusion_justification.strip() if line else "") or ""
    if existing and text not in existing:
        text = f"{existing}\n{text}"
    elif existing:
        text = existing
    with transaction.atomic():
        requirement_status_update(
            actor=actor,
            organisation=organisation,
            requirement=requirement,
            applicable=True,
            inclusion_justification=text,
        )
    return text
