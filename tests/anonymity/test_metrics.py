"""Metrics on tiny datasets checked by hand, and the verdict rules."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import pytest

from anonymity.engine import metrics
from anonymity.engine.assess import assess_frame, measure
from anonymity.engine.generalise import apply_generalisations, suggest_generalisations

# Classes on (yob, sex, cp): (1980,F,75012) x3, (1981,M,69003) x2, (1990,F,13001) x1.
TINY = pd.DataFrame(
    {
        "yob": ["1980", "1980", "1980", "1981", "1981", "1990"],
        "sex": ["F", "F", "F", "M", "M", "F"],
        "cp": ["75012", "75012", "75012", "69003", "69003", "13001"],
        "diag": ["J45", "E11", "J45", "I10", "I10", "C50"],
        "pid": ["p1", "p1", "p2", "p3", "p4", "p5"],
    }
)
QI = ["yob", "sex", "cp"]


def test_equivalence_classes_and_k() -> None:
    classes = metrics.equivalence_classes(TINY, QI)
    assert classes.count == 3
    assert sorted(classes.sizes.tolist()) == [1, 2, 3]
    assert metrics.k_anonymity(classes) == 1
    assert metrics.unique_records(classes) == 1
    assert metrics.records_below_k(classes, 3) == 3  # the class of 2 and the unique one
    assert metrics.classes_below_k(classes, 3) == 2


def test_class_size_distribution_buckets() -> None:
    classes = metrics.equivalence_classes(TINY, QI)
    assert metrics.class_size_distribution(classes) == [
        {"size": "1", "classes": 1, "records": 1},
        {"size": "2", "classes": 1, "records": 2},
        {"size": "3", "classes": 1, "records": 3},
    ]


def test_l_diversity_counts_distinct_values_per_class() -> None:
    classes = metrics.equivalence_classes(TINY, QI)
    # Classes: {J45, E11} -> 2, {I10} -> 1, {C50} -> 1.
    assert metrics.l_diversity(classes, TINY["diag"]) == (1, 2, 3)


def test_prosecutor_and_marketer_risk() -> None:
    classes = metrics.equivalence_classes(TINY, QI)
    assert metrics.prosecutor_risk(classes) == (1.0, 0.5)  # 1/k, classes/records = 3/6
    assert metrics.marketer_risk(classes) == 0.5


def test_t_closeness_total_variation() -> None:
    frame = pd.DataFrame({"q": ["a", "a", "b", "b"], "s": ["x", "y", "x", "x"]})
    classes = metrics.equivalence_classes(frame, ["q"])
    # Overall x: 3/4, y: 1/4. Class b is all x: 0.5 * (|1 - .75| + |0 - .25|) = 0.25.
    assert metrics.t_closeness(classes, frame["s"]) == pytest.approx(0.25)


def test_no_quasi_identifier_is_one_class() -> None:
    classes = metrics.equivalence_classes(TINY, [])
    assert metrics.k_anonymity(classes) == 6


def test_missing_values_form_their_own_value() -> None:
    frame = pd.DataFrame({"q": ["", "", "a"]})
    assert sorted(metrics.equivalence_classes(frame, ["q"]).sizes.tolist()) == [1, 2]


def test_pseudonym_linkage() -> None:
    assert metrics.pseudonym_linkage(TINY["pid"]) == {
        "distinct": 5,
        "recurring": 1,
        "linked_records": 2,
        "max_records": 2,
    }


def test_many_high_cardinality_columns_do_not_overflow() -> None:
    n = 5000
    frame = pd.DataFrame({f"c{i}": [str((r * (i + 7)) % 4999) for r in range(n)] for i in range(8)})
    classes = metrics.equivalence_classes(frame, list(frame.columns))
    assert classes.count == len(frame.drop_duplicates())


def test_verdict_pseudonymised_with_reasons_per_criterion() -> None:
    roles = {
        "yob": "quasi_identifier",
        "sex": "quasi_identifier",
        "cp": "quasi_identifier",
        "diag": "sensitive",
        "pid": "persistent_pseudonym",
    }
    result = measure(TINY, roles, k_threshold=2)
    assert result["verdict"] == "pseudonymised"
    assert result["criteria"] == {"singling_out": True, "linkability": True, "inference": True}
    codes = {r["code"] for r in result["reasons"]}
    assert codes == {"k_below_threshold", "persistent_pseudonym", "l_below_2"}
    assert result["linkable_columns"] == ["pid"]


def test_verdict_anonymous_only_when_every_condition_holds() -> None:
    frame = pd.DataFrame({"band": ["1980-1984"] * 4 + ["1985-1989"] * 4, "diag": ["A", "B"] * 4})
    roles = {"band": "quasi_identifier", "diag": "sensitive"}
    result = measure(frame, roles, k_threshold=4)
    assert result["verdict"] == "anonymous"
    assert result["reasons"] == []
    assert measure(frame, roles, k_threshold=5)["verdict"] == "pseudonymised"


def test_direct_identifier_fails_singling_out_and_linkability() -> None:
    frame = pd.DataFrame({"band": ["x"] * 6, "nom": ["a", "b", "c", "d", "e", "f"]})
    result = measure(frame, {"band": "quasi_identifier", "nom": "direct_identifier"})
    assert result["criteria"]["singling_out"] and result["criteria"]["linkability"]
    assert not result["criteria"]["inference"]


def test_special_category_in_free_text_fails_inference() -> None:
    frame = pd.DataFrame({"band": ["x"] * 5, "note": ["RAS"] * 4 + ["Patient séropositif VIH"]})
    result = measure(frame, {"band": "quasi_identifier", "note": "free_text"})
    assert result["verdict"] == "pseudonymised"
    assert result["criteria"]["inference"] is True
    assert result["free_text"]["note"]["categories"]["hiv"] == 1
    assert "séropositif" not in str(result)  # counts and row numbers only, never the text


def test_generalisations_and_rerun_side_by_side() -> None:
    frame = pd.DataFrame(
        {
            "annee_naissance": [str(1980 + i % 10) for i in range(40)],
            "code_postal": [f"750{i % 20:02d}" for i in range(40)],
            "sexe": ["F", "M"] * 20,
            "diag": ["A", "B", "C", "D"] * 10,
            "patient_id": [f"P{i % 30}" for i in range(40)],
        }
    )
    roles = {
        "annee_naissance": "quasi_identifier",
        "code_postal": "quasi_identifier",
        "sexe": "quasi_identifier",
        "diag": "sensitive",
        "patient_id": "persistent_pseudonym",
    }
    steps = suggest_generalisations(frame, roles)
    assert {(s["column"], s["kind"]) for s in steps} == {
        ("annee_naissance", "year_band_5"),
        ("code_postal", "postcode_to_departement"),
        ("patient_id", "drop"),
    }
    generalised, new_roles = apply_generalisations(frame, roles, steps)
    assert set(generalised["annee_naissance"]) == {"1980-1984", "1985-1989"}
    assert set(generalised["code_postal"]) == {"75"}
    assert "patient_id" not in new_roles
    result = assess_frame(frame, roles, k_threshold=5)
    assert result["k_anonymity"] == 2 and result["verdict"] == "pseudonymised"
    assert result["rerun"]["k_anonymity"] == 8  # classes of 12, 8, 8, 12
    assert result["rerun"]["verdict"] == "anonymous"


def test_overseas_and_four_digit_postcodes() -> None:
    frame = pd.DataFrame({"cp": ["97411", "1000", "2A004"]})
    steps = [{"column": "cp", "kind": "postcode_to_departement"}]
    generalised, _roles = apply_generalisations(frame, {"cp": "quasi_identifier"}, steps)
    assert generalised["cp"].tolist() == ["974", "01", "2A"]
