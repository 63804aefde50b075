"""verify_evidence: a file changed or removed after it was collected is caught, marked,
audited, shown in the UI and the API, and stops counting towards its requirements."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from compliance.models import AuditEvent, Organisation, User
from controls.models import Requirement
from evidence.models import Evidence, EvidenceRevision
from evidence.selectors import evidence_counts, valid_evidence_counts
from evidence.services import evidence_create
from evidence.tasks import verify_evidence_task
from tests.helpers import page_text

pytestmark = pytest.mark.usefixtures("catalogues", "db")

Upload = Callable[..., Any]


@pytest.fixture
def evidence(owner: User, org_a: Organisation, upload: Upload, a51: Requirement) -> Evidence:
    return evidence_create(
        actor=owner,
        organisation=org_a,
        title="Registre des accès",
        requirements=[a51],
        files=[upload("registre.txt", b"acces ok\n")],
    )


def tamper(media: Path, evidence: Evidence, content: bytes = b"acces KO\n") -> None:
    (media / evidence.revisions.get().storage_name).write_bytes(content)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_evidence", *args, stdout=out)
    return out.getvalue()


def test_intact_files_pass(evidence: Evidence) -> None:
    assert "1 revision(s), 1 stored file(s)" in run()
    revision = evidence.revisions.get()
    assert revision.integrity_status == "ok" and revision.verified_at is not None


def test_a_tampered_file_is_caught_and_marked_compromised(
    evidence: Evidence, media: Path, a51: Requirement, org_a: Organisation
) -> None:
    tamper(media, evidence)

    with pytest.raises(CommandError, match="1 of 1 evidence revision"):
        run()

    revision = evidence.revisions.get()
    assert revision.integrity_status == "compromised"
    event = AuditEvent.objects.get(action="evidence.integrity_change")
    assert event.changes["integrity_status"] == ["ok", "compromised"]
    assert AuditEvent.objects.filter(action="evidence.verify", organisation=org_a).exists()
    assert valid_evidence_counts(org_a, [a51.pk]) == {}
    assert evidence_counts(org_a)[a51.pk].compromised == 1


def test_the_output_names_the_file_and_both_hashes(evidence: Evidence, media: Path) -> None:
    tamper(media, evidence)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_evidence", stdout=out)
    text = out.getvalue()
    revision = evidence.revisions.get()
    assert "registre.txt" in text and "COMPROMISED" in text and revision.sha256 in text


def test_a_missing_file_is_marked_missing(evidence: Evidence, media: Path) -> None:
    (media / evidence.revisions.get().storage_name).unlink()

    with pytest.raises(CommandError):
        run()

    assert evidence.revisions.get().integrity_status == "missing"


def test_a_restored_file_is_intact_again(evidence: Evidence, media: Path) -> None:
    tamper(media, evidence)
    with pytest.raises(CommandError):
        run()
    tamper(media, evidence, b"acces ok\n")

    run()

    assert evidence.revisions.get().integrity_status == "ok"
    assert AuditEvent.objects.filter(action="evidence.integrity_change").count() == 2


def test_the_organisation_option_limits_the_run(
    evidence: Evidence, media: Path, org_b: Organisation, outsider: User, upload: Upload
) -> None:
    tamper(media, evidence)
    evidence_create(actor=outsider, organisation=org_b, title="B", files=[upload("b.txt", b"b")])

    assert "1 revision(s)" in run("--organisation", org_b.slug)
    assert evidence.revisions.get().integrity_status == "ok"  # not checked
    with pytest.raises(CommandError, match="No organisation"):
        run("--organisation", "nope")


def test_the_nightly_task_marks_the_same(evidence: Evidence, media: Path) -> None:
    tamper(media, evidence)

    result = verify_evidence_task.apply().get()

    assert result["bad"] == [evidence.revisions.get().pk]
    assert EvidenceRevision.objects.get().integrity_status == "compromised"


def test_the_beat_schedule_runs_it_nightly(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["verify-evidence-nightly"]
    assert entry["task"] == "evidence.tasks.verify_evidence_task"


def test_the_ui_and_the_api_show_it_compromised(
    evidence: Evidence, media: Path, owner_client: Client, org_a: Organisation, read_key: str
) -> None:
    tamper(media, evidence)
    with pytest.raises(CommandError):
        run()

    detail = page_text(owner_client.get(reverse("evidence_detail", args=[org_a.slug, evidence.pk])))
    assert "compromise (contenu modifié)" in detail
    listed = page_text(owner_client.get(reverse("evidence_list", args=[org_a.slug])))
    assert "compromise" in listed
    assert "1 fichier modifié ou manquant depuis sa collecte" in listed
    filtered = page_text(
        owner_client.get(reverse("evidence_list", args=[org_a.slug]), {"state": "compromised"})
    )
    assert "Registre des accès" in filtered
    body = (
        Client(HTTP_AUTHORIZATION=f"Bearer {read_key}")
        .get(f"/api/v1/evidence/{evidence.pk}/")
        .json()
    )
    assert body["state"] == "compromised"
    assert body["revisions"][0]["integrity_status"] == "compromised"


def test_uploading_the_original_again_repairs_the_stored_copy(
    evidence: Evidence, media: Path, owner: User, org_a: Organisation, upload: Upload
) -> None:
    tamper(media, evidence)
    with pytest.raises(CommandError):
        run()

    again = evidence_create(
        actor=owner,
        organisation=org_a,
        title="Registre (copie)",
        files=[upload("registre.txt", b"acces ok\n")],
    )

    assert again.revisions.get().storage_name == evidence.revisions.get().storage_name
    run()  # both revisions intact: the good bytes replaced the changed ones
    assert set(EvidenceRevision.objects.values_list("integrity_status", flat=True)) == {"ok"}
