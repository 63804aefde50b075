"""Disk full while storing evidence (issue 10, "Faults"): the storage raises ENOSPC after
writing part of the file, as a full disk does. The upload must fail with a clear message
(not a server error), leave no half-written file under MEDIA_ROOT and no Evidence or
EvidenceRevision row. ``bench/faults/disk_full.py`` does the same against gunicorn with
a real 2 MB tmpfs as MEDIA_ROOT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from compliance.choices import ApiKeyScope
from compliance.models import AuditEvent, Organisation, User
from evidence.models import Evidence, EvidenceRevision
from tests.factories import issue_api_key
from tests.helpers import logged_in, page_text

pytestmark = pytest.mark.django_db

SPACE = 1024
BODY = b"Journal des sauvegardes\n" * 400  # ~9.6 KB of text, more than SPACE


@pytest.fixture(autouse=True)
def full_disk(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "bench.faults.enospc.FullDiskStorage"},
    }
    monkeypatch.setenv("EGIDE_FAULT_SPACE_BYTES", str(SPACE))
    return media


def leftovers(media: Path) -> list[str]:
    if not media.exists():
        return []
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def nothing_recorded() -> None:
    assert not Evidence.objects.exists()
    assert not EvidenceRevision.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="evidence.").exists()


def test_the_simulated_disk_really_is_full(full_disk: Path) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with pytest.raises(OSError, match="No space left"):
        default_storage.save("probe.txt", ContentFile(BODY))
    assert (full_disk / "probe.txt").stat().st_size == SPACE  # a half-written file


@pytest.fixture
def api_upload(org_a: Organisation) -> Any:
    key = issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)
    return client.post(
        "/api/v1/evidence/",
        {"title": "Journal", "files": [SimpleUploadedFile("journal.txt", BODY)]},
    )


@pytest.fixture
def page_upload(org_a: Organisation, owner: User) -> Any:
    client = logged_in(owner)
    client.raise_request_exception = False
    return client.post(
        f"/o/{org_a.slug}/evidence/new/",
        {"title": "Journal", "files": [SimpleUploadedFile("journal.txt", BODY)]},
    )


def test_an_api_upload_on_a_full_disk_leaves_no_row(api_upload: Any) -> None:
    assert api_upload.status_code != 201
    nothing_recorded()


def test_a_page_upload_on_a_full_disk_leaves_no_row(page_upload: Any) -> None:
    assert page_upload.status_code != 302
    nothing_recorded()


def test_an_api_upload_on_a_full_disk_leaves_no_file(api_upload: Any, full_disk: Path) -> None:
    assert leftovers(full_disk) == []


def test_a_page_upload_on_a_full_disk_leaves_no_file(page_upload: Any, full_disk: Path) -> None:
    assert leftovers(full_disk) == []


def test_an_api_upload_on_a_full_disk_answers_a_clear_error(api_upload: Any) -> None:
    assert api_upload.status_code in (503, 507)
    assert api_upload.json()["detail"]


def test_a_page_upload_on_a_full_disk_answers_a_clear_error(page_upload: Any) -> None:
    assert page_upload.status_code in (400, 503, 507)
    assert "rien n’a été enregistré" in page_text(page_upload)  # noqa: RUF001 - French


def test_the_api_message_names_the_file(api_upload: Any) -> None:
    assert "journal.txt" in api_upload.json()["detail"]
