"""Precision and recall of the scanner on a labelled set (``labels<TAB>note`` lines).

A prediction is a (note, label) pair: the note contains that category or identifier
type. Micro-averaged over every label, and per label.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from anonymity.scanner.scan import scan_notes


@dataclass
class Evaluation:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    notes: int = 0

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        tp = sum(self.tp.values())
        return self._ratio(tp, tp + sum(self.fp.values()))

    @property
    def recall(self) -> float:
        tp = sum(self.tp.values())
        return self._ratio(tp, tp + sum(self.fn.values()))

    def per_label(self) -> dict[str, tuple[float, float, int]]:
        labels = set(self.tp) | set(self.fp) | set(self.fn)
        return {
            label: (
                self._ratio(self.tp[label], self.tp[label] + self.fp[label]),
                self._ratio(self.tp[label], self.tp[label] + self.fn[label]),
                self.tp[label] + self.fn[label],
            )
            for label in sorted(labels)
        }


def load(path: Path) -> list[tuple[set[str], str]]:
    rows: list[tuple[set[str], str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        labels, text = line.split("\t", 1)
        rows.append(({lab for lab in labels.split(",") if lab and lab != "-"}, text))
    return rows


def evaluate(path: Path) -> Evaluation:
    rows = load(path)
    results = scan_notes([text for _labels, text in rows])
    out = Evaluation(notes=len(rows))
    for (expected, text), result in zip(rows, results, strict=True):
        found = set(result.categories) | set(result.identifiers)
        for label in found & expected:
            out.tp[label] += 1
        for label in found - expected:
            out.fp[label] += 1
            out.errors.append(f"FP {label}: {text}")
        for label in expected - found:
            out.fn[label] += 1
            out.errors.append(f"FN {label}: {text}")
    return out
