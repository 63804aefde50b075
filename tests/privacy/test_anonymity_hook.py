"""The claimed-anonymous rule reads the anonymity app's verdict through the hook."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

from privacy import services
from privacy.models import ProcessingActivity
from tests.privacy.conftest import rule_codes


def test_a_passing_assessment_lifts_the_claimed_anonymous_finding(
    make_processing: Callable[..., ProcessingActivity],
) -> None:
    processing = make_processing(claims_anonymised=True)
    assert "ANON-CLAIM" in rule_codes(processing)
    with mock.patch("anonymity.selectors.passing_assessment_exists", return_value=True) as hook:
        services.findings_recompute(processing)
    hook.assert_called_once()
    assert "ANON-CLAIM" not in rule_codes(processing)
