"""The evidence pack of an audit and the remediation plan, built from real audits,
checks, findings, actions and evidence files (through their apps' services)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits.choices import CheckResult
from audits.models import AuditCheck, Finding
from audits.services.actions import action_create
from audits.services.audits import audit_create, check_record
from controls.models import Requirement, Theme
from evidence.models import EvidenceRevision
from evidence.services.evidence import evidence_create, revision_add
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.services import report_request, report_verify
from tests.reports.conftest import pdf_text

RESULTS = [
    CheckResult.CONFORME,
    CheckResult.NC_MAJEURE,
    CheckResult.NC_MINEURE,
    CheckResult.OBSERVATION,
    CheckResult.PISTE_DE_PROGRES,
    CheckResult.CONFORME,
]


@pytest.fixture
def audit(org_a, owner, iso, make_soa):
    make_soa(org_a)
    order = 0
    for theme in Theme.objects.filter(framework=iso):
        for number in range(1, 4):
            order += 1
            Requirement.objects.create(
                framework=iso,
                ref_id=f"A.{theme.order + 5}.{number}",
                kind="control",
                theme=theme,
                title_fr=f"Exigence {theme.code} {number}",
                title_en=f"Requirement {theme.code} {number}",
                assessable=True,
                order=order,
            )
    audit = audit_create(
        actor=owner,
        organisation=org_a,
        title="Audit flash <b>annexe A</b>",
        frameworks=[iso],
        lead_auditor=owner,
        planned_start=datetime.date(2026, 11, 2),
        planned_end=datetime.date(2026, 11, 3),
    )
    items = [
        evidence_create(
            actor=owner,
            organisation=org_a,
            title=f"Preuve {index}",
            files=[SimpleUploadedFile(f"preuve-{index}.txt", f"contenu {index}\n".encode())],
            collected_on=datetime.date(2026, 10, index + 1),
        )
        for index in range(4)
    ]
    revision_add(
        actor=owner,
        evidence=items[0],
        files=[SimpleUploadedFile("preuve-0-v2.txt", b"contenu 0, version 2\n")],
    )
    for index, check in enumerate(AuditCheck.objects.filter(audit=audit).order_by("order")):
        check_record(
            actor=owner,
            check=check,
            result=RESULTS[index % len(RESULTS)],
            notes=f"Constat {index} <script>alert(1)</script>",
            evidence=[items[index % len(items)]],
        )
    today = timezone.localdate()
    for index, finding in enumerate(Finding.objects.filter(audit=audit).order_by("number")):
        action_create(
            actor=owner,
            finding=finding,
            title=f"Action corrective {index}",
            due_date=today + datetime.timedelta(days=30 if index % 2 else -10),
            owner=owner,
        )
    return audit


def render(owner, organisation, kind, capture, language="fr", **parameters):
    with capture(execute=True):
        job = report_request(
            actor=owner,
            organisation=organisation,
            kind=kind,
            parameters=parameters,
            language=language,
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def job_text(job: ReportJob) -> str:
    with job.file.open("rb") as handle:
        return pdf_text(handle.read())


def test_the_evidence_pack_lists_every_finding_and_every_evidence_hash(
    owner, org_a, audit, django_capture_on_commit_callbacks
):
    job = render(owner, org_a, "evidence_pack", django_capture_on_commit_callbacks, audit=audit.pk)

    text = job_text(job)
    findings = list(Finding.objects.filter(audit=audit))
    revisions = list(EvidenceRevision.objects.filter(evidence__organisation=org_a))
    assert len(findings) == 8 and len(revisions) == 5
    for finding in findings:
        assert finding.title in text
        assert finding.reference in text
    for revision in revisions:
        assert revision.sha256 in text
        assert revision.original_name in text
    for check in AuditCheck.objects.filter(audit=audit).select_related("requirement"):
        assert check.requirement.ref_id in text
    # User text is printed as typed, never interpreted.
    assert "Audit flash <b>annexe A</b>" in text
    assert "<script>alert(1)</script>" in text


def test_the_evidence_pack_is_in_french_with_a_table_of_contents_with_page_numbers(
    owner, org_a, audit, django_capture_on_commit_callbacks
):
    job = render(owner, org_a, "evidence_pack", django_capture_on_commit_callbacks, audit=audit.pk)

    text = job_text(job)
    for heading in (
        "Sommaire",
        "Synthèse",
        "Déclaration d'applicabilité à la date de l'audit",
        "Points de contrôle",
        "Constats et actions correctives",
        "Manifeste des preuves",
        "Auditeur principal",
    ):
        assert heading in text, heading
    assert re.search(r"Manifeste des preuves \.+ \d+", text)
    assert "Executive summary" not in text


def test_the_evidence_pack_in_english(owner, org_a, audit, django_capture_on_commit_callbacks):
    job = render(
        owner, org_a, "evidence_pack", django_capture_on_commit_callbacks, "en", audit=audit.pk
    )

    text = job_text(job)
    assert "Executive summary" in text and "Evidence manifest" in text
    assert "Synthèse" not in text


def test_the_pack_manifest_lists_every_revision_and_verify_report_checks_the_files(
    owner, org_a, audit, django_capture_on_commit_callbacks
):
    job = render(owner, org_a, "evidence_pack", django_capture_on_commit_callbacks, audit=audit.pk)
    revisions = {r.pk: r for r in EvidenceRevision.objects.filter(evidence__organisation=org_a)}
    items = [item for item in job.manifest["items"] if item["type"] == "evidence_revision"]

    assert {item["id"] for item in items} == set(revisions)
    assert all(item["sha256"] == revisions[item["id"]].sha256 for item in items)
    assert report_verify(job).ok

    # Someone replaces an evidence file in storage behind Egide's back.
    victim = revisions[items[0]["id"]]
    with open(default_storage.path(victim.storage_name), "wb") as handle:
        handle.write(b"forged\n")
    result = report_verify(job)
    assert not result.ok
    assert any(victim.original_name in problem for problem in result.problems)


def test_the_audit_bundle_carries_every_evidence_file(
    owner_client, owner, org_a, audit, django_capture_on_commit_callbacks
):
    job = render(owner, org_a, "evidence_pack", django_capture_on_commit_callbacks, audit=audit.pk)

    response = owner_client.get(reverse("report_bundle", args=[org_a.slug, job.pk]))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert job.download_name in names and "manifest.json" in names
    evidence_files = [name for name in names if name.startswith("evidence/")]
    hashes = {hashlib.sha256(archive.read(name)).hexdigest() for name in evidence_files}
    assert hashes == {
        item["sha256"] for item in job.manifest["items"] if item["type"] == "evidence_revision"
    }


def test_an_audit_of_another_organisation_cannot_be_packed(owner, org_a, org_b, outsider, audit):
    with pytest.raises(ValidationError):
        report_request(
            actor=outsider, organisation=org_b, kind="evidence_pack", parameters={"audit": audit.pk}
        )
    with pytest.raises(ValidationError):
        report_request(actor=owner, organisation=org_a, kind="evidence_pack", parameters={})
    assert not ReportJob.objects.exists()


def test_the_remediation_plan_groups_actions_and_highlights_overdue_ones(
    owner, org_a, audit, django_capture_on_commit_callbacks
):
    job = render(owner, org_a, "remediation_plan", django_capture_on_commit_callbacks)

    text = job_text(job)
    assert "Plan d'action" in text
    for index in range(8):
        assert f"Action corrective {index}" in text
    assert "10 jours de retard" in text
    assert "Haute" in text or "Élevée" in text
    assert report_verify(job).ok


def test_the_remediation_plan_in_english(owner, org_a, audit, django_capture_on_commit_callbacks):
    job = render(owner, org_a, "remediation_plan", django_capture_on_commit_callbacks, "en")

    text = job_text(job)
    assert "Remediation plan" in text and "10 days late" in text
    assert "Actions by priority and owner" in text


def test_the_remediation_plan_of_an_organisation_without_actions(
    owner, org_a, django_capture_on_commit_callbacks
):
    job = render(owner, org_a, "remediation_plan", django_capture_on_commit_callbacks, "en")

    assert "No remediation action yet." in job_text(job)


def test_api_requests_an_evidence_pack(client, org_a, audit, django_capture_on_commit_callbacks):
    from compliance.choices import ApiKeyScope
    from tests.factories import issue_api_key

    key = issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE])
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key.raw_key}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/",
            {"kind": "evidence_pack", "audit": audit.pk},
            content_type="application/json",
            **headers,
        )

    assert response.status_code == 202
    detail = client.get(f"/api/v1/reports/{response.json()['id']}/", **headers).json()
    assert detail["status"] == "done"
    assert detail["item_count"] == 6  # the SoA version and five evidence revisions
