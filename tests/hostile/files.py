"""Hostile files, built in memory by the tests that use them (nothing is shipped)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_parts(rows: list[list[object]] | None = None) -> dict[str, bytes]:
    """The parts of a real workbook made by openpyxl (one sheet holding ``rows``)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows if rows is not None else [["Référence", "Nom"], ["R-1", "Dossier"]]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xlsx_bytes(
    *, sheet: bytes | bool | None = True, extra: dict[str, bytes] | None = None
) -> bytes:
    """A workbook whose first sheet's XML is ``sheet`` (True: the real one; None: the
    part is left out), with ``extra`` parts added or replaced."""
    parts = workbook_parts()
    if sheet is None:
        del parts[SHEET]
    elif sheet is not True:
        assert isinstance(sheet, bytes)
        parts[SHEET] = sheet
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb_xlsx(*, inflated_mb: int) -> bytes:
    """A real workbook whose sheet holds one inline string of ``inflated_mb`` megabytes:
    a few hundred kilobytes compressed. Written in chunks, so the test never holds the
    inflated text in memory."""
    parts = workbook_parts()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if name != SHEET:
                archive.writestr(name, content)
        with archive.open(SHEET, "w", force_zip64=True) as member:
            member.write(
                f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
                '<c r="A1" t="inlineStr"><is><t>'.encode()
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(chunk)
            member.write(b"</t></is></c></row></sheetData></worksheet>")
    return buffer.getvalue()


def billion_laughs(root: str, text_element: str) -> bytes:
    """An XML part whose one text is an entity expanding to 10**9 "lol"."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]>'
        f'<{root} xmlns="{MAIN_NS}">{text_element.replace("TEXT", "&lol9;")}</{root}>'
    ).encode()


def external_entity(root: str, text_element: str, target: str = "file:///etc/passwd") -> bytes:
    """An XML part whose one text is an external entity (XXE) naming ``target``."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target}">]>'
        f'<{root} xmlns="{MAIN_NS}">{text_element.replace("TEXT", "&xxe;")}</{root}>'
    ).encode()


SHEET_CELL = (
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>TEXT</t></is></c></row></sheetData>'
)
SHARED_STRING = "<si><t>TEXT</t></si>"
