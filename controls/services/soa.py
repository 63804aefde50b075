"""Issuing the Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d) and exporting it.

6.1.3 d) asks for: the necessary controls, the justification for their inclusion,
whether they are implemented, and the justification for excluding any Annex A control.
An issued SoA is a numbered, dated, immutable snapshot of exactly that.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from compliance.models import Organisation, User
from compliance.services.audit_trail import Actor, audit_event_record
from controls.choices import ImplementationStatus
from controls.models import Framework, SoaVersion
from controls.selectors import ScopedRows, row_of, soa_lines

SOA_LINE_KEYS = (
    "ref_id",
    "title_fr",
    "title_en",
    "theme",
    "applicable",
    "inclusion_justification",
    "exclusion_justification",
    "status",
    "owner",
)


def soa_current_lines(framework: Framework, rows: ScopedRows) -> list[dict[str, Any]]:
    """The SoA as it stands: one dict per Annex A control, in catalogue order."""
    lines = []
    for requirement in soa_lines(framework, rows):
        row = row_of(requirement)
        lines.append(
            {
                "ref_id": requirement.ref_id,
                "title_fr": requirement.title_fr,
                "title_en": requirement.title_en,
                "theme": requirement.theme.code if requirement.theme else "",
                "applicable": row.applicable if row else None,
                "inclusion_justification": row.inclusion_justification if row else "",
                "exclusion_justification": row.exclusion_justification if row else "",
                "status": row.status if row else ImplementationStatus.NOT_STARTED,
                "owner": row.owner.email if row and row.owner else "",
            }
        )
    return lines


def soa_problems(lines: list[dict[str, Any]]) -> list[str]:
    """What stops the SoA from being issued, one sentence per control."""
    problems = []
    for line in lines:
        if line["applicable"] is None:
            problems.append(
                _("%(ref)s: say whether the control applies.") % {"ref": line["ref_id"]}
            )
        elif line["applicable"] and not line["inclusion_justification"].strip():
            problems.append(
                _("%(ref)s: give the reason for including it.") % {"ref": line["ref_id"]}
            )
        elif not line["applicable"] and not line["exclusion_justification"].strip():
            problems.append(
                _("%(ref)s: give the justification for excluding it.") % {"ref": line["ref_id"]}
            )
    return problems


def lines_sha256(lines: list[dict[str, Any]]) -> str:
    return hashlib.sha256(
        json.dumps(lines, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def soa_issue(
    *,
    actor: Actor,
    organisation: Organisation,
    framework: Framework,
    lines: list[dict[str, Any]],
    note: str = "",
) -> SoaVersion:
    problems = soa_problems(lines)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        # Lock the organisation so two people issuing at once get v(n) and v(n+1).
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        last = (
            SoaVersion.objects.filter(organisation=organisation).aggregate(last=Max("number"))[
                "last"
            ]
            or 0
        )
        version = SoaVersion(
            organisation=organisation,
            framework=framework,
            number=last + 1,
            issued_by=actor if isinstance(actor, User) else None,
            issued_by_label=str(getattr(actor, "email", actor)),
            note=note[:300],
            lines=lines,
            sha256=lines_sha256(lines),
        )
        version.save()
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="soa.issue",
            target=version,
            changes={
                "number": [None, version.number],
                "sha256": [None, version.sha256],
                "controls": [None, len(lines)],
            },
        )
    return version


@dataclass
class LineChange:
    ref_id: str
    field: str
    before: Any
    after: Any


def soa_diff(older: list[dict[str, Any]], newer: list[dict[str, Any]]) -> list[LineChange]:
    """Field-by-field differences between two SoA snapshots, in control order."""
    before = {line["ref_id"]: line for line in older}
    changes = []
    for line in newer:
        previous = before.pop(line["ref_id"], None)
        for key in SOA_LINE_KEYS[3:]:
            old_value = previous.get(key) if previous else None
            if previous is None or old_value != line.get(key):
                changes.append(LineChange(line["ref_id"], key, old_value, line.get(key)))
    for ref_id in before:
        changes.append(LineChange(ref_id, "ref_id", ref_id, None))
    return changes


# --- Export ---------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise formula injection (OWASP CSV injection): a cell that a spreadsheet
    would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(lines: list[dict[str, Any]], language: str) -> tuple[list[str], list[list[Any]]]:
    with translation.override(language):
        header = [
            _("Control"),
            _("Title"),
            _("Applicable"),
            _("Justification for inclusion"),
            _("Justification for exclusion"),
            _("Implementation status"),
            _("Owner"),
        ]
        labels = dict(ImplementationStatus.choices)
        yes, no, undecided = _("yes"), _("no"), _("not decided")
        rows = [
            [
                line["ref_id"].removeprefix("A."),
                line["title_fr"] if language == "fr" else line["title_en"],
                yes if line["applicable"] else (no if line["applicable"] is False else undecided),
                line["inclusion_justification"],
                line["exclusion_justification"],
                str(labels.get(line["status"], line["status"])),
                line["owner"],
            ]
            for line in lines
        ]
    return [str(h) for h in header], [[spreadsheet_safe(cell) for cell in row] for row in rows]


def soa_to_csv(lines: list[dict[str, Any]], language: str) -> bytes:
    header, rows = export_rows(lines, language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if language == "fr" else ",")
    writer.writerow(header)
    writer.writerows(rows)
    # UTF-8 with BOM: Excel in French opens it with the accents intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def soa_to_xlsx(lines: list[dict[str, Any]], language: str, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    header, rows = export_rows(lines, language)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "SoA"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (9, 48, 12, 48, 48, 22, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for row_cells in sheet.iter_rows(min_row=3):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            # Data cells are text: openpyxl would otherwise store "=..." as a formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
