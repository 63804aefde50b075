"""The assessment: metrics, the verdict with its reasons per WP216 criterion, and the
generalisations that would fix it.

Verdict rule (issue 7, after WP29 Opinion 05/2014 and CJEU C-479/22 P): ``anonymous``
only when there is no direct identifier, no persistent pseudonym, k >= threshold,
distinct l >= 2 for every sensitive attribute and no special category (nor identifier)
in free text; otherwise ``pseudonymised``, with each failing criterion and its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from anonymity.choices import ColumnRole, Criterion, Verdict
from anonymity.engine import metrics
from anonymity.engine.generalise import apply_generalisations, suggest_generalisations
from anonymity.engine.reader import ExtractError

MAX_TEXT_NOTES = 200_000  # free-text columns: the first notes are scanned, and it is said
SCAN_BATCH_NOTES = 2_000  # notes scanned between two progress reports

# ``progress(percent, step)``: the worker records it for the progress bar. Steps are the
# codes of ``anonymity.choices.AssessmentStep``; percents only grow.
Progress = Callable[[int, str], None]
# Where each step starts and ends on the bar (reading is reported by anonymity.engine.run).
READ_END, CLASSES_START, CLASSES_END, TEXT_START, TEXT_END, RERUN_START = 30, 32, 48, 50, 88, 90


def _silent(percent: int, step: str) -> None:
    return None


def columns_with(roles: dict[str, str], role: str) -> list[str]:
    return [column for column, value in roles.items() if value == role]


def _round(value: float) -> float:
    return round(float(value), 6)


def scan_free_text_columns(
    frame: pd.DataFrame, columns: list[str], *, progress: Callable[[float], None] | None = None
) -> dict[str, Any]:
    """Scan each free-text column, in batches of notes (each note is scanned on its own,
    so batching changes no result) so that ``progress(fraction)`` can be reported."""
    from anonymity.scanner.scan import NoteResult, scan_notes, summarise

    out: dict[str, Any] = {}
    total = sum(min(len(frame), MAX_TEXT_NOTES) for _column in columns) or 1
    scanned = 0
    for column in columns:
        notes = frame[column]
        truncated = len(notes) > MAX_TEXT_NOTES
        texts = notes.head(MAX_TEXT_NOTES).tolist()
        results: list[NoteResult] = []
        for start in range(0, len(texts), SCAN_BATCH_NOTES):
            batch = scan_notes(texts[start : start + SCAN_BATCH_NOTES])
            for result in batch:
                result.row += start
            results.extend(batch)
            scanned += len(batch)
            if progress is not None:
                progress(scanned / total)
        summary = summarise(results)
        summary["scanned_notes"] = len(results)
        summary["truncated"] = truncated
        # Row numbers only, never the text: the stored result must not leak what it found.
        summary["example_rows"] = [r.row for r in results if r.categories or r.identifiers][:20]
        out[column] = summary
    return out


def measure(
    frame: pd.DataFrame,
    roles: dict[str, str],
    *,
    k_threshold: int = 5,
    with_t_closeness: bool = False,
    free_text: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Every number of the assessment, and the verdict, for an extract already read."""
    report = progress or _silent
    missing = [column for column in roles if column not in frame.columns]
    if missing:
        raise ExtractError("Column(s) not found in the file: " + ", ".join(missing))
    rows = len(frame)
    if rows == 0:
        raise ExtractError("The file has a header but no data rows.")
    quasi = columns_with(roles, ColumnRole.QUASI_IDENTIFIER)
    sensitive = columns_with(roles, ColumnRole.SENSITIVE)
    pseudonyms = columns_with(roles, ColumnRole.PERSISTENT_PSEUDONYM)
    direct = columns_with(roles, ColumnRole.DIRECT_IDENTIFIER)
    texts = columns_with(roles, ColumnRole.FREE_TEXT)

    report(CLASSES_START, "classes")
    classes = metrics.equivalence_classes(frame, quasi)
    k = metrics.k_anonymity(classes)
    risk_max, risk_avg = metrics.prosecutor_risk(classes)
    l_values: dict[str, int] = {}
    l_detail: dict[str, dict[str, int]] = {}
    t_values: dict[str, float] = {}
    for column in sensitive:
        l_value, low_classes, low_records = metrics.l_diversity(classes, frame[column])
        l_values[column] = l_value
        l_detail[column] = {"classes_below_2": low_classes, "records_below_2": low_records}
        if with_t_closeness:
            t_values[column] = _round(metrics.t_closeness(classes, frame[column]))
    linkage = {column: metrics.pseudonym_linkage(frame[column]) for column in pseudonyms}
    direct_present = [column for column in direct if (frame[column] != "").any()]
    report(CLASSES_END, "classes")
    if free_text is None:
        report(TEXT_START, "free_text")
        free_text = (
            scan_free_text_columns(
                frame,
                texts,
                progress=lambda done: report(
                    TEXT_START + int(done * (TEXT_END - TEXT_START)), "free_text"
                ),
            )
            if texts
            else {}
        )

    reasons: list[dict[str, Any]] = []
    if direct_present:
        reasons.append(
            {
                "criterion": Criterion.SINGLING_OUT.value,
                "code": "direct_identifiers",
                "params": {"columns": direct_present},
            }
        )
    if k < k_threshold:
        reasons.append(
            {
                "criterion": Criterion.SINGLING_OUT.value,
                "code": "k_below_threshold",
                "params": {
                    "k": k,
                    "threshold": k_threshold,
                    "records_below_k": metrics.records_below_k(classes, k_threshold),
                    "unique_records": metrics.unique_records(classes),
                },
            }
        )
    for column, summary in free_text.items():
        if summary.get("notes_with_identifiers"):
            reasons.append(
                {
                    "criterion": Criterion.SINGLING_OUT.value,
                    "code": "free_text_identifiers",
                    "params": {
                        "column": column,
                        "notes": summary["notes_with_identifiers"],
                        "identifiers": sorted(k for k, v in summary["identifiers"].items() if v),
                    },
                }
            )
    for column, link in linkage.items():
        reasons.append(
            {
                "criterion": Criterion.LINKABILITY.value,
                "code": "persistent_pseudonym",
                "params": {"column": column, **link},
            }
        )
    if direct_present:
        reasons.append(
            {
                "criterion": Criterion.LINKABILITY.value,
                "code": "direct_identifiers_link",
                "params": {"columns": direct_present},
            }
        )
    for column, l_value in l_values.items():
        if l_value < 2:
            reasons.append(
                {
                    "criterion": Criterion.INFERENCE.value,
                    "code": "l_below_2",
                    "params": {"column": column, "l": l_value, **l_detail[column]},
                }
            )
    for column, summary in free_text.items():
        if summary.get("notes_with_special_categories"):
            reasons.append(
                {
                    "criterion": Criterion.INFERENCE.value,
                    "code": "free_text_categories",
                    "params": {
                        "column": column,
                        "notes": summary["notes_with_special_categories"],
                        "categories": sorted(k for k, v in summary["categories"].items() if v),
                    },
                }
            )
    criteria = {
        criterion.value: any(r["criterion"] == criterion.value for r in reasons)
        for criterion in Criterion
    }
    verdict = Verdict.PSEUDONYMISED if any(criteria.values()) else Verdict.ANONYMOUS
    linkable = [c for c, link in linkage.items()] + direct_present
    flagged_text = [
        column
        for column, summary in free_text.items()
        if summary.get("notes_with_special_categories") or summary.get("notes_with_identifiers")
    ]
    return {
        "rows": rows,
        "quasi_identifiers": quasi,
        "sensitive_attributes": sensitive,
        "equivalence_classes": classes.count,
        "k_threshold": k_threshold,
        "k_anonymity": k,
        "class_size_distribution": metrics.class_size_distribution(classes),
        "unique_records": metrics.unique_records(classes),
        "records_below_k": metrics.records_below_k(classes, k_threshold),
        "classes_below_k": metrics.classes_below_k(classes, k_threshold),
        "l_diversity": l_values,
        "l_diversity_detail": l_detail,
        "t_closeness": t_values if with_t_closeness else None,
        "prosecutor_risk_max": _round(risk_max),
        "prosecutor_risk_avg": _round(risk_avg),
        "marketer_risk": _round(metrics.marketer_risk(classes)),
        "linkable_columns": linkable,
        "pseudonyms": linkage,
        "direct_identifiers": direct_present,
        "free_text": free_text,
        "verdict": verdict.value,
        "criteria": criteria,
        "reasons": reasons,
        "generalisations": suggest_generalisations(frame, roles, free_text_flagged=flagged_text),
    }


def assess_frame(
    frame: pd.DataFrame,
    roles: dict[str, str],
    *,
    k_threshold: int = 5,
    with_t_closeness: bool = False,
    rerun: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The assessment, plus (``rerun``) the same measure after the suggested
    generalisations, so both can be shown side by side."""
    result = measure(
        frame,
        roles,
        k_threshold=k_threshold,
        with_t_closeness=with_t_closeness,
        progress=progress,
    )
    if rerun and result["generalisations"]:
        (progress or _silent)(RERUN_START, "rerun")
        generalised, new_roles = apply_generalisations(frame, roles, result["generalisations"])
        # Free text already judged: dropped columns are gone, kept ones are unchanged.
        kept_text = {c: s for c, s in result["free_text"].items() if c in generalised.columns}
        after = measure(
            generalised,
            new_roles,
            k_threshold=k_threshold,
            with_t_closeness=with_t_closeness,
            free_text=kept_text,
        )
        after.pop("generalisations", None)
        result["rerun"] = after
    else:
        result["rerun"] = None
    return result
