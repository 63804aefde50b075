"""Register import and export (CSV, XLSX), in French or English.

One row per processing. Choice columns hold the label in the file's language (the code
and the other language's label are accepted on import); lists are separated by " | ";
recipients read "Type: name | Type: name". An import is all or nothing: every row is
checked first (``register_check``), and a single bad row imports nothing and reports
every error with its row number; only then are the rows written, in one transaction
(``register_apply``). A worker runs both for the pages (``privacy.imports``).
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.models import Organisation
from compliance.services.audit_trail import Actor, audit_event_record
from privacy.choices import (
    Article9Condition,
    DirectIdentifier,
    LegalBasis,
    Location,
    ProcessingRole,
    RecipientKind,
    SpecialCategory,
    TransferSafeguard,
    Use,
)
from privacy.models import ProcessingActivity, Recipient
from privacy.selectors import route_of
from privacy.services import PROCESSING_FIELDS, findings_recompute

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# What an XLSX file may hold once inflated: 2000 lines fit in a few megabytes, and a zip
# bomb (a file of a few hundred kilobytes that inflates to gigabytes) is refused unread.
MAX_XLSX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 2000
LIST_SEPARATOR = " | "
# A cell starting with one of these runs as a formula in a spreadsheet (OWASP CSV
# injection): the CSV export writes it with a leading apostrophe, which the import takes
# off again. A value that itself starts with an apostrophe gets one more, in CSV and XLSX,
# so that the import gives it back unchanged.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTED_PREFIXES = (*FORMULA_PREFIXES, "'")
# ``progress(fraction)``: the share of the lines checked (or written) so far, 0.0 to 1.0.
Progress = Callable[[float], None]
PROGRESS_EVERY_ROWS = 20


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy, translated in the file's language
    kind: str = "text"  # text, choice, list, bool, date, recipients, readonly
    choices: Any = None


COLUMNS = [
    Column("reference", gettext_lazy("Reference")),
    Column("name", gettext_lazy("Name")),
    Column("role", gettext_lazy("Our role"), "choice", ProcessingRole),
    Column("controller_name", gettext_lazy("Controller")),
    Column("controller_contact", gettext_lazy("Controller contact")),
    Column("joint_controllers", gettext_lazy("Joint controllers")),
    Column("representative", gettext_lazy("Representative")),
    Column("dpo_contact", gettext_lazy("DPO contact")),
    Column("purposes", gettext_lazy("Purposes")),
    Column("uses", gettext_lazy("Uses"), "list", Use),
    Column("data_subject_categories", gettext_lazy("Categories of data subjects")),
    Column("personal_data_categories", gettext_lazy("Categories of personal data")),
    Column("special_categories", gettext_lazy("Special categories"), "list", SpecialCategory),
    Column("direct_identifiers", gettext_lazy("Direct identifiers held"), "list", DirectIdentifier),
    Column("legal_basis", gettext_lazy("Lawful basis (Art. 6)"), "choice", LegalBasis),
    Column("article9_condition", gettext_lazy("Art. 9(2) condition"), "choice", Article9Condition),
    Column("recipients", gettext_lazy("Recipients"), "recipients", RecipientKind),
    Column("data_location", gettext_lazy("Where the data are stored"), "choice", Location),
    Column("third_country_transfers", gettext_lazy("Transfers outside the EEA")),
    Column("transfer_safeguard", gettext_lazy("Transfer safeguard"), "choice", TransferSafeguard),
    Column("transfer_safeguard_documentation", gettext_lazy("Safeguard documentation")),
    Column("retention", gettext_lazy("Erasure time limits")),
    Column("security_measures", gettext_lazy("Security measures")),
    Column("large_scale", gettext_lazy("Large scale"), "bool"),
    Column("automated_evaluation", gettext_lazy("Automated evaluation"), "bool"),
    Column("public_monitoring", gettext_lazy("Monitoring of a public area"), "bool"),
    Column("dpia_done_on", gettext_lazy("DPIA carried out on"), "date"),
    Column("dpia_review_on", gettext_lazy("DPIA review date"), "date"),
    Column("claims_anonymised", gettext_lazy("Data declared anonymised"), "bool"),
    Column("notes", gettext_lazy("Notes")),
    Column("route", gettext_lazy("Article 66 route"), "readonly"),
    Column("findings", gettext_lazy("Findings"), "readonly"),
]
assert {c.key for c in COLUMNS if c.kind not in ("recipients", "readonly")} == set(
    PROCESSING_FIELDS
)

_TRUE = {"yes", "oui", "true", "vrai", "1", "x"}
_FALSE = {"no", "non", "false", "faux", "0", ""}


def _labels(column: Column, language: str) -> str:
    with translation.override(language):
        return str(column.label)


# --- Export -----------------------------------------------------------------------------


def _choice_label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code)) if code else ""


def _cell(processing: ProcessingActivity, column: Column) -> str:
    if column.key == "recipients":
        return LIST_SEPARATOR.join(
            f"{_choice_label(RecipientKind, r.kind)}: {r.name}" for r in processing.recipients.all()
        )
    if column.key == "route":
        route = route_of(processing)
        if route is None:
            return ""
        detail = route.methodology or route.decision_number or route.receipt_number
        return f"{route.get_kind_display()}{f' ({detail})' if detail else ''}"
    if column.key == "findings":
        return LIST_SEPARATOR.join(f.rule_code for f in processing.findings.all())
    value = getattr(processing, column.key)
    if column.kind == "choice":
        return _choice_label(column.choices, value)
    if column.kind == "list":
        return LIST_SEPARATOR.join(_choice_label(column.choices, code) for code in value)
    if column.kind == "bool":
        return _("yes") if value else _("no")
    if column.kind == "date":
        return value.isoformat() if value else ""
    return str(value or "")


def export_rows(
    processings: list[ProcessingActivity], language: str
) -> tuple[list[str], list[list[str]]]:
    with translation.override(language):
        header = [str(c.label) for c in COLUMNS]
        rows = [[_cell(p, c) for c in COLUMNS] for p in processings]
    return header, rows


def register_to_csv(processings: list[ProcessingActivity], language: str) -> bytes:
    header, rows = export_rows(processings, language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if language == "fr" else ",")
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"'{v}" if v.startswith(QUOTED_PREFIXES) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def register_to_xlsx(processings: list[ProcessingActivity], language: str, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    header, rows = export_rows(processings, language)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Registre" if language == "fr" else "Register"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([f"'{v}" if v.startswith("'") else v for v in row])
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 28
    sheet.freeze_panes = "C2"
    del title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Import -----------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(Exception):
    """Nothing was imported; ``errors`` lists what to fix, row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _read_table(data: bytes, filename: str) -> list[list[Any]]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRejected([RowError(0, "", _("The file is larger than 2 MB."))])
    if data[:4] == b"PK\x03\x04":  # sniffed: an XLSX file is a zip archive
        return _read_xlsx(data)
    if filename.lower().endswith(".xlsx"):
        raise ImportRejected([RowError(0, "", _("This XLSX file cannot be read."))])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ImportRejected([RowError(0, "", _("The file is neither CSV nor XLSX."))])
    if "\x00" in text:
        raise ImportRejected([RowError(0, "", _("The file is neither CSV nor XLSX."))])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # Every line is read (2 MB at most): a file past the line limit is refused, not cut.
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:  # a cell past the csv module's field limit (128 KB)
        raise ImportRejected([RowError(0, "", _("This CSV file cannot be read."))]) from None
    return rows


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    unreadable = ImportRejected([RowError(0, "", _("This XLSX file cannot be read."))])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # The sizes the archive declares: zipfile never inflates a member past its
            # declared size, so this bounds what openpyxl can read.
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise unreadable from None
    if inflated > MAX_XLSX_INFLATED_BYTES:
        message = _("This XLSX file inflates to more than %(mb)s MB: refused.") % {
            "mb": MAX_XLSX_INFLATED_BYTES // (1024 * 1024)
        }
        raise ImportRejected([RowError(0, "", message)])
    # openpyxl raises many kinds on a damaged workbook, and in read-only mode a sheet's XML
    # is parsed only while its rows are read (a workbook without sheets, a truncated sheet):
    # both steps are guarded.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise unreadable
            rows: list[list[Any]] = []
            # Up to one line past the limit, blank lines not counted, so that a longer file is
            # refused rather than cut short.
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                if any(_text(v) for v in row):
                    rows.append(list(row))
                    if len(rows) > MAX_ROWS + 1:
                        break
        finally:
            workbook.close()
    except ImportRejected:
        raise
    except Exception:
        raise unreadable from None
    return rows


def _header_map() -> dict[str, Column]:
    mapping: dict[str, Column] = {}
    for column in COLUMNS:
        mapping[column.key.lower()] = column
        for language in ("fr", "en"):
            mapping[_labels(column, language).strip().lower()] = column
    return mapping


def _choice_lookup(choices: Any) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, label in choices.choices:
        lookup[str(code).lower()] = code
        for language in ("fr", "en"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = code
    return lookup


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(QUOTED_PREFIXES) else text


def _parse(column: Column, raw: Any, lookups: dict[str, dict[str, str]]) -> Any:
    if column.kind == "date":
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        text = _text(raw)
        if not text:
            return None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": text}
        )
    text = _text(raw)
    if column.kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(_("“%(value)s” is neither yes nor no.") % {"value": text})
    if column.kind == "choice":
        if not text:
            return ""
        code = lookups[column.key].get(text.lower())
        if code is None:
            raise ValueError(_("Unknown value “%(value)s”.") % {"value": text})
        return code
    if column.kind == "list":
        codes = []
        for item in filter(None, (part.strip() for part in text.split("|"))):
            code = lookups[column.key].get(item.lower())
            if code is None:
                raise ValueError(_("Unknown value “%(value)s”.") % {"value": item})
            codes.append(code)
        return codes
    if column.kind == "recipients":
        recipients = []
        for item in filter(None, (part.strip() for part in text.split("|"))):
            kind_text, sep, name = item.partition(":")
            code = lookups[column.key].get(kind_text.strip().lower())
            if not sep or code is None or not name.strip():
                raise ValueError(
                    _("Write each recipient as “type: name”; “%(value)s” is not.") % {"value": item}
                )
            recipients.append((code, name.strip()[:200]))
        return recipients
    return text


@dataclass
class ImportResult:
    created: int
    updated: int


@dataclass
class ImportPlan:
    """A file whose every line was checked: what ``register_apply`` will write."""

    filename: str
    lines: list[tuple[int, dict[str, Any], list[tuple[str, str]] | None]]
    existing: dict[str, ProcessingActivity] = field(default_factory=dict)


def _report_every(progress: Progress | None, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if progress is not None and (done % PROGRESS_EVERY_ROWS == 0 or done == total):
            progress(done / max(total, 1))

    return report


def register_import(
    *, actor: Actor, organisation: Organisation, data: bytes, filename: str
) -> ImportResult:
    """Import register lines from CSV or XLSX: create new references, update existing
    ones (recipients are replaced by the file's). All or nothing."""
    plan = register_check(organisation=organisation, data=data, filename=filename)
    return register_apply(actor=actor, organisation=organisation, plan=plan)


def register_check(
    *, organisation: Organisation, data: bytes, filename: str, progress: Progress | None = None
) -> ImportPlan:
    """Read and check every line (reads only, no transaction). Raises ``ImportRejected``
    with every error, row by row; ``progress(fraction)`` as the lines are checked."""
    table = _read_table(data, filename)
    errors: list[RowError] = []
    rows = [row for row in table if any(_text(v) for v in row)]
    if not rows:
        raise ImportRejected([RowError(0, "", _("The file is empty."))])
    if len(rows) > MAX_ROWS + 1:
        raise ImportRejected([RowError(0, "", _("At most 2000 lines per import."))])
    headers = _header_map()
    columns: list[Column | None] = [headers.get(_text(h).lower()) for h in rows[0]]
    found = {c.key for c in columns if c is not None}
    for needed in ("reference", "name"):
        if needed not in found:
            label = next(c.label for c in COLUMNS if c.key == needed)
            errors.append(RowError(1, str(label), _("This column is missing.")))
    if errors:
        raise ImportRejected(errors)
    lookups = {c.key: _choice_lookup(c.choices) for c in COLUMNS if c.choices is not None}

    existing = {
        p.reference.lower(): p for p in ProcessingActivity.objects.filter(organisation=organisation)
    }
    parsed: list[tuple[int, dict[str, Any], list[tuple[str, str]] | None]] = []
    seen: dict[str, int] = {}
    checked = _report_every(progress, len(rows) - 1)
    for number, row in enumerate(rows[1:], start=2):
        checked(number - 2)
        fields: dict[str, Any] = {}
        recipients = None
        for column, raw in zip(columns, row, strict=False):
            if column is None or column.kind == "readonly":
                continue
            try:
                value = _parse(column, raw, lookups)
            except ValueError as error:
                errors.append(RowError(number, str(column.label), str(error)))
                continue
            if column.key == "recipients":
                recipients = value
            else:
                fields[column.key] = value
        reference = str(fields.get("reference") or "")
        if not reference:
            errors.append(RowError(number, _("Reference"), _("The reference is required.")))
        elif reference.lower() in seen:
            errors.append(
                RowError(
                    number,
                    _("Reference"),
                    _("Reference already used on line %(line)s.")
                    % {"line": seen[reference.lower()]},
                )
            )
        else:
            seen[reference.lower()] = number
        candidate = existing.get(reference.lower()) or ProcessingActivity(organisation=organisation)
        merged = ProcessingActivity(
            organisation=organisation,
            **{name: getattr(candidate, name) for name in PROCESSING_FIELDS},
        )
        for name, value in fields.items():
            setattr(merged, name, value)
        try:
            merged.full_clean(exclude=["organisation"], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = next((str(c.label) for c in COLUMNS if c.key == name), name)
                errors.extend(RowError(number, label, m) for m in messages)
        parsed.append((number, fields, recipients))
    checked(len(rows) - 1)
    if errors:
        raise ImportRejected(errors)
    return ImportPlan(filename=filename, lines=parsed, existing=existing)


def register_apply(
    *,
    actor: Actor,
    organisation: Organisation,
    plan: ImportPlan,
    progress: Progress | None = None,
    target: Any = None,
) -> ImportResult:
    """Write a checked file's lines, in one transaction with the audit row (``target``:
    the ``RegisterImport`` it came from, if any); ``progress(fraction)`` as they are
    written."""
    created = updated = 0
    existing = plan.existing
    written = _report_every(progress, len(plan.lines))
    with transaction.atomic():
        for done, (_number, fields, recipients) in enumerate(plan.lines, start=1):
            processing = existing.get(str(fields["reference"]).lower())
            if processing is None:
                processing = ProcessingActivity(organisation=organisation)
                created += 1
            else:
                updated += 1
            for name, value in fields.items():
                setattr(processing, name, value)
            processing.save()
            if recipients is not None:
                processing.recipients.filter(processor__isnull=True).delete()
                kept = {(r.kind, r.name) for r in processing.recipients.all()}
                Recipient.objects.bulk_create(
                    Recipient(processing=processing, kind=kind, name=name)
                    for kind, name in recipients
                    if (kind, name) not in kept
                )
            findings_recompute(processing)
            written(done)
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="privacy.register_import",
            target=target,
            changes={"file": plan.filename[:200], "created": created, "updated": updated},
        )
    return ImportResult(created, updated)
