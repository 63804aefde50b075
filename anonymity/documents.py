"""The assessment as a PDF document, through the reports app's registry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anonymity.choices import AssessmentStatus
from anonymity.messages import generalisation_text, reason_text
from anonymity.models import AnonymityAssessment
from compliance.models import Organisation

KIND = "anonymity_assessment"
ITEM_TYPE = "anonymity_assessment"


def results_sha256(assessment: AnonymityAssessment) -> str:
    """Fingerprint of the stored results (the manifest records it)."""
    payload = json.dumps(assessment.results, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _assessment(organisation: Organisation, value: Any) -> AnonymityAssessment:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    assessment = (
        AnonymityAssessment.objects.filter(
            organisation=organisation, pk=pk, status=AssessmentStatus.DONE
        )
        .select_related("processing", "organisation")
        .first()
    )
    if assessment is None:
        raise ValidationError(_("Unknown anonymity assessment."))
    return assessment


def clean(organisation: Organisation, parameters: dict[str, Any]) -> dict[str, Any]:
    return {"assessment": _assessment(organisation, parameters.get("assessment")).pk}


def build(request: Any) -> Any:
    from reports.registry import Built

    assessment = _assessment(request.organisation, request.parameters.get("assessment"))
    results = assessment.results
    rerun = results.get("rerun") or None
    return Built(
        title=_("Anonymity assessment: %(name)s") % {"name": assessment.file_name},
        subtitle=_("WP29 Opinion 05/2014 criteria"),
        template="anonymity/pdf/assessment.html",
        context={
            "assessment": assessment,
            "results": results,
            "rerun": rerun,
            "reasons": [
                {"criterion": r["criterion"], "text": reason_text(r)}
                for r in results.get("reasons", [])
            ],
            "generalisations": [generalisation_text(s) for s in results.get("generalisations", [])],
            "l_rows": sorted(results.get("l_diversity", {}).items()),
        },
        manifest_items=[
            {
                "type": ITEM_TYPE,
                "id": assessment.pk,
                "sha256": results_sha256(assessment),
                "file_sha256": assessment.file_sha256,
            }
        ],
    )


def check(organisation: Organisation, item: dict[str, Any]) -> str | None:
    assessment = AnonymityAssessment.objects.filter(
        organisation=organisation, pk=int(item.get("id") or 0)
    ).first()
    if assessment is None:
        return _("The anonymity assessment no longer exists.")
    if results_sha256(assessment) != item.get("sha256"):
        return _("The anonymity assessment's results changed since the document was made.")
    return None


def register() -> None:
    from reports.registry import register_document, register_manifest_check

    register_document(
        KIND, label=gettext_lazy("Anonymity assessment (WP216)"), build=build, clean=clean
    )
    register_manifest_check(ITEM_TYPE, check)
