"""Reading a file and assessing it in one call (command line, web, API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from anonymity.choices import ColumnRole
from anonymity.engine.assess import READ_END, Progress, assess_frame
from anonymity.engine.reader import ExtractError, read_extract, read_header
from anonymity.engine.roles import suggest_role

MAX_COLUMNS = 200


def undeclared_identifying_columns(header: list[str], roles: dict[str, str]) -> dict[str, str]:
    """Columns the caller did not name whose *name* says direct identifier or persistent
    pseudonym: they leave with the extract, so the verdict counts them."""
    out: dict[str, str] = {}
    empty = pd.Series([], dtype=str)
    for column in header:
        if column in roles or not column:
            continue
        role, _why = suggest_role(column, empty)
        if role in (ColumnRole.DIRECT_IDENTIFIER, ColumnRole.PERSISTENT_PSEUDONYM):
            out[column] = role
    return out


def assess_file(
    path: Path,
    roles: dict[str, str],
    *,
    k_threshold: int = 5,
    with_t_closeness: bool = False,
    include_undeclared: bool = True,
    rerun: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Read the columns the roles need and assess them; ``progress(percent, step)`` is
    called along the way (reading, classes, free text, re-run)."""
    if k_threshold < 1:
        raise ExtractError("The k threshold must be at least 1.")
    header = read_header(path)
    if len(header) > MAX_COLUMNS:
        raise ExtractError(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read.")
    duplicated = sorted({name for name in header if header.count(name) > 1 and name})
    if duplicated:
        raise ExtractError("Duplicate column names: " + ", ".join(duplicated))
    missing = [column for column in roles if column not in header]
    if missing:
        raise ExtractError(
            "Column(s) not found in the file: "
            + ", ".join(missing)
            + ". Columns present: "
            + ", ".join(header[:40])
        )
    all_roles = dict(roles)
    undeclared: dict[str, str] = {}
    if include_undeclared:
        undeclared = undeclared_identifying_columns(header, roles)
        all_roles.update(undeclared)
    needed = [column for column, role in all_roles.items() if role != ColumnRole.IGNORE]
    if progress is not None:
        progress(2, "reading")
    frame = read_extract(
        path,
        needed,
        progress=(lambda done: progress(2 + int(done * (READ_END - 2)), "reading"))
        if progress is not None
        else None,
    )
    if progress is not None:
        progress(READ_END, "reading")
    result = assess_frame(
        frame,
        {c: r for c, r in all_roles.items() if r != ColumnRole.IGNORE},
        k_threshold=k_threshold,
        with_t_closeness=with_t_closeness,
        rerun=rerun,
        progress=progress,
    )
    result["undeclared_identifying_columns"] = undeclared
    return result
