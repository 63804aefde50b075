"""The README's screenshots, taken by the suite from the demo data on every run.

The test seeds the demo data (``load_catalogues`` and ``seed_demo``, as ``make run`` does)
into the test database, serves it with the live server and runs
docs/screenshots/take_screenshots.py against it: every page it visits must answer (a
broken page stops the script) and every picture must be a real capture. The pictures go
to a temporary folder; to refresh the README's, after a page changed:

    EGIDE_SCREENSHOTS=1 .venv/bin/pytest -n 0 tests/e2e/test_screenshots.py

The script also runs alone against a ``make run`` server:
``.venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8000``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.helpers import tasks_run_in_process

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.e2e

PAGES = (
    "home.png",  # the dashboard
    "members.png",
    "soa.png",
    "evidence.png",
    "incident.png",
    "heatmap.png",
    "register.png",
    "register_flagged.png",
    "checklist.png",
    "plan.png",
)


def test_the_main_pages_are_captured_from_the_demo_data(
    browser: Any, live_server: Any, transactional_db: None, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")), tasks_run_in_process():
        call_command("load_catalogues", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        refresh = os.environ.get("EGIDE_SCREENSHOTS") == "1"
        output = SCREENSHOTS if refresh else tmp_path / "screenshots"
        output.mkdir(exist_ok=True)
        done = subprocess.run(  # noqa: S603 (our own script against our live server)
            [
                sys.executable,
                str(SCREENSHOTS / "take_screenshots.py"),
                live_server.url,
                str(output),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        )
    assert done.returncode == 0, done.stderr[-3000:]
    for name in PAGES:
        shot = output / name
        assert shot.read_bytes().startswith(b"\x89PNG"), name
        assert shot.stat().st_size > 20_000, f"{name} looks blank ({shot.stat().st_size} bytes)"
