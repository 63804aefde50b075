"""Processing-register import (privacy.interop) on hostile input: any bytes end in
``ImportRejected`` with a message (the import page lists it) or in an import, never
another exception and never half an import; export then import gives the same register,
formula cells and all; pathological files are refused quickly."""

from __future__ import annotations

import csv
import io
import operator
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.models import Organisation
from privacy import services
from privacy.interop import (
    COLUMNS,
    ImportRejected,
    register_import,
    register_to_csv,
    register_to_xlsx,
)
from privacy.models import ProcessingActivity
from privacy.selectors import register_queryset
from tests.helpers import fr
from tests.hostile.conftest import hostile_settings
from tests.hostile.files import xlsx_bytes, zip_bomb_xlsx
from tests.privacy.conftest import ACTOR, CARE

SECONDS = 2.0
XLSX_UNREADABLE = "This XLSX file cannot be read."
TEXT_FIELDS = ("name", "purposes", "controller_name", "retention", "security_measures", "notes")
HEADER_FR = ";".join(f'"{column.label}"' for column in COLUMNS)


def _import(organisation: Organisation, data: bytes, name: str = "register.csv") -> Any:
    return register_import(actor=ACTOR, organisation=organisation, data=data, filename=name)


def _rejected_with_messages(organisation: Organisation, data: bytes, name: str) -> bool:
    """True when the file was refused (every error with a message, nothing written)."""
    before = ProcessingActivity.objects.count()
    try:
        _import(organisation, data, name)
    except ImportRejected as rejected:
        assert rejected.errors and all(error.message for error in rejected.errors)
        assert ProcessingActivity.objects.count() == before
        return True
    return False


@pytest.mark.django_db
@hostile_settings
@given(data=st.binary(max_size=2048), name=st.sampled_from(["r.csv", "r.xlsx", "r", "r.txt"]))
def test_any_bytes_import_or_are_refused_with_a_message(
    org_a: Organisation, data: bytes, name: str
) -> None:
    _rejected_with_messages(org_a, data, name)


cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "@SUM(A1)", "-2", "+33", "'=x", "oui", "2024-02-30", "Santé | x"]),
)


@pytest.mark.django_db
@hostile_settings
@given(rows=st.lists(st.lists(cell, max_size=8), max_size=6), delimiter=st.sampled_from(";,\t"))
def test_any_table_under_a_real_header_imports_or_is_refused(
    org_a: Organisation, rows: list[list[str]], delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Référence", "Nom", "Finalités", "Utilisations", "Destinataires"])
    writer.writerows(rows)
    for encoding in ("utf-8-sig", "cp1252"):
        data = buffer.getvalue().encode(encoding, errors="replace")
        _rejected_with_messages(org_a, data, "register.csv")


# --- Round trip ---------------------------------------------------------------------------

FORMULA_STARTS = ["", "=", "+", "-", "@", "'", "'=", "''", "=HYPERLINK(", "-1"]
text_value = st.builds(
    operator.add,
    st.sampled_from(FORMULA_STARTS),
    st.text(
        st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\n;,\"'|"), max_size=40
    ),
).filter(
    # Values are stored trimmed (forms, API and import all trim them).
    lambda value: value.strip() != "" and value == value.strip()
)


@pytest.mark.django_db
@hostile_settings
@given(
    values=st.fixed_dictionaries({field: text_value for field in TEXT_FIELDS}),
    language=st.sampled_from(["fr", "en"]),
    kind=st.sampled_from(["csv", "xlsx"]),
)
def test_export_then_import_gives_the_same_register(
    org_a: Organisation, values: dict[str, str], language: str, kind: str
) -> None:
    ProcessingActivity.objects.filter(organisation=org_a).delete()
    fields = {**CARE, **values, "reference": "RT-1"}
    services.processing_create(actor=ACTOR, organisation=org_a, **fields)
    processings = list(register_queryset(ProcessingActivity.objects.filter(organisation=org_a)))
    if kind == "csv":
        data, name = register_to_csv(processings, language), "register.csv"
    else:
        data, name = register_to_xlsx(processings, language, "Registre"), "register.xlsx"
    ProcessingActivity.objects.filter(organisation=org_a).delete()

    _import(org_a, data, name)

    imported = ProcessingActivity.objects.get(organisation=org_a, reference="RT-1")
    assert {field: getattr(imported, field) for field in fields} == fields


def test_csv_export_neutralises_every_formula_start(org_a: Organisation) -> None:
    # OWASP CSV injection: = + - @ and also tab and carriage return (a spreadsheet strips
    # them and evaluates what follows). Tab and CR were missing.
    starts = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"]
    for index, start in enumerate(starts):
        services.processing_create(
            actor=ACTOR, organisation=org_a, **{**CARE, "reference": f"F-{index}", "notes": start}
        )
    processings = list(register_queryset(ProcessingActivity.objects.filter(organisation=org_a)))
    rows = list(csv.reader(io.StringIO(register_to_csv(processings, "en").decode("utf-8-sig"))))
    notes = [row[[c.key for c in COLUMNS].index("notes")] for row in rows[1:]]
    assert sorted(notes) == sorted(f"'{start}" for start in starts)


def test_xlsx_export_stores_formula_cells_as_text(org_a: Organisation) -> None:
    from openpyxl import load_workbook

    services.processing_create(
        actor=ACTOR, organisation=org_a, **{**CARE, "reference": "X-1", "notes": "=1+1"}
    )
    processings = list(register_queryset(ProcessingActivity.objects.filter(organisation=org_a)))
    sheet = load_workbook(io.BytesIO(register_to_xlsx(processings, "en", "t"))).worksheets[0]
    notes = sheet.cell(2, [c.key for c in COLUMNS].index("notes") + 1)
    assert (notes.value, notes.data_type) == ("=1+1", "s")


# --- Pathological files, timed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(b"a" * 1_000_000, "register.csv", None, id="1MB-single-cell"),
        pytest.param(
            (HEADER_FR + "\n" + '"' + "x" * 1_000_000 + '"\n').encode(),
            "register.csv",
            None,
            id="1MB-quoted-cell",
        ),
        pytest.param(
            xlsx_bytes(sheet=b"<worksheet><sheetData><row><c"),
            "register.xlsx",
            XLSX_UNREADABLE,
            id="truncated-sheet-xml",
        ),
        pytest.param(xlsx_bytes(sheet=None), "register.xlsx", XLSX_UNREADABLE, id="no-sheet"),
    ],
)
def test_pathological_files_are_refused_quickly(
    org_a: Organisation, data: bytes, name: str, message: str | None
) -> None:
    # Before: csv.Error (field larger than field limit) and IndexError out of the import.
    start = time.perf_counter()
    with pytest.raises(ImportRejected) as rejected:
        _import(org_a, data, name)
    if message:
        assert rejected.value.errors[0].message == fr(message)
    else:  # the csv module's field limit, or (when another reader in this process raised
        # that limit, as anonymity extracts do) the header's or the column's checks
        assert all(error.message for error in rejected.value.errors)
    assert time.perf_counter() - start < SECONDS
    assert not ProcessingActivity.objects.exists()


def test_a_zip_bomb_disguised_as_xlsx_is_refused_unread(org_a: Organisation) -> None:
    # Before: openpyxl inflated the 200 MB sheet (12 s, hundreds of MB of memory).
    bomb = zip_bomb_xlsx(inflated_mb=200)
    assert len(bomb) < 2 * 1024 * 1024  # passes the upload limit
    start = time.perf_counter()
    with pytest.raises(ImportRejected) as rejected:
        _import(org_a, bomb, "register.xlsx")
    assert rejected.value.errors[0].message == fr(
        "This XLSX file inflates to more than %(mb)s MB: refused."
    ) % {"mb": 50}
    assert time.perf_counter() - start < SECONDS
