"""Reading dataset extracts (CSV, XLSX, Parquet) into string columns, streamed.

Every value is read as text, stripped, with an empty string for a missing value: the
metrics compare values for equality, so ``"1980"`` and ``1980.0`` in a mixed column
must end up the same, and a leading zero in a postcode must survive. Only the columns
that the assessment needs are read (``usecols`` for CSV, column projection for Parquet).
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

CSV_CHUNK_ROWS = 250_000
XLSX_PROGRESS_ROWS = 20_000
# ``progress(fraction)`` while reading: the share of the file read so far, 0.0 to 1.0.
ReadProgress = Callable[[float], None]
SNIFF_BYTES = 64 * 1024
# csv.Sniffer's regular expressions take quadratic time or worse on quote-heavy text
# (27 s on 64 KB of ``a,"b``): it is shown at most this much, in whole lines.
SNIFFER_CHARS = 4096
# A zip bomb disguised as a workbook (kilobytes that inflate to gigabytes) is refused
# before openpyxl reads it. A real XLSX inflates about ten times: past XLSX_CHECKED_BYTES
# inflated, a workbook may inflate at most XLSX_MAX_RATIO times its size, and never past
# XLSX_MAX_INFLATED_BYTES.
XLSX_CHECKED_BYTES = 100 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_INFLATED_BYTES = 4 * 1024 * 1024 * 1024


class ExtractError(ValueError):
    """A problem with the file that the user can fix; the message says what it is."""


def sniff_format(path: Path) -> str:
    """``csv``, ``xlsx`` or ``parquet`` from the file's first bytes (never its name)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise ExtractError("The file is empty.")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, ValueError):
            members = []
        if "xl/workbook.xml" not in {member.filename for member in members}:
            raise ExtractError("This ZIP archive is not an XLSX workbook.")
        # The sizes the archive declares: zipfile never inflates a member past its
        # declared size, so they bound what openpyxl can read.
        inflated = sum(member.file_size for member in members)
        size = path.stat().st_size
        if inflated > XLSX_CHECKED_BYTES and (
            inflated > XLSX_MAX_RATIO * size or inflated > XLSX_MAX_INFLATED_BYTES
        ):
            raise ExtractError(
                f"This workbook of {size // 1024:,} KB inflates to "
                f"{inflated // (1024 * 1024):,} MB: refused (a zip bomb?)."
            )
        return "xlsx"
    if b"\x00" in head:
        raise ExtractError("This is not a CSV, XLSX or Parquet file (binary content).")
    return "csv"


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the first megabyte decodes as such, else Latin-1
    (a later invalid byte still falls back to Latin-1 while reading)."""
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            return "latin-1"
    return "utf-8"


def _csv_dialect(path: Path, encoding: str) -> str:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    text = head.decode(encoding, errors="replace")
    # Only complete lines: a 10 MB first line must not confuse the sniffer.
    sample = text.rsplit("\n", 1)[0] if "\n" in text else text
    first_line = sample.split("\n", 1)[0]
    short = sample[:SNIFFER_CHARS]
    short = short.rsplit("\n", 1)[0] if "\n" in short else short
    try:
        return csv.Sniffer().sniff(short, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {sep: first_line.count(sep) for sep in ",;\t|"}
        best = max(counts, key=lambda sep: counts[sep])
        return best if counts[best] else ","


def _csv_read(
    path: Path, columns: list[str] | None, encoding: str, progress: ReadProgress | None = None
) -> pd.DataFrame:
    sep = _csv_dialect(path, encoding)
    size = path.stat().st_size or 1
    with path.open("rb") as handle:
        chunks = pd.read_csv(
            handle,
            sep=sep,
            encoding=encoding,
            usecols=columns,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            chunksize=CSV_CHUNK_ROWS,
            on_bad_lines="error",
            engine="c",
        )
        frames = []
        for chunk in chunks:
            frames.append(chunk)
            if progress is not None:
                # The parser reads ahead in blocks: the position is a fair estimate.
                progress(min(1.0, handle.tell() / size))
    if not frames:
        return pd.DataFrame(columns=columns or [])
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame


def _csv_header(path: Path, encoding: str) -> list[str]:
    sep = _csv_dialect(path, encoding)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        csv.field_size_limit(64 * 1024 * 1024)
        try:
            return [name.strip() for name in next(reader)]
        except StopIteration:
            raise ExtractError("The file is empty.") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[Any, ...]], int]:
    """The header, the remaining rows, and the sheet's row count as the workbook declares
    it (0 when it does not)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise ExtractError(f"The workbook cannot be read: {error}") from None
    if not workbook.worksheets:
        raise ExtractError("The workbook has no sheet.")
    sheet = workbook.worksheets[0]
    rows = _guarded(sheet.iter_rows(values_only=True))
    try:
        header = [_cell(name) for name in next(rows)]
    except StopIteration:
        raise ExtractError("The file is empty.") from None
    return header, rows, int(sheet.max_row or 0)


def _guarded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only sheet, whose XML is parsed only as they are read: a sheet
    damaged further down fails here, as an ExtractError."""
    try:
        yield from rows
    except Exception as error:
        raise ExtractError(f"The workbook cannot be read: {error}") from None


def read_header(path: Path) -> list[str]:
    """The column names of the extract."""
    kind = sniff_format(path)
    if kind == "parquet":
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except (pa.ArrowException, OSError, ValueError) as error:
            raise ExtractError(f"The Parquet file cannot be read: {error}") from None
    if kind == "xlsx":
        header, _rows, _count = _xlsx_rows(path)
        return header
    encoding = _csv_encoding(path)
    return _csv_header(path, encoding)


def _check_columns(header: list[str], columns: list[str] | None) -> None:
    if not header or all(not name for name in header):
        raise ExtractError("The file has no header row.")
    if columns is None:
        return
    missing = [name for name in columns if name not in header]
    if missing:
        raise ExtractError(
            "Column(s) not found in the file: "
            + ", ".join(missing)
            + ". Columns present: "
            + ", ".join(header[:40])
        )


def read_extract(
    path: Path, columns: list[str] | None = None, *, progress: ReadProgress | None = None
) -> pd.DataFrame:
    """The extract's columns (all, or only ``columns``) as strings; raises ExtractError
    with a message for the user on anything unreadable, never a bare traceback.
    ``progress(fraction)`` is called while CSV and XLSX rows are read."""
    path = Path(path)
    if not path.exists():
        raise ExtractError(f"No such file: {path}")
    kind = sniff_format(path)
    wanted = list(dict.fromkeys(columns)) if columns is not None else None
    if kind == "parquet":
        return _read_parquet(path, wanted)
    if kind == "xlsx":
        return _read_xlsx(path, wanted, progress)
    encoding = _csv_encoding(path)
    header = _csv_header(path, encoding)
    _check_columns(header, wanted)
    try:
        try:
            frame = _csv_read(path, wanted, encoding, progress)
        except UnicodeDecodeError:
            # Not UTF-8: French extracts from older systems are Latin-1 (every byte decodes).
            frame = _csv_read(path, wanted, "latin-1", progress)
    except pd.errors.ParserError as error:
        raise ExtractError(f"The CSV file is malformed: {error}") from None
    except pd.errors.EmptyDataError:
        raise ExtractError("The file is empty.") from None
    except (ValueError, MemoryError, OverflowError) as error:
        raise ExtractError(f"The CSV file cannot be read: {error}") from None
    frame.columns = [str(name).strip() for name in frame.columns]
    return _normalise(frame)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        column = frame[name]
        frame[name] = column.fillna("").astype(str).str.strip()
    return frame


def _read_parquet(path: Path, columns: list[str] | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        header = list(parquet.schema_arrow.names)
        _check_columns(header, columns)
        table = parquet.read(columns=columns)
    except ExtractError:
        raise
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ExtractError(f"The Parquet file cannot be read: {error}") from None
    frame = pd.DataFrame(
        {
            name: [_cell(value) for value in table.column(name).to_pylist()]
            if not pa.types.is_string(table.column(name).type)
            and not pa.types.is_large_string(table.column(name).type)
            else table.column(name).fill_null("").to_pandas().astype(str)
            for name in table.column_names
        }
    )
    return _normalise(frame)


def _read_xlsx(
    path: Path, columns: list[str] | None, progress: ReadProgress | None = None
) -> pd.DataFrame:
    header, rows, count = _xlsx_rows(path)
    _check_columns(header, columns)
    wanted = columns if columns is not None else [name for name in header if name]
    indexes = [header.index(name) for name in wanted]
    values: list[list[str]] = [[] for _ in wanted]
    for number, row in enumerate(rows, start=1):
        if progress is not None and count and number % XLSX_PROGRESS_ROWS == 0:
            progress(min(1.0, number / count))
        if row is None or all(cell is None for cell in row):
            continue
        for slot, index in enumerate(indexes):
            values[slot].append(_cell(row[index]) if index < len(row) else "")
    return pd.DataFrame(dict(zip(wanted, values, strict=True)))


def read_text_lines(data: bytes) -> str:
    """Decode pasted or uploaded text: UTF-8 (with or without BOM), else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_sample(path: Path, rows: int = 2000) -> pd.DataFrame:
    """The first ``rows`` records of every column (for suggesting column roles)."""
    path = Path(path)
    kind = sniff_format(path)
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)
            batch = next(parquet.iter_batches(batch_size=rows), None)
        except (pa.ArrowException, OSError, ValueError) as error:
            raise ExtractError(f"The Parquet file cannot be read: {error}") from None
        if batch is None:
            return pd.DataFrame(columns=list(parquet.schema_arrow.names))
        frame = pd.DataFrame(
            {
                name: [_cell(v) for v in batch.column(name).to_pylist()]
                for name in batch.schema.names
            }
        )
        return _normalise(frame)
    if kind == "xlsx":
        header, row_iter, _count = _xlsx_rows(path)
        _check_columns(header, None)
        names = [name for name in header if name]
        indexes = [header.index(name) for name in names]
        values: list[list[str]] = [[] for _ in names]
        for count, row in enumerate(row_iter):
            if count >= rows:
                break
            for slot, index in enumerate(indexes):
                values[slot].append(_cell(row[index]) if index < len(row) else "")
        return pd.DataFrame(dict(zip(names, values, strict=True)))
    encoding = _csv_encoding(path)
    header = _csv_header(path, encoding)
    _check_columns(header, None)
    sep = _csv_dialect(path, encoding)
    for attempt in (encoding, "latin-1"):
        try:
            frame = pd.read_csv(
                path,
                sep=sep,
                encoding=attempt,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                nrows=rows,
                engine="c",
            )
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as error:
            raise ExtractError(f"The CSV file is malformed: {error}") from None
        except pd.errors.EmptyDataError:
            raise ExtractError("The file is empty.") from None
        except (ValueError, MemoryError, OverflowError) as error:
            raise ExtractError(f"The CSV file cannot be read: {error}") from None
    frame.columns = [str(name).strip() for name in frame.columns]
    return _normalise(frame)
