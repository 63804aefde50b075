"""Re-identification metrics over quasi-identifiers, vectorised with numpy.

Definitions (WP29 Opinion 05/2014, "generalisation" family):
- an *equivalence class* is a set of records sharing the same values on every
  quasi-identifier; *k-anonymity* is the size of the smallest class;
- *distinct l-diversity* of a sensitive attribute is the smallest number of distinct
  sensitive values found in one class;
- *t-closeness* (optional) is the largest distance between the distribution of the
  sensitive attribute inside a class and in the whole extract; here the equal-distance
  Earth Mover's Distance, i.e. the total variation distance, for every attribute;
- the *prosecutor* model assumes the attacker knows the target is in the extract: a
  record's re-identification probability is 1 / size of its class, so the highest is
  1/k and the average over records is classes / records;
- the *marketer* model measures the expected share of records re-identified when the
  attacker tries to match everyone: classes / records, with the extract as population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

SIZE_BUCKETS: list[tuple[int, int | None, str]] = [
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 3, "3"),
    (4, 4, "4"),
    (5, 9, "5-9"),
    (10, 19, "10-19"),
    (20, 49, "20-49"),
    (50, 99, "50-99"),
    (100, None, "100+"),
]


@dataclass(frozen=True)
class Classes:
    """Equivalence classes: a dense class id per record and the size of each class."""

    ids: np.ndarray  # int64, one per record, 0..count-1
    sizes: np.ndarray  # int64, one per class

    @property
    def count(self) -> int:
        return int(self.sizes.size)


def _codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, int]:
    """Dense integer codes of the values and their number. Arrow-backed text columns
    (pandas' default string type) are dictionary-encoded by Arrow, without building a
    million Python strings."""
    arrow = getattr(getattr(values, "array", None), "_pa_array", None)
    if arrow is not None:
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        encoded = pc.dictionary_encode(arrow.combine_chunks(), null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        return codes, max(len(encoded.dictionary), 1)
    codes, uniques = pd.factorize(np.asarray(values), use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), max(len(uniques), 1)


def equivalence_classes(frame: pd.DataFrame, quasi_identifiers: list[str]) -> Classes:
    """Group the records by their quasi-identifier values (one hash pass per column,
    then the per-column codes combined into one integer key)."""
    rows = len(frame)
    if rows == 0:
        return Classes(np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not quasi_identifiers:
        return Classes(np.zeros(rows, np.int64), np.array([rows], np.int64))
    key = np.zeros(rows, np.int64)
    span = 1
    for name in quasi_identifiers:
        codes, cardinality = _codes(frame[name])
        if span * cardinality >= 2**62:
            # Re-densify before the combined key could overflow int64.
            key, span = _codes(key)
        key = key * cardinality + codes
        span *= cardinality
    ids, count = _codes(key)
    return Classes(ids, np.bincount(ids, minlength=count).astype(np.int64))


def k_anonymity(classes: Classes) -> int:
    return int(classes.sizes.min()) if classes.count else 0


def unique_records(classes: Classes) -> int:
    """Records alone in their class (classes of size 1)."""
    return int(np.count_nonzero(classes.sizes == 1))


def records_below_k(classes: Classes, k: int) -> int:
    """Records in a class smaller than ``k``."""
    return int(classes.sizes[classes.sizes < k].sum())


def classes_below_k(classes: Classes, k: int) -> int:
    return int(np.count_nonzero(classes.sizes < k))


def class_size_distribution(classes: Classes) -> list[dict[str, int | str]]:
    """Number of classes and of records per class-size bucket (empty buckets left out)."""
    out: list[dict[str, int | str]] = []
    sizes = classes.sizes
    for low, high, label in SIZE_BUCKETS:
        mask = sizes >= low if high is None else (sizes >= low) & (sizes <= high)
        count = int(np.count_nonzero(mask))
        if count:
            out.append({"size": label, "classes": count, "records": int(sizes[mask].sum())})
    return out


def prosecutor_risk(classes: Classes) -> tuple[float, float]:
    """(highest, average) probability that a known record is re-identified."""
    if not classes.count:
        return 0.0, 0.0
    rows = int(classes.sizes.sum())
    return 1.0 / float(classes.sizes.min()), classes.count / rows


def marketer_risk(classes: Classes) -> float:
    if not classes.count:
        return 0.0
    return classes.count / int(classes.sizes.sum())


def _class_value_pairs(
    classes: Classes, values: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Distinct (class, value) pairs: class of each pair, value code, records, cardinality."""
    codes, cardinality = _codes(values)
    pair = classes.ids * cardinality + codes
    pair_ids, uniques = pd.factorize(pair)
    counts = np.bincount(pair_ids, minlength=len(uniques))
    uniques = np.asarray(uniques, dtype=np.int64)
    return uniques // cardinality, uniques % cardinality, counts, cardinality


def l_diversity(classes: Classes, values: pd.Series) -> tuple[int, int, int]:
    """(distinct l-diversity, classes with fewer than 2 distinct values, their records)."""
    if not classes.count:
        return 0, 0, 0
    pair_class, _value, _counts, _card = _class_value_pairs(classes, values)
    distinct = np.bincount(pair_class, minlength=classes.count)
    homogeneous = distinct < 2
    return (
        int(distinct.min()),
        int(np.count_nonzero(homogeneous)),
        int(classes.sizes[homogeneous].sum()),
    )


def t_closeness(classes: Classes, values: pd.Series) -> float:
    """Largest total variation distance between a class's sensitive-value distribution
    and the extract's (0 = every class looks like the whole, 1 = disjoint)."""
    if not classes.count:
        return 0.0
    pair_class, pair_value, counts, cardinality = _class_value_pairs(classes, values)
    totals = np.bincount(pair_value, weights=counts, minlength=cardinality)
    q = totals / totals.sum()
    p = counts / classes.sizes[pair_class]
    # 0.5 * sum over all values |p - q|, computed over the values present in the class:
    # an absent value contributes q, so subtract q for present ones and add 1 = sum q.
    present = np.abs(p - q[pair_value]) - q[pair_value]
    distance = 0.5 * (np.bincount(pair_class, weights=present, minlength=classes.count) + 1.0)
    return float(np.clip(distance.max(), 0.0, 1.0))


def pseudonym_linkage(values: pd.Series) -> dict[str, int]:
    """How far a pseudonym column links records of the same person: distinct codes,
    codes that recur, records carrying a recurring code, most records for one code."""
    present = values[values != ""]
    if present.empty:
        return {"distinct": 0, "recurring": 0, "linked_records": 0, "max_records": 0}
    codes, cardinality = _codes(present)
    counts = np.bincount(codes, minlength=cardinality)
    recurring = counts > 1
    return {
        "distinct": int(cardinality),
        "recurring": int(np.count_nonzero(recurring)),
        "linked_records": int(counts[recurring].sum()),
        "max_records": int(counts.max()),
    }
