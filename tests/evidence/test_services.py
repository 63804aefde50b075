"""Evidence services: items, immutable revisions stored once under their hash, the types
refused, expiry, and the audit trail."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.models import AuditEvent, Organisation, User
from controls.models import Requirement
from evidence.models import Evidence, EvidenceRevision
from evidence.selectors import evidence_counts, valid_evidence_counts
from evidence.services import (
    evidence_create,
    evidence_requirement_unlink,
    evidence_requirements_link,
    revision_add,
)
from tests.evidence.conftest import EXE, PDF, file_of, png_bytes, stored_files

pytestmark = pytest.mark.usefixtures("catalogues", "db")

Upload = Callable[..., Any]
TODAY = timezone.localdate()


def test_a_file_is_stored_under_its_sha256_with_what_was_detected(
    org_a: Organisation, owner: User, upload: Upload, media: Path, a51: Requirement
) -> None:
    content = b"Politique de controle d'acces\n"
    evidence = evidence_create(
        actor=owner,
        organisation=org_a,
        title="Politique d'accès",
        requirements=[a51],
        files=[upload("politique.txt", content)],
        collected_on=TODAY,
    )

    revision = evidence.revisions.get()
    digest = hashlib.sha256(content).hexdigest()
    assert (revision.number, revision.sha256, revision.size) == (1, digest, len(content))
    assert revision.media_type == "text/plain"
    assert revision.uploaded_by == owner
    assert revision.storage_name == f"evidence/{digest[:2]}/{digest}"
    assert (media / revision.storage_name).read_bytes() == content
    assert list(evidence.requirements.all()) == [a51]


def test_the_same_content_twice_is_stored_once(
    org_a: Organisation, owner: User, upload: Upload, media: Path
) -> None:
    first = evidence_create(
        actor=owner, organisation=org_a, title="A", files=[upload("a.pdf", PDF)]
    )
    second = evidence_create(
        actor=owner, organisation=org_a, title="B", files=[upload("copie.pdf", PDF)]
    )

    names = {r.storage_name for r in EvidenceRevision.objects.all()}
    assert len(names) == 1
    assert stored_files(media) == [media / names.pop()]
    assert first.revisions.get().original_name == "a.pdf"
    assert second.revisions.get().original_name == "copie.pdf"


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(
    org_a: Organisation, owner: User, upload: Upload, media: Path
) -> None:
    with pytest.raises(ValidationError) as caught:
        evidence_create(
            actor=owner, organisation=org_a, title="Facture", files=[upload("facture.pdf", EXE)]
        )

    message = " ".join(caught.value.messages)
    assert "facture.pdf" in message and "programme Windows" in message
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_png_named_pdf_is_a_spoof_too(org_a: Organisation, owner: User, upload: Upload) -> None:
    with pytest.raises(ValidationError, match="ne correspond pas"):
        evidence_create(
            actor=owner,
            organisation=org_a,
            title="Capture",
            files=[upload("rapport.pdf", png_bytes())],
        )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("notes.txt", b"<html><body><script>x()</script></body></html>"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
        ("binary", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    ],
)
def test_web_pages_scripts_and_programs_are_refused(
    org_a: Organisation, owner: User, upload: Upload, name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError):
        evidence_create(actor=owner, organisation=org_a, title="X", files=[upload(name, content)])
    assert not Evidence.objects.exists()


def test_an_archive_is_kept_as_it_is(org_a: Organisation, owner: User, media: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("logs/auth.log", "ok\n")
    evidence = evidence_create(
        actor=owner,
        organisation=org_a,
        title="Journaux",
        files=[file_of(buffer.getvalue(), "journaux.zip")],
    )

    revision = evidence.revisions.get()
    assert revision.media_type == "application/zip"
    assert [p.name for p in stored_files(media)] == [revision.sha256]  # not unpacked


def test_an_empty_file_is_refused(org_a: Organisation, owner: User, upload: Upload) -> None:
    with pytest.raises(ValidationError, match="vide"):
        evidence_create(actor=owner, organisation=org_a, title="X", files=[upload("a.txt", b"")])


def test_a_link_item_has_no_revision(org_a: Organisation, owner: User, a51: Requirement) -> None:
    evidence = evidence_create(
        actor=owner,
        organisation=org_a,
        title="Charte sur l'intranet",
        url="https://intranet.lilas.example/charte",
        requirements=[a51],
    )

    assert evidence.url == "https://intranet.lilas.example/charte"
    assert not evidence.revisions.exists()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"url": "https://x.example/", "files": ["f"]}, "pas des deux"),
        ({}, "au moins un fichier"),
        ({"url": "javascript:alert(1)"}, "https://"),
    ],
)
def test_an_item_is_files_or_a_link(
    org_a: Organisation, owner: User, upload: Upload, kwargs: dict[str, Any], expected: str
) -> None:
    if kwargs.get("files"):
        kwargs["files"] = [upload()]
    with pytest.raises(ValidationError, match=expected):
        evidence_create(actor=owner, organisation=org_a, title="X", **kwargs)


def test_revisions_are_numbered_and_the_newest_renews_the_item(
    org_a: Organisation, owner: User, upload: Upload
) -> None:
    old = TODAY - datetime.timedelta(days=400)
    evidence = evidence_create(
        actor=owner,
        organisation=org_a,
        title="Certificat",
        files=[upload("c.txt", b"2024")],
        collected_on=old,
        expires_on=TODAY - datetime.timedelta(days=35),
    )
    assert evidence.is_expired()

    revisions = revision_add(
        actor=owner,
        evidence=evidence,
        files=[upload("c.txt", b"2025"), upload("annexe.txt", b"annexe")],
        collected_on=TODAY,
        expires_on=TODAY + datetime.timedelta(days=365),
    )

    assert [r.number for r in revisions] == [2, 3]
    evidence.refresh_from_db()
    assert not evidence.is_expired()
    assert evidence.revisions.get(number=1).expires_on == TODAY - datetime.timedelta(days=35)


def test_a_revision_can_never_be_changed_or_deleted(
    org_a: Organisation, owner: User, upload: Upload
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])
    revision = evidence.revisions.get()

    revision.original_name = "autre.txt"
    with pytest.raises(ValueError):
        revision.save()
    with pytest.raises(ValueError):
        revision.delete()
    with pytest.raises(ValueError):
        EvidenceRevision.objects.filter(pk=revision.pk).update(sha256="0" * 64)
    with pytest.raises(ValueError):
        EvidenceRevision.objects.filter(pk=revision.pk).delete()
    assert EvidenceRevision.objects.get(pk=revision.pk).original_name == "policy.txt"


def test_every_write_lands_in_the_audit_trail(
    org_a: Organisation, owner: User, upload: Upload, a51: Requirement, a815: Requirement
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])
    revision_add(actor=owner, evidence=evidence, files=[upload("v2.txt", b"v2")])
    evidence_requirements_link(actor=owner, evidence=evidence, requirements=[a51, a815])
    evidence_requirement_unlink(actor=owner, evidence=evidence, requirement=a51)

    actions = list(
        AuditEvent.objects.filter(organisation=org_a, action__startswith="evidence.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "evidence.create",
        "evidence.revision_add",
        "evidence.requirements_link",
        "evidence.requirement_unlink",
    ]
    created = AuditEvent.objects.get(action="evidence.create")
    assert (
        created.changes["revisions"][0]["sha256"]
        == hashlib.sha256(b"Access control policy v3\n").hexdigest()
    )
    assert list(evidence.requirements.all()) == [a815]


def test_expired_evidence_no_longer_counts_towards_a_requirement(
    org_a: Organisation, owner: User, upload: Upload, a51: Requirement, a815: Requirement
) -> None:
    evidence_create(
        actor=owner,
        organisation=org_a,
        title="Valide",
        requirements=[a51, a815],
        files=[upload("a.txt", b"a")],
        expires_on=TODAY,
    )
    evidence_create(
        actor=owner,
        organisation=org_a,
        title="Périmée",
        requirements=[a51],
        files=[upload("b.txt", b"b")],
        expires_on=TODAY - datetime.timedelta(days=1),
    )

    assert valid_evidence_counts(org_a, [a51.pk, a815.pk]) == {a51.pk: 1, a815.pk: 1}
    counts = evidence_counts(org_a)
    assert (counts[a51.pk].valid, counts[a51.pk].expired) == (1, 1)
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert valid_evidence_counts(org_a, [a51.pk], today=tomorrow) == {}


def test_counts_belong_to_each_organisation(
    org_a: Organisation, org_b: Organisation, owner: User, upload: Upload, a51: Requirement
) -> None:
    evidence_create(
        actor=owner, organisation=org_a, title="A", requirements=[a51], files=[upload()]
    )

    assert valid_evidence_counts(org_b, [a51.pk]) == {}
    assert valid_evidence_counts(org_a, [a51.pk]) == {a51.pk: 1}
