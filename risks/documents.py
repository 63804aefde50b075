"""The risk register and the risk treatment plan as PDF documents, rendered by the
reports app (``reports.registry``) in a worker, with a manifest of every risk shown."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.models import Organisation
from reports.registry import BuildRequest, Built, ManifestItem
from risks.models import Risk
from risks.selectors import heat_map, heat_map_layout, risk_rows
from risks.services.method import method_current
from risks.services.risks import AUDITED

REGISTER_LABEL = gettext_lazy("Risk register (ISO/IEC 27001:2022 8.2)")
PLAN_LABEL = gettext_lazy("Risk treatment plan (ISO/IEC 27001:2022 6.1.3 e)")


def risk_sha256(risk: Risk) -> str:
    """Fingerprint of what the document states about a risk: its fields, levels,
    methodology version, controls and actions."""
    content: dict[str, Any] = {name: getattr(risk, name) for name in AUDITED}
    content["owner"] = risk.owner_id
    content["accepted_by"] = risk.accepted_by_id
    content["method"] = risk.method_id
    content["controls"] = sorted(
        (link.requirement_id, link.role) for link in risk.control_links.all()
    )
    content["actions"] = sorted(action.pk for action in risk.actions.all())
    encoded = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _risks(organisation: Organisation) -> list[Risk]:
    return list(
        risk_rows(Risk.objects.filter(organisation=organisation)).prefetch_related(
            "actions__owner", "actions__finding"
        )
    )


def _manifest(risks: list[Risk]) -> list[ManifestItem]:
    return [
        {"type": "risk", "id": risk.pk, "reference": risk.reference, "sha256": risk_sha256(risk)}
        for risk in risks
    ]


def _rows(risks: list[Risk]) -> list[dict[str, Any]]:
    from risks.selectors import existing_controls, planned_controls

    return [
        {
            "risk": risk,
            "existing": existing_controls(risk),
            "planned": planned_controls(risk),
            "actions": list(risk.actions.all()),
        }
        for risk in risks
    ]


def build_register(request: BuildRequest) -> Built:
    risks = _risks(request.organisation)
    method = method_current(request.organisation)
    maps = []
    if method is not None:
        for stage, heading in (
            ("current", _("Current risks")),
            ("residual", _("Target residual risks")),
        ):
            heat = heat_map(method, risks, stage)
            maps.append(
                {
                    "stage": stage,
                    "heading": heading,
                    "heat": heat,
                    "layout": heat_map_layout(heat, _("Likelihood"), _("Impact")),
                }
            )
    return Built(
        title=_("Risk register"),
        subtitle=_("ISO/IEC 27001:2022 6.1.2 and 8.2"),
        template="risks/pdf/register.html",
        context={"rows": _rows(risks), "method": method, "maps": maps},
        manifest_items=_manifest(risks),
    )


def build_treatment_plan(request: BuildRequest) -> Built:
    risks = [risk for risk in _risks(request.organisation) if risk.treatment]
    return Built(
        title=_("Risk treatment plan"),
        subtitle=_("ISO/IEC 27001:2022 6.1.3 e) and f), 8.3"),
        template="risks/pdf/treatment_plan.html",
        context={"rows": _rows(risks)},
        manifest_items=_manifest(risks),
    )


def check_risk(organisation: Organisation, item: ManifestItem) -> str | None:
    risk = (
        risk_rows(Risk.objects.filter(organisation=organisation))
        .prefetch_related("actions")
        .filter(pk=int(item.get("id") or 0))
        .first()
    )
    if risk is None:
        return _("Risk %(ref)s no longer exists.") % {"ref": item.get("reference", "?")}
    if risk_sha256(risk) != item.get("sha256"):
        return _("Risk %(ref)s has changed since the document was made.") % {"ref": risk.reference}
    return None


def register_risk_documents() -> None:
    from reports.registry import register_document, register_manifest_check

    register_document("risk_register", label=REGISTER_LABEL, build=build_register)
    register_document("risk_treatment_plan", label=PLAN_LABEL, build=build_treatment_plan)
    register_manifest_check("risk", check_risk)
