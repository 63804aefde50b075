"""Generalisations that fix what the verdict found (WP216 "generalisation" family).

- year of birth or age: 5-year bands ("1980-1984");
- full date of birth: 5-year band of its year;
- postcode: the département (first two digits, three for overseas 97x/98x);
- other dates (care, admission...): the month;
- persistent pseudonym and direct identifiers: dropped (re-key per extract instead if
  records must stay linked inside one extract);
- free text with special categories: dropped.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from anonymity.choices import ColumnRole
from anonymity.engine.roles import fold

YEAR_NAME = re.compile(r"annee|year|yob|naissance|birth|ddn|dob")
AGE_NAME = re.compile(r"(^|_)age(_|$)|age_ans")
POSTCODE_NAME = re.compile(r"postal|postcode|(^|_)cp(_|$)|zip")


def _share(values: pd.Series, pattern: str) -> float:
    sample = values[values != ""].head(2000)
    return float(sample.str.fullmatch(pattern).mean()) if not sample.empty else 0.0


def _name(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(column))


def suggest_generalisations(
    frame: pd.DataFrame, roles: dict[str, str], *, free_text_flagged: list[str] | None = None
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for column, role in roles.items():
        if column not in frame.columns:
            continue
        name = _name(column)
        values = frame[column]
        if role == ColumnRole.PERSISTENT_PSEUDONYM:
            out.append({"column": column, "kind": "drop"})
        elif role == ColumnRole.DIRECT_IDENTIFIER:
            if (
                YEAR_NAME.search(name)
                and _share(values, r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}") > 0.5
            ):
                out.append({"column": column, "kind": "birth_date_to_band"})
            else:
                out.append({"column": column, "kind": "drop"})
        elif role == ColumnRole.FREE_TEXT and column in (free_text_flagged or []):
            out.append({"column": column, "kind": "drop"})
        elif role == ColumnRole.QUASI_IDENTIFIER:
            if _share(values, r"(18|19|20)\d\d") > 0.9 and YEAR_NAME.search(name):
                out.append({"column": column, "kind": "year_band_5"})
            elif AGE_NAME.search(name) and _share(values, r"\d{1,3}") > 0.9:
                out.append({"column": column, "kind": "age_band_5"})
            elif _share(values, r"\d{5}|2[AB]\d{3}") > 0.9 or (
                POSTCODE_NAME.search(name) and _share(values, r"\d{4,5}") > 0.9
            ):
                out.append({"column": column, "kind": "postcode_to_departement"})
            elif _share(values, r"\d{4}-\d{2}-\d{2}.*|\d{2}/\d{2}/\d{4}.*") > 0.9:
                if YEAR_NAME.search(name):
                    out.append({"column": column, "kind": "birth_date_to_band"})
                else:
                    out.append({"column": column, "kind": "date_to_month"})
    return out


def _band(years: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(years, errors="coerce")
    low = (numbers // 5) * 5
    text = low.astype("Int64").astype(str) + "-" + (low + 4).astype("Int64").astype(str)
    return text.where(numbers.notna(), years)


def _year_of(dates: pd.Series) -> pd.Series:
    iso = dates.str.extract(r"^(\d{4})-\d{2}-\d{2}")[0]
    french = dates.str.extract(r"^\d{2}/\d{2}/(\d{4})")[0]
    return iso.fillna(french).fillna(dates)


def _month_of(dates: pd.Series) -> pd.Series:
    iso = dates.str.extract(r"^(\d{4}-\d{2})-\d{2}")[0]
    french = dates.str.extract(r"^\d{2}/(\d{2})/(\d{4})")
    french_month = french[1] + "-" + french[0]
    return iso.fillna(french_month).fillna(dates)


def _departement(codes: pd.Series) -> pd.Series:
    padded = codes.where(~codes.str.fullmatch(r"\d{4}"), "0" + codes)
    overseas = padded.str.match(r"9[78]")
    return padded.str[:3].where(overseas, padded.str[:2])


def apply_generalisations(
    frame: pd.DataFrame, roles: dict[str, str], steps: list[dict[str, str]]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A generalised copy of the extract and the roles that still apply to it."""
    out = frame.copy()
    new_roles = dict(roles)
    for step in steps:
        column, kind = step["column"], step["kind"]
        if column not in out.columns:
            continue
        values = out[column]
        if kind == "drop":
            out = out.drop(columns=[column])
            new_roles.pop(column, None)
        elif kind in ("year_band_5", "age_band_5"):
            out[column] = _band(values)
        elif kind == "birth_date_to_band":
            out[column] = _band(_year_of(values))
            new_roles[column] = ColumnRole.QUASI_IDENTIFIER
        elif kind == "postcode_to_departement":
            out[column] = _departement(values)
        elif kind == "date_to_month":
            out[column] = _month_of(values)
    return out, new_roles


def describe(step: dict[str, Any]) -> str:
    return f"{step['column']}: {step['kind']}"
