"""The register as a PDF through the reports machinery (kind ``processing_register``)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from compliance.models import Organisation, User
from privacy import services
from privacy.models import ProcessingActivity
from reports.models import ReportJob
from reports.services import report_request, report_verify
from tests.privacy.conftest import ACTOR


@pytest.fixture(autouse=True)
def _private_files(tmp_path: Path) -> Iterator[None]:
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", EGIDE_REPORT_SIGNING_DIR=tmp_path / "signing"
    ):
        yield


def pdf_text(job: ReportJob) -> str:
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_the_register_pdf_shows_the_lines_the_findings_and_verifies(
    org_a: Organisation,
    owner: User,
    make_processing: Callable[..., ProcessingActivity],
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_processing(name="Dossier patient informatisé")
    observatory = make_processing(name="Observatoire <script>", uses=["statistics"])
    make_processing(name="Hébergement client", role="processor", uses=["hosting"])
    with django_capture_on_commit_callbacks(execute=True):
        job = report_request(
            actor=owner, organisation=org_a, kind="processing_register", language="fr"
        )
    job.refresh_from_db()
    assert job.status == "done", job.error
    text = " ".join(pdf_text(job).split())  # lines wrap in table cells
    assert "Registre des traitements" in text
    assert "Observatoire <script>" in text
    assert "art. 66-III loi n° 78-17" in text
    assert "(art. 30(2))" in text  # the processor register has its own chapter
    assert report_verify(job).ok
    services.processing_update(actor=ACTOR, processing=observatory, name="Observatoire v2")
    assert not report_verify(job).ok  # the register changed since the PDF was made


def test_the_register_page_offers_the_pdf(owner_client: Client, org_a: Organisation) -> None:
    page = owner_client.get(reverse("register_list", args=[org_a.slug])).content.decode()
    assert 'value="processing_register"' in page
