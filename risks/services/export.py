"""The risk register as CSV and XLSX (ISO/IEC 27001:2022 8.2 and 8.3: documented
results of the assessment and of the treatment)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from risks.models import Risk
from risks.models.method import Level
from risks.selectors import existing_controls, planned_controls


def _level(level: Level | None) -> str:
    if level is None:
        return ""
    return f"{level.score} ({level.likelihood_label} x {level.impact_label})"


def _spreadsheet_safe(value: Any) -> Any:
    """Neutralise formula injection: a cell a user typed that starts with = + - @ is
    written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def register_columns() -> list[str]:
    return [
        _("Reference"),
        _("Title"),
        _("Assets"),
        _("Threat"),
        _("Vulnerability"),
        _("C/I/A"),
        _("Inherent level"),
        _("Existing controls"),
        _("Current level"),
        _("Treatment"),
        _("Treatment plan"),
        _("Planned controls"),
        _("Target residual level"),
        _("Risk owner"),
        _("Accepted by"),
        _("Accepted at"),
        _("Reason for accepting"),
        _("Next review"),
        _("Methodology version"),
        _("Source"),
    ]


def register_rows(risks: list[Risk]) -> list[list[Any]]:
    rows = []
    for risk in risks:
        rows.append(
            [
                risk.reference,
                risk.title,
                ", ".join(asset.name for asset in risk.assets.all()),
                risk.threat,
                risk.vulnerability,
                risk.cia,
                _level(risk.inherent_level),
                ", ".join(r.ref_id for r in existing_controls(risk)),
                _level(risk.current_level),
                risk.get_treatment_display(),
                risk.treatment_description,
                ", ".join(r.ref_id for r in planned_controls(risk)),
                _level(risk.residual_level),
                str(risk.owner) if risk.owner else "",
                str(risk.accepted_by) if risk.accepted_by else "",
                risk.accepted_at.date().isoformat() if risk.accepted_at else "",
                risk.acceptance_reason,
                risk.review_date.isoformat() if risk.review_date else "",
                f"v{risk.method.version}",
                risk.source_reference,
            ]
        )
    return rows


def register_to_csv(risks: list[Risk], language: str) -> bytes:
    with translation.override(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(register_columns())
        for row in register_rows(risks):
            writer.writerow([_spreadsheet_safe(value) for value in row])
    # BOM so that spreadsheet software opens the French accents correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def register_to_xlsx(risks: list[Risk], language: str, title: str) -> bytes:
    with translation.override(language):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = _("Risk register")[:31]
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(register_columns())
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in register_rows(risks):
            sheet.append([_spreadsheet_safe(value) for value in row])
        sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
