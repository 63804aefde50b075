"""Scanning notes: special categories, direct identifiers, spans and a redacted copy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from anonymity.scanner.identifiers import find_identifiers
from anonymity.scanner.lexicon import CATEGORIES, find_categories, fold_text
from anonymity.scanner.names import model_names, rule_names

IDENTIFIERS = ("nir", "phone", "email", "person_name", "birth_date", "address", "ipp")
MAX_NOTE_CHARS = 20_000_000  # a longer note is scanned on its first 20 million characters


@dataclass
class NoteResult:
    row: int
    categories: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    redacted: str = ""

    def as_dict(self, *, with_redacted: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "row": self.row,
            "categories": self.categories,
            "identifiers": self.identifiers,
            "spans": self.spans,
        }
        if with_redacted:
            data["redacted"] = self.redacted
        return data


def _resolve(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop spans contained in a longer one (an e-mail inside an address, a name inside
    a title match), keep overlapping ones of different labels once."""
    ordered = sorted(set(spans), key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, label in ordered:
        if kept and start < kept[-1][1]:
            last = kept[-1]
            if end <= last[1]:
                continue
            if label == last[2]:
                kept[-1] = (last[0], end, label)
                continue
        kept.append((start, end, label))
    return kept


def redact(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end, label in sorted(spans):
        if start < cursor:
            start = cursor
            if start >= end:
                continue
        pieces.append(text[cursor:start])
        pieces.append(f"[{label.upper()}]")
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def scan_notes(notes: Iterable[str], *, use_model: bool = True) -> list[NoteResult]:
    """Scan every note (the model runs once over all candidate windows, in batches)."""
    texts = [(note or "")[:MAX_NOTE_CHARS] for note in notes]
    rule_spans: list[list[tuple[int, int, str]]] = []
    category_spans: list[list[tuple[int, int, str]]] = []
    for text in texts:
        folded = fold_text(text)
        category_spans.append(find_categories(text, folded))
        rule_spans.append(find_identifiers(text) + rule_names(text))
    model_spans = (
        model_names(
            texts, [r + c for r, c in zip(rule_spans, category_spans, strict=True)], category_spans
        )
        if use_model
        else [[] for _ in texts]
    )
    results: list[NoteResult] = []
    for row, text in enumerate(texts):
        identifiers = _resolve(rule_spans[row] + model_spans[row])
        categories = _resolve(category_spans[row])
        spans = [
            {"start": s, "end": e, "label": label, "kind": "identifier"}
            for s, e, label in identifiers
        ] + [
            {"start": s, "end": e, "label": label, "kind": "category"} for s, e, label in categories
        ]
        spans.sort(key=lambda span: (span["start"], span["end"]))
        results.append(
            NoteResult(
                row=row,
                categories=sorted({label for _s, _e, label in categories}),
                identifiers=sorted({label for _s, _e, label in identifiers}),
                spans=spans,
                redacted=redact(text, identifiers + categories),
            )
        )
    return results


def scan_note(text: str) -> NoteResult:
    return scan_notes([text])[0]


def summarise(results: list[NoteResult]) -> dict[str, Any]:
    categories: Counter[str] = Counter()
    identifiers: Counter[str] = Counter()
    for result in results:
        categories.update(result.categories)
        identifiers.update(result.identifiers)
    return {
        "notes": len(results),
        "notes_with_special_categories": sum(1 for r in results if r.categories),
        "notes_with_identifiers": sum(1 for r in results if r.identifiers),
        "categories": {name: categories.get(name, 0) for name in CATEGORIES},
        "identifiers": {name: identifiers.get(name, 0) for name in IDENTIFIERS},
    }
