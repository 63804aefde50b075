"""Fixtures of the evidence tests: a private MEDIA_ROOT and upload temp dir per test, the
built-in catalogues (module scoped, see tests/controls/conftest.py), and small real files."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.choices import ApiKeyScope, Role
from compliance.models import Organisation, User
from controls.models import Requirement
from tests.controls import conftest as controls_fixtures
from tests.factories import MembershipFactory, issue_api_key

catalogues = controls_fixtures.catalogues
iso = controls_fixtures.iso
find_requirement = controls_fixtures.requirement


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    """Each test stores evidence in its own directory, and uploads spool to another, so a
    test can assert that nothing was left behind."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def spool_files(media: Path) -> list[Path]:
    return sorted((media.parent / "spool").iterdir())


def png_bytes(colour: tuple[int, int, int] = (31, 78, 140)) -> bytes:
    """A real one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"\x00" + bytes(colour)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def upload() -> Callable[..., SimpleUploadedFile]:
    def make(name: str = "policy.txt", content: bytes = b"Access control policy v3\n") -> Any:
        return SimpleUploadedFile(name, content)

    return make


@pytest.fixture
def a51(find_requirement: Callable[[str, str], Requirement]) -> Requirement:
    return find_requirement("iso27001-2022", "A.5.1")


@pytest.fixture
def a815(find_requirement: Callable[[str, str], Requirement]) -> Requirement:
    return find_requirement("iso27001-2022", "A.8.15")


@pytest.fixture
def contributor(org_a: Organisation) -> User:
    return MembershipFactory.create(organisation=org_a, role=Role.CONTRIBUTOR).user


@pytest.fixture
def write_key(org_a: Organisation) -> str:
    return issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key


@pytest.fixture
def read_key(org_a: Organisation) -> str:
    return issue_api_key(org_a, [ApiKeyScope.READ]).raw_key


@pytest.fixture
def other_key(org_b: Organisation) -> str:
    return issue_api_key(org_b, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key


def file_of(content: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer
