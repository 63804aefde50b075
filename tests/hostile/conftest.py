"""Hypothesis profiles of the hostile-input tests.

``hostile`` (the default) keeps CI fast: a modest number of examples, derandomized so
that a failure found in CI reproduces on any machine; no deadline, because the machine
is shared and one slow example is not a bug (the timed tests bound what matters).
``HOSTILE_PROFILE=hostile-deep`` explores much further, for a run by hand.

The profiles are applied by decorating each test with ``hostile_settings``, not loaded
globally, so the API fuzzer's own settings (tests/security) are left as they are.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "hostile",
    max_examples=40,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "hostile-deep",
    parent=settings.get_profile("hostile"),
    max_examples=1000,
    derandomize=False,
)
hostile_settings = settings.get_profile(os.environ.get("HOSTILE_PROFILE", "hostile"))
