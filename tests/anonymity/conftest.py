"""Fixtures of the anonymity tests (the privacy register's processing factory reused)."""

from pathlib import Path
from typing import Any

import pytest

from tests.privacy.conftest import make_processing  # noqa: F401


@pytest.fixture(autouse=True)
def _own_upload_dir(settings: Any, tmp_path: Path) -> None:
    # Each test sees only its own pending uploads (tests run in parallel).
    settings.ANONYMITY_UPLOAD_DIR = tmp_path / "anonymity-uploads"
