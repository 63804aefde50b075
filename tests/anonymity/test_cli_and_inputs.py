"""``assess_anonymity`` and ``scan_free_text``: JSON shape, formats, bad input; the
oracle (pycanon in its own environment when present, a naive count always)."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
from collections import defaultdict
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from anonymity.engine import metrics
from anonymity.engine.reader import ExtractError, read_extract

CLI_KEYS = {
    "rows",
    "equivalence_classes",
    "k_anonymity",
    "l_diversity",
    "unique_records",
    "records_below_k",
    "prosecutor_risk_max",
    "prosecutor_risk_avg",
    "linkable_columns",
    "verdict",
    "criteria",
}
CSV = (
    "patient_id;annee_naissance;sexe;code_postal;diagnostic\n"
    "P1;1980;F;75012;J45\nP1;1980;F;75012;E11\nP2;1981;M;69003;I10\n"
    "P3;1981;M;69003;I10\nP4;1990;F;13001;C50\n"
)


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("assess_anonymity", *args, stdout=out)
    return json.loads(out.getvalue())


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cli_prints_the_issue_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "extract.csv", CSV.encode())
    result = run(
        str(path),
        "--quasi-identifiers", "annee_naissance,sexe,code_postal",
        "--sensitive", "diagnostic",
        "--pseudonym-column", "patient_id",
        "--k-threshold", "2",
        "--format", "json",
    )  # fmt: skip
    assert set(result) >= CLI_KEYS
    assert result["rows"] == 5 and result["equivalence_classes"] == 3
    assert result["k_anonymity"] == 1 and result["unique_records"] == 1
    assert result["records_below_k"] == 1
    assert result["l_diversity"] == {"diagnostic": 1}
    assert result["linkable_columns"] == ["patient_id"]
    assert result["verdict"] == "pseudonymised"
    assert result["criteria"] == {"singling_out": True, "linkability": True, "inference": True}
    assert result["prosecutor_risk_max"] == 1.0 and result["prosecutor_risk_avg"] == 0.6


@pytest.mark.parametrize(
    "encode",
    [lambda s: s.encode("latin-1"), lambda s: b"\xef\xbb\xbf" + s.encode("utf-8")],
    ids=["latin-1", "utf-8-bom"],
)
def test_latin1_and_bom(tmp_path: Path, encode: object) -> None:
    text = "année;sexe\n1980;F\n1980;F\n1981;M\n"
    path = write(tmp_path, "e.csv", encode(text))  # type: ignore[operator]
    result = run(str(path), "--quasi-identifiers", "année,sexe", "--k-threshold", "1")
    assert result["rows"] == 3 and result["k_anonymity"] == 1


def test_xlsx_and_parquet_give_the_same_numbers(tmp_path: Path) -> None:
    frame = pd.read_csv(io.StringIO(CSV), sep=";", dtype=str)
    xlsx, parquet = tmp_path / "e.xlsx", tmp_path / "e.parquet"
    frame.to_excel(xlsx, index=False)
    frame.assign(annee_naissance=frame["annee_naissance"].astype(int)).to_parquet(parquet)
    args = ["--quasi-identifiers", "annee_naissance,sexe,code_postal", "--sensitive", "diagnostic"]
    csv_result = run(str(write(tmp_path, "e.csv", CSV.encode())), *args)
    for path in (xlsx, parquet):
        result = run(str(path), *args)
        assert result["equivalence_classes"] == csv_result["equivalence_classes"]
        assert result["k_anonymity"] == csv_result["k_anonymity"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", ["--quasi-identifiers", "a"], "empty"),
        (b"a;b\n", ["--quasi-identifiers", "a"], "no data rows"),
        (b"a;b\n1;2\n", ["--quasi-identifiers", "zz"], "not found"),
        (b"\x00\x01\x02binary", ["--quasi-identifiers", "a"], "not a CSV"),
        (b"PK\x03\x04garbage", ["--quasi-identifiers", "a"], "not an XLSX"),
        (b'a;b\n1;"2\n', ["--quasi-identifiers", "a"], "malformed"),
        (b"a;b\n1;2\n", ["--quasi-identifiers", "a", "--sensitive", "a"], "two roles"),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, content: bytes, args: list[str], message: str
) -> None:
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)


def test_single_row_mixed_types_and_a_10_mb_line(tmp_path: Path) -> None:
    single = write(tmp_path, "one.csv", b"a;b\n1;x\n")
    assert run(str(single), "--quasi-identifiers", "a", "--sensitive", "b")["k_anonymity"] == 1
    mixed = write(tmp_path, "mixed.csv", b"a;b\n1;x\n1.5;y\nabc;z\n;w\n1;v\n")
    result = run(str(mixed), "--quasi-identifiers", "a")
    assert result["equivalence_classes"] == 4 and result["rows"] == 5
    huge = write(tmp_path, "huge.csv", b"a;note\n1;" + b"x" * 10_000_000 + b"\n1;ok\n")
    assert run(str(huge), "--quasi-identifiers", "a")["k_anonymity"] == 2


def test_missing_file() -> None:
    with pytest.raises(CommandError, match="No such file"):
        run("/nonexistent/file.csv", "--quasi-identifiers", "a")


def test_undeclared_identifier_column_counts(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", b"nom;sexe\nDurand;F\nMartin;F\n")
    result = run(str(path), "--quasi-identifiers", "sexe", "--k-threshold", "2")
    assert result["direct_identifiers"] == ["nom"] and result["verdict"] == "pseudonymised"
    only = run(str(path), "--quasi-identifiers", "sexe", "--k-threshold", "2", "--only-declared")
    assert only["verdict"] == "anonymous"


def test_scan_free_text_command_shape(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.csv", b"note\nPatiente musulmane\nRAS\n")
    out = io.StringIO()
    call_command("scan_free_text", str(path), "--column", "note", stdout=out)
    payload = json.loads(out.getvalue())
    assert set(payload) == {"records", "summary"}
    first = payload["records"][0]
    assert {"row", "categories", "identifiers", "spans"} <= set(first)
    assert first["categories"] == ["religion"] and first["row"] == 0
    assert payload["summary"]["notes_with_special_categories"] == 1
    with pytest.raises(CommandError, match="not found"):
        call_command("scan_free_text", str(path), "--column", "nope", stdout=io.StringIO())


def test_reader_never_raises_anything_but_extract_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractError):
        read_extract(write(tmp_path, "x.parquet", b"PAR1garbage"), ["a"])


# --- Oracle -------------------------------------------------------------------------

PYCANON_PYTHON = os.environ.get(
    "PYCANON_PYTHON",
    "/tmp/pycanon-venv/bin/python",  # noqa: S108 (see README: a separate venv)
)


def _small_frame() -> pd.DataFrame:
    rng = random.Random(7)
    rows = [
        {
            "yob": str(rng.choice(range(1950, 1960))),
            "sex": rng.choice("FM"),
            "cp": rng.choice(["75012", "69003", "13001"]),
            "diag": rng.choice(["J45", "E11", "I10", "C50"]),
        }
        for _ in range(400)
    ]
    return pd.DataFrame(rows)


def _naive(frame: pd.DataFrame) -> tuple[int, int]:
    classes: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for row in frame.itertuples(index=False):
        classes[(row.yob, row.sex, row.cp)].append(row.diag)
    return min(len(v) for v in classes.values()), min(len(set(v)) for v in classes.values())


def _ours(frame: pd.DataFrame) -> tuple[int, int]:
    classes = metrics.equivalence_classes(frame, ["yob", "sex", "cp"])
    return metrics.k_anonymity(classes), metrics.l_diversity(classes, frame["diag"])[0]


def test_agrees_with_a_naive_count() -> None:
    frame = _small_frame()
    assert _ours(frame) == _naive(frame)


@pytest.mark.skipif(not Path(PYCANON_PYTHON).exists(), reason="pycanon environment absent")
def test_agrees_with_pycanon(tmp_path: Path) -> None:
    frame = _small_frame()
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    script = (
        "import sys, pandas as pd; from pycanon import anonymity as a;"
        "d = pd.read_csv(sys.argv[1], dtype=str); q = ['yob', 'sex', 'cp'];"
        "print(a.k_anonymity(d, q), a.l_diversity(d, q, ['diag']))"
    )
    output = subprocess.run(  # noqa: S603 (fixed interpreter and script)
        [PYCANON_PYTHON, "-c", script, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert (int(output[0]), int(output[1])) == _ours(frame)
