"""Uploading through the pages: limits enforced while the body streams (413, nothing left
behind), the spoofed type refused with its reason, CSRF still checked."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from compliance.models import Organisation, User
from evidence.models import Evidence, EvidenceRevision
from evidence.services import evidence_create
from tests.evidence.conftest import EXE, PDF, spool_files, stored_files
from tests.helpers import logged_in, page_text

pytestmark = pytest.mark.usefixtures("catalogues", "db")

Upload = Callable[..., Any]
KB = 1024


def new_url(org: Organisation) -> str:
    return reverse("evidence_new", args=[org.slug])


def post_new(client: Client, org: Organisation, *files: Any, **fields: Any) -> Any:
    return client.post(new_url(org), {"title": "Preuve", "files": list(files), **fields})


@pytest.fixture
def small_limits(settings: Any) -> None:
    settings.EGIDE_EVIDENCE_MAX_FILE_BYTES = 64 * KB
    settings.EGIDE_EVIDENCE_MAX_REQUEST_BYTES = 160 * KB


def test_uploading_several_files_creates_one_revision_each(
    owner_client: Client, org_a: Organisation, upload: Upload, media: Path
) -> None:
    response = post_new(owner_client, org_a, upload("a.pdf", PDF), upload("b.txt", b"Registre\n"))

    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence_detail", args=[org_a.slug, evidence.pk])
    names = sorted(evidence.revisions.values_list("original_name", "media_type"))
    assert names == [("a.pdf", "application/pdf"), ("b.txt", "text/plain")]
    assert len(stored_files(media)) == 2
    assert spool_files(media) == []


@pytest.mark.usefixtures("small_limits")
def test_a_file_over_the_limit_is_a_413_and_nothing_is_left(
    owner_client: Client, org_a: Organisation, upload: Upload, media: Path
) -> None:
    response = post_new(owner_client, org_a, upload("scan.pdf", PDF + b"0" * (65 * KB)))

    assert response.status_code == 413
    assert "scan.pdf" in page_text(response)
    assert "0.0625 Mo" in page_text(response)
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert spool_files(media) == []


@pytest.mark.usefixtures("small_limits")
def test_a_request_over_the_limit_is_a_413_and_nothing_is_left(
    owner_client: Client, org_a: Organisation, upload: Upload, media: Path
) -> None:
    files = [upload(f"part{n}.txt", b"x" * (60 * KB)) for n in range(3)]  # each within limit

    response = post_new(owner_client, org_a, *files)

    assert response.status_code == 413
    assert "plusieurs envois" in page_text(response)
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert spool_files(media) == []


@pytest.mark.usefixtures("small_limits")
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(
    owner_client: Client, org_a: Organisation, upload: Upload, media: Path, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = KB  # form fields: the allowance on top of files
    files = [upload(f"part{n}.txt", b"x" * (60 * KB)) for n in range(4)]

    response = post_new(owner_client, org_a, *files)

    assert response.status_code == 413
    assert not Evidence.objects.exists()
    assert stored_files(media) == [] and spool_files(media) == []


@pytest.mark.usefixtures("small_limits")
def test_a_file_of_exactly_the_limit_is_accepted(
    owner_client: Client, org_a: Organisation, upload: Upload
) -> None:
    response = post_new(owner_client, org_a, upload("scan.pdf", PDF + b"0" * (64 * KB - len(PDF))))

    assert response.status_code == 302
    assert Evidence.objects.get().revisions.get().size == 64 * KB


@pytest.mark.usefixtures("small_limits")
def test_the_request_limit_holds_while_streaming_without_a_declared_length(
    org_a: Organisation, owner_client: Client
) -> None:
    from evidence.uploads import EvidenceUploadHandler

    handler = EvidenceUploadHandler()
    assert handler.handle_raw_input(io.BytesIO(), {}, 10 * KB, "b") is None
    chunks = 0
    with pytest.raises(Exception) as caught:
        for n in range(3):
            handler.new_file("files", f"p{n}.txt", "text/plain", None)
            for _ in range(15):
                handler.receive_data_chunk(b"y" * (4 * KB), 0)
                chunks += 1
            handler.file_complete(60 * KB)
    assert type(caught.value).__name__ == "StopUpload"
    assert handler.too_large is not None and handler.too_large.scope == "request"
    assert chunks == 40  # stopped at the chunk that crossed 160 KB, not at the end


def test_a_spoofed_type_is_refused_with_the_reason_and_the_title_kept(
    owner_client: Client, org_a: Organisation, upload: Upload, media: Path
) -> None:
    response = post_new(owner_client, org_a, upload("facture.pdf", EXE), title="Facture 2026")

    text = page_text(response)
    assert response.status_code == 400
    assert (
        "« facture.pdf » porte l'extension .pdf mais son contenu est un programme Windows" in text
    )
    assert 'value="Facture 2026"' in text
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_new_revision_is_uploaded_from_the_detail_page(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])

    response = owner_client.post(
        reverse("evidence_revision_upload", args=[org_a.slug, evidence.pk]),
        {"files": [upload("v2.txt", b"v2\n")], "expires_on": "2030-01-01"},
    )

    assert response.status_code == 302
    assert list(evidence.revisions.values_list("number", "original_name")) == [
        (2, "v2.txt"),
        (1, "policy.txt"),
    ]


@pytest.mark.usefixtures("small_limits")
def test_a_new_revision_over_the_limit_is_a_413(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])

    response = owner_client.post(
        reverse("evidence_revision_upload", args=[org_a.slug, evidence.pk]),
        {"files": [upload("big.txt", b"z" * (70 * KB))]},
    )

    assert response.status_code == 413
    assert EvidenceRevision.objects.count() == 1


def test_csrf_is_still_checked_on_uploads(owner: User, org_a: Organisation, upload: Upload) -> None:
    client = logged_in(owner)
    client.handler.enforce_csrf_checks = True

    response = post_new(client, org_a, upload())

    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_a_viewer_cannot_upload(member_client: Client, org_a: Organisation, upload: Upload) -> None:
    assert member_client.get(new_url(org_a)).status_code == 403
    assert post_new(member_client, org_a, upload()).status_code == 403
    assert not Evidence.objects.exists()


def test_an_outsider_cannot_upload_into_another_organisation(
    outsider_client: Client, org_a: Organisation, upload: Upload
) -> None:
    assert post_new(outsider_client, org_a, upload()).status_code == 404
    assert not Evidence.objects.exists()


def test_a_link_item_from_the_form(owner_client: Client, org_a: Organisation, a51: Any) -> None:
    response = owner_client.post(
        new_url(org_a),
        {"title": "Charte", "url": "https://intranet.example/charte", "requirements": [a51.pk]},
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.url == "https://intranet.example/charte"
    assert list(evidence.requirements.all()) == [a51]
