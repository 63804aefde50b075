"""Notification drafts exported as PDF through the reports machinery."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from pypdf import PdfReader

from compliance.models import Organisation, User
from incidents.documents import DOCUMENT_KIND, check_notification
from incidents.models import Incident
from incidents.services import notification_draft_save
from reports.services import RenderResult, render_job_document, report_request

from .conftest import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(tmp_path: Path) -> Iterator[Path]:
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", EGIDE_REPORT_SIGNING_DIR=tmp_path / "signing"
    ):
        yield tmp_path


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def render(owner: User, incident: Incident, regime: str, language: str) -> RenderResult:
    """Queue the document (the job row and its audit event), then render it here: the
    queue itself is the reports app's business and tested there."""
    notification = incident.notifications.get(regime=regime)
    job = report_request(
        actor=owner,
        organisation=incident.organisation,
        kind=DOCUMENT_KIND,
        parameters={"notification": notification.pk},
        language=language,
    )
    return render_job_document(job)


def test_the_cnil_draft_becomes_a_french_pdf_with_the_edited_text(
    owner: User, ransomware: Incident
) -> None:
    notification = ransomware.notifications.get(regime="gdpr_authority")
    notification_draft_save(
        actor=owner, notification=notification, draft={"consequences": "Hameçonnage ciblé probable"}
    )
    result = render(owner, ransomware, "gdpr_authority", "fr")
    text = pdf_text(result.pdf)
    assert "Notification RGPD à la CNIL" in text
    assert "Conséquences probables de la violation" in text
    assert "Hameçonnage ciblé probable" in text
    item = result.manifest["items"][0]
    assert item["type"] == DOCUMENT_KIND and item["id"] == notification.pk
    assert check_notification(ransomware.organisation, item) is None
    notification_draft_save(actor=owner, notification=notification, draft={"consequences": "autre"})
    assert check_notification(ransomware.organisation, item) is not None  # tampering is seen


def test_the_english_pdf_has_english_labels(owner: User, ransomware: Incident) -> None:
    result = render(owner, ransomware, "nis2_early_warning", "en")
    assert "Suspected to be caused by unlawful or malicious acts" in pdf_text(result.pdf)


def test_another_organisations_notification_is_refused(
    owner: User, org_b: Organisation, essential_org: Organisation
) -> None:
    foreign = make_incident(org_b, personal_data_breach=True).notifications.get()
    with pytest.raises(ValidationError):
        report_request(
            actor=owner,
            organisation=essential_org,
            kind=DOCUMENT_KIND,
            parameters={"notification": foreign.pk},
        )


def test_the_draft_page_offers_the_pdf(owner_client: Client, ransomware: Incident) -> None:
    n = ransomware.notifications.get(regime="gdpr_authority")
    text = owner_client.get(
        f"/o/{ransomware.organisation.slug}/incidents/{ransomware.pk}/notifications/{n.pk}/draft/"
    ).content.decode()
    assert 'name="kind" value="incident_notification"' in text
    assert f'name="param_notification" value="{n.pk}"' in text
