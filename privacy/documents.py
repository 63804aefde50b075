"""The processing register as a PDF document of the reports machinery (GDPR Art. 30(4):
the record is made available to the supervisory authority on request).

Registered from ``PrivacyConfig.ready()`` as the ``processing_register`` kind. The
manifest records the SHA-256 of the register's content at build time, so
``verify_report`` can tell whether the register has changed since the PDF was made.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.models import Organisation

if TYPE_CHECKING:
    from reports.registry import BuildRequest, Built
from privacy.models import ProcessingActivity
from privacy.rules import references_label
from privacy.selectors import register_queryset, route_of, sorted_findings
from privacy.services import PROCESSING_FIELDS, ROUTE_FIELDS

LABEL = gettext_lazy("Processing register (GDPR Art. 30)")


def _lines(organisation: Organisation) -> list[ProcessingActivity]:
    return list(
        register_queryset(ProcessingActivity.objects.filter(organisation=organisation)).order_by(
            "reference", "id"
        )
    )


def register_sha256(lines: list[ProcessingActivity]) -> str:
    """A fingerprint of what the document shows: every register field, recipient and
    route field, and the rule codes found (in a stable JSON form)."""
    payload = []
    for processing in lines:
        route = route_of(processing)
        payload.append(
            {
                "id": processing.pk,
                **{name: getattr(processing, name) for name in PROCESSING_FIELDS},
                "recipients": [
                    [r.kind, r.name, r.location, r.processor_id]
                    for r in sorted(processing.recipients.all(), key=lambda r: r.pk)
                ],
                "route": {name: getattr(route, name) for name in ROUTE_FIELDS} if route else None,
                "findings": sorted(f.rule_code for f in processing.findings.all()),
            }
        )
    canonical = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build(request: BuildRequest) -> Built:
    from reports.registry import Built

    lines = _lines(request.organisation)
    request.progress(50)
    rows: list[dict[str, Any]] = []
    for processing in lines:
        findings = sorted_findings(list(processing.findings.all()))
        rows.append(
            {
                "processing": processing,
                "route": route_of(processing),
                "findings": [(f, references_label(f.article, request.language)) for f in findings],
            }
        )
    controllers = [row for row in rows if row["processing"].role != "processor"]
    processors = [row for row in rows if row["processing"].role == "processor"]
    return Built(
        title=_("Processing register"),
        subtitle=_("GDPR Art. 30 and Article 66 of the loi n° 78-17"),
        template="privacy/pdf/register.html",
        context={
            "controller_rows": controllers,
            "processor_rows": processors,
            "flagged": sum(1 for row in rows if row["findings"]),
            "total": len(rows),
            "today": timezone.localdate(),
        },
        manifest_items=[
            {
                "type": "processing_register",
                "id": request.organisation.pk,
                "lines": len(lines),
                "sha256": register_sha256(lines),
            }
        ],
    )


def check(organisation: Organisation, item: dict[str, Any]) -> str | None:
    """``verify_report``: is the register still what the PDF shows?"""
    if item.get("id") != organisation.pk:
        return _("This register belongs to another organisation.")
    if register_sha256(_lines(organisation)) != item.get("sha256"):
        return _("The processing register has changed since this document was made.")
    return None


def register_documents() -> None:
    """Called from ``PrivacyConfig.ready()``: nothing happens without the reports app."""
    from django.apps import apps

    if not apps.is_installed("reports"):
        return
    try:
        from reports.registry import register_document, register_manifest_check
    except ImportError:  # pragma: no cover - reports app without its registry
        return
    register_document("processing_register", label=LABEL, build=build)
    register_manifest_check("processing_register", check)
