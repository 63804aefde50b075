"""Fixtures of the reports tests: a small ISO 27001 framework, issued SoA versions with
hostile user text, and private media and signing directories per test."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from pypdf import PdfReader

from compliance.models import Organisation
from controls.models import Framework, SoaVersion, Theme
from controls.services.soa import lines_sha256

THEMES = [
    ("organizational", "Mesures organisationnelles", "Organizational controls"),
    ("people", "Mesures liées aux personnes", "People controls"),
    ("physical", "Mesures physiques", "Physical controls"),
    ("technological", "Mesures technologiques", "Technological controls"),
]
# Annex A of ISO/IEC 27001:2022: 37 organisational, 8 people, 14 physical, 34 technological.
THEME_SIZES = {
    "organizational": (5, 37),
    "people": (6, 8),
    "physical": (7, 14),
    "technological": (8, 34),
}
HOSTILE_PORT = 9  # discard: nothing listens, and the fetcher must not even try

HOSTILE_TEXTS = [
    f'<img src="http://127.0.0.1:{HOSTILE_PORT}/pixel.png">',
    '<img src="file:///etc/passwd">',
    f'<style>@import url("http://127.0.0.1:{HOSTILE_PORT}/evil.css");</style>',
    '<link rel="stylesheet" href="file:///etc/passwd">',
]


@pytest.fixture(autouse=True)
def _private_files(tmp_path: Path) -> Iterator[Path]:
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", EGIDE_REPORT_SIGNING_DIR=tmp_path / "signing"
    ):
        yield tmp_path


@pytest.fixture
def iso(db: None) -> Framework:
    framework = Framework.objects.create(
        code="iso27001-2022",
        version="2022",
        name_fr="ISO/IEC 27001:2022",
        name_en="ISO/IEC 27001:2022",
        has_statement_of_applicability=True,
    )
    for order, (code, name_fr, name_en) in enumerate(THEMES):
        Theme.objects.create(
            framework=framework, code=code, name_fr=name_fr, name_en=name_en, order=order
        )
    return framework


def annex_a_lines(hostile: bool = False) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for theme, (clause, count) in THEME_SIZES.items():
        for number in range(1, count + 1):
            index = len(lines)
            applicable = index % 9 != 4
            justification = f"Justification {clause}.{number}: risque R-{index:03d}."
            if hostile and index < len(HOSTILE_TEXTS):
                justification = HOSTILE_TEXTS[index]
                applicable = True
            lines.append(
                {
                    "ref_id": f"A.{clause}.{number}",
                    "title_fr": f"Mesure {clause}.{number} en français",
                    "title_en": f"Control {clause}.{number} in English",
                    "theme": theme,
                    "applicable": applicable,
                    "inclusion_justification": justification if applicable else "",
                    "exclusion_justification": "" if applicable else "Pas de site physique.",
                    "status": ["implemented", "partial", "planned", "not_started"][index % 4],
                    "owner": "rssi@tilleuls.example" if index % 3 == 0 else "",
                }
            )
    return lines


@pytest.fixture
def make_soa(iso: Framework) -> Callable[..., SoaVersion]:
    def make(organisation: Organisation, *, hostile: bool = False, number: int = 1) -> SoaVersion:
        lines = annex_a_lines(hostile)
        version = SoaVersion(
            organisation=organisation,
            framework=iso,
            number=number,
            issued_by_label="owner@tilleuls.example",
            lines=lines,
            sha256=lines_sha256(lines),
        )
        version.save()
        return version

    return make


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
