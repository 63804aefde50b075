"""Level computations under each matrix size, and the methodology's versions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from compliance.models import AuditEvent, Organisation
from controls.models import Requirement
from risks.models import Risk, RiskMethod
from risks.services.method import default_labels, method_save
from risks.services.risks import risk_update
from tests.risks.conftest import ACTOR, make_method

MakeRisk = Callable[..., Risk]
Find = Callable[[str, str], Requirement]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("size", "threshold", "pair", "score", "acceptable"),
    [
        (3, 3, (1, 1), 1, True),
        (3, 3, (1, 3), 3, True),
        (3, 3, (2, 2), 4, False),
        (3, 3, (3, 3), 9, False),
        (4, 4, (2, 2), 4, True),
        (4, 4, (4, 4), 16, False),
        (4, 4, (1, 4), 4, True),
        (5, 6, (2, 3), 6, True),
        (5, 6, (3, 3), 9, False),
        (5, 6, (5, 5), 25, False),
    ],
)
def test_the_level_is_likelihood_times_impact_against_the_threshold(
    org_a: Organisation,
    size: int,
    threshold: int,
    pair: tuple[int, int],
    score: int,
    acceptable: bool,
) -> None:
    method = make_method(org_a, size=size, threshold=threshold)

    level = method.level(*pair)

    assert level is not None
    assert (level.score, level.acceptable) == (score, acceptable)
    assert method.max_score == size * size


@pytest.mark.parametrize("size", [3, 4, 5])
def test_a_pair_outside_the_scale_has_no_level(org_a: Organisation, size: int) -> None:
    method = make_method(org_a, size=size, threshold=2)

    assert method.level(size + 1, 1) is None
    assert method.level(0, 1) is None
    assert method.level(None, 2) is None
    assert len(method.matrix()) == size
    assert all(len(row) == size for row in method.matrix())
    # Drawn from the highest likelihood down.
    assert method.matrix()[0][0].likelihood == size


def test_a_rectangular_matrix_is_allowed(org_a: Organisation) -> None:
    method = method_save(
        actor=ACTOR,
        organisation=org_a,
        likelihood_labels=default_labels("likelihood", 3),
        impact_labels=default_labels("impact", 5),
        acceptance_threshold=5,
        acceptor_roles=["manager"],
    )

    assert method.max_score == 15
    assert method.level(3, 5).score == 15  # type: ignore[union-attr]
    assert method.level(4, 1) is None


@pytest.mark.parametrize("size", [2, 6])
def test_scales_outside_3_to_5_are_refused(org_a: Organisation, size: int) -> None:
    labels = [{"fr": f"N{n}", "en": f"L{n}"} for n in range(size)]
    with pytest.raises(ValidationError) as error:
        method_save(
            actor=ACTOR,
            organisation=org_a,
            likelihood_labels=labels,
            impact_labels=default_labels("impact", 4),
            acceptance_threshold=2,
            acceptor_roles=[],
        )
    assert "likelihood_labels" in error.value.message_dict
    assert not RiskMethod.objects.exists()


def test_a_threshold_beyond_the_matrix_is_refused(org_a: Organisation) -> None:
    with pytest.raises(ValidationError) as error:
        make_method(org_a, size=3, threshold=10)
    assert "acceptance_threshold" in error.value.message_dict


def test_labels_follow_the_language(org_a: Organisation) -> None:
    from django.utils import translation

    method = make_method(org_a, size=3)
    with translation.override("en"):
        assert method.likelihood_label(3) == "High"
    with translation.override("fr"):
        assert method.likelihood_label(3) == "Élevée"


def test_changing_the_method_keeps_old_assessments_readable(
    org_a: Organisation, make_risk: MakeRisk
) -> None:
    risk = make_risk(current_likelihood=4, current_impact=4)
    assert risk.method.version == 1
    assert risk.current_level is not None
    assert risk.current_level.score == 16

    new = make_method(org_a, size=3, threshold=3)

    risk.refresh_from_db()
    assert new.version == 2
    # Read under v1, its 4x4 pair still has a level, its labels and threshold.
    assert risk.method.version == 1
    assert risk.current_level is not None
    assert risk.current_level.score == 16
    assert risk.current_level.likelihood_label == "Quasi certaine"
    assert AuditEvent.objects.filter(organisation=org_a, action="risks.method_adopted").count() == 2


def test_saving_the_same_method_creates_no_version(org_a: Organisation) -> None:
    first = make_method(org_a)
    again = make_method(org_a)

    assert again.pk == first.pk
    assert RiskMethod.objects.filter(organisation=org_a).count() == 1


def test_a_level_outside_the_risk_method_scale_is_refused(make_risk: MakeRisk) -> None:
    risk = make_risk()
    with pytest.raises(ValidationError) as error:
        risk_update(actor=ACTOR, risk=risk, current_likelihood=5, current_impact=1)
    assert "current_likelihood" in error.value.message_dict


def test_reassessing_moves_the_risk_to_the_new_method_and_keeps_the_history(
    org_a: Organisation, make_risk: MakeRisk
) -> None:
    from risks.services.risks import risk_reassess

    risk = make_risk(current_likelihood=4, current_impact=4)
    make_method(org_a, size=5, threshold=6)

    risk = risk_reassess(actor=ACTOR, risk=risk)

    assert risk.method.version == 2
    assert risk.current_level is None
    records = list(risk.level_records.order_by("recorded_at", "pk"))
    assert [r.method.version for r in records] == [1, 2]
    assert records[0].current_level.score == 16
