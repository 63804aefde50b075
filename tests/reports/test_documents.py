"""Rendering a document end to end (eager tasks): content, manifest, signature,
verification, and the lifecycle of a job (duplicate delivery, lost workers, failures)."""

from __future__ import annotations

import io
import json
import os
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from compliance.models import AuditEvent
from controls.models import SoaVersion
from reports import registry, services
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.rendering import FetchRefused, html_to_pdf, static_path_for
from reports.services import (
    embedded_manifest,
    job_claim,
    jobs_requeue_stale,
    render_job_document,
    report_request,
    report_retry,
    report_verify,
    store_atomically,
)
from reports.signing import demo_certificate_install
from reports.tasks import render_report_task
from tests.reports.conftest import HOSTILE_TEXTS, annex_a_lines, pdf_text


@pytest.fixture
def request_soa(org_a, owner, make_soa, django_capture_on_commit_callbacks):
    """Request the SoA of organisation A and run the (eager) worker on commit."""

    def run(language: str = "fr", *, hostile: bool = False, **parameters: Any) -> ReportJob:
        if not SoaVersion.objects.filter(organisation=org_a).exists():
            make_soa(org_a, hostile=hostile)
        with django_capture_on_commit_callbacks(execute=True):
            job = report_request(
                actor=owner,
                organisation=org_a,
                kind="soa",
                parameters=parameters,
                language=language,
            )
        job.refresh_from_db()
        return job

    return run


def file_bytes(job: ReportJob) -> bytes:
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return handle.read()


# --- Content --------------------------------------------------------------------------


def test_the_french_soa_has_french_headings_every_control_and_its_fingerprint(request_soa):
    job = request_soa("fr")

    assert job.status == JobStatus.DONE, job.error
    text = pdf_text(file_bytes(job))
    assert "Déclaration d'applicabilité" in text
    assert "Mesures organisationnelles" in text
    assert "Mesure 5.1 en français" in text
    assert "Statement of Applicability" not in text
    for line in annex_a_lines():
        assert line["ref_id"] in text
    assert job.manifest["items"][0]["sha256"] in text.replace("\n", "")
    assert "Page 2 sur" in text


def test_the_english_soa_is_in_english(request_soa):
    job = request_soa("en")

    text = pdf_text(file_bytes(job))
    assert "Statement of Applicability" in text
    assert "Organizational controls" in text
    assert "Control 5.1 in English" in text
    assert "Page 2 of" in text
    assert "Déclaration d'applicabilité" not in text


def test_the_job_records_the_file_hash_and_a_manifest_attached_to_the_pdf(request_soa):
    job = request_soa()

    data = file_bytes(job)
    import hashlib

    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.file_size == len(data)
    assert job.progress == 100
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert embedded_manifest(data) == job.manifest
    assert job.manifest["items"] == [
        {
            "type": "soa_version",
            "id": job.manifest["items"][0]["id"],
            "number": 1,
            "sha256": job.manifest["items"][0]["sha256"],
        }
    ]


def test_documents_are_pdf_a_3b_with_the_project_fonts_embedded(request_soa):
    data = file_bytes(request_soa())

    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None
    packet = xmp.stream.get_data()
    assert b'pdfaid:part="3"' in packet and b'pdfaid:conformance="B"' in packet
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert fonts <= {"Egide-Sans", "Egide-Sans-Bold", "Egide-Serif-Bold", "Egide-Mono"}
    assert "Egide-Sans" in fonts


def test_long_tables_repeat_their_header_on_every_page(request_soa):
    data = file_bytes(request_soa())

    reader = PdfReader(io.BytesIO(data))
    table_pages = [page.extract_text() for page in reader.pages[1:]]
    assert len(table_pages) >= 3
    for text in table_pages:
        assert "Justification" in text and "Responsable" in text


# --- Signing and verification ---------------------------------------------------------


def test_with_a_certificate_the_document_is_signed_and_verifies(request_soa, org_a):
    assert demo_certificate_install(org_a.slug, org_a.name)
    job = request_soa()

    assert job.signed
    result = report_verify(job)
    assert result.ok, result.problems
    assert result.signature is not None and result.signature.present
    assert result.signature.trusted and result.signature.intact


def test_without_a_certificate_the_document_is_not_signed(request_soa):
    job = request_soa()

    assert not job.signed
    result = report_verify(job)
    assert result.ok, result.problems
    assert result.signature is not None and not result.signature.present


def test_verify_report_passes_on_an_untouched_document(request_soa, org_a, capsys):
    demo_certificate_install(org_a.slug, org_a.name)
    job = request_soa()

    call_command("verify_report", str(job.pk))

    assert "OK" in capsys.readouterr().out


def test_verify_report_catches_a_flipped_byte(request_soa, org_a, capsys):
    demo_certificate_install(org_a.slug, org_a.name)
    job = request_soa()
    path = Path(job.file.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError) as failure:
        call_command("verify_report", str(job.pk))

    assert failure.value.returncode == 1
    assert "SHA-256" in capsys.readouterr().err


def test_verify_report_catches_a_changed_source(request_soa):
    job = request_soa()
    item = job.manifest["items"][0]
    with connection.cursor() as cursor:  # what a tampering DBA would do
        cursor.execute(
            "UPDATE controls_soaversion SET sha256 = %s WHERE id = %s", ["0" * 64, item["id"]]
        )

    result = report_verify(job)

    assert not result.ok
    assert any("SoA version 1" in problem or "version 1" in problem for problem in result.problems)


def test_verify_report_catches_a_signature_from_someone_else(request_soa, org_a, tmp_path):
    demo_certificate_install(org_a.slug, org_a.name)
    job = request_soa()
    # The organisation's certificate is replaced: the signature is no longer its own.
    for name in (f"{org_a.slug}.p12", f"{org_a.slug}.p12.pass"):
        (tmp_path / "signing" / name).unlink()
    demo_certificate_install(org_a.slug, org_a.name)

    result = report_verify(job)

    assert not result.ok
    assert result.signature is not None and not result.signature.trusted


def test_verify_report_of_an_unknown_job_fails(db):
    with pytest.raises(CommandError):
        call_command("verify_report", "999999")


# --- SSRF -----------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Record (and refuse) every outgoing connection and every file opened outside the
    project's static files while a document is rendered."""
    attempts: list[Any] = []

    def refuse_connect(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    return attempts


def test_user_text_with_tags_urls_and_imports_is_shown_escaped_and_never_fetched(
    request_soa, no_network, monkeypatch
):
    asked: list[str] = []
    real = static_path_for

    def spy(url: str) -> Path:
        asked.append(url)
        return real(url)

    monkeypatch.setattr("reports.rendering.static_path_for", spy)
    job = request_soa(hostile=True)

    assert job.status == JobStatus.DONE, job.error
    assert no_network == []
    assert all(url.startswith("https://static.egide.invalid/static/") for url in asked)
    text = pdf_text(file_bytes(job)).replace("\n", "")
    assert "root:x:0:0" not in text
    # What the person typed is printed as text, not interpreted.
    assert 'src="file:///etc/passwd">' in text
    assert "@import" in text


@pytest.mark.parametrize(
    "markup",
    [
        *HOSTILE_TEXTS,
        "<p style=\"background: url('http://127.0.0.1:9/bg.png')\">x</p>",
        '<img src="https://static.egide.invalid/static/../../../../etc/passwd">',
        '<img src="https://static.egide.invalid/static/%2e%2e/%2e%2e/etc/passwd">',
        '<link rel="stylesheet" href="ftp://127.0.0.1:9/x.css">',
        "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
        "<image href='file:///etc/passwd'/></svg>\">",
    ],
)
def test_the_renderer_itself_refuses_anything_but_static_files(markup, no_network):
    # Even if a template forgot to escape user text, nothing outside static/ is read.
    rendered = html_to_pdf(f"<html><body><p>avant</p>{markup}<p>après</p></body></html>")

    assert no_network == []
    text = pdf_text(rendered.pdf)
    assert "avant" in text and "après" in text
    assert "root:" not in text


def test_static_paths_cannot_escape_the_static_directories(db):
    assert static_path_for("https://static.egide.invalid/static/fonts/DejaVuSans.ttf").is_file()
    for url in (
        "https://static.egide.invalid/static/../compliance/settings.py",
        "https://static.egide.invalid/static//etc/passwd",
        "https://static.egide.invalid/static/fonts/../../manage.py",
        "https://evil.example/static/fonts/DejaVuSans.ttf",
        "file:///work/main/static/fonts/DejaVuSans.ttf",
    ):
        with pytest.raises(FetchRefused):
            static_path_for(url)


# --- Lifecycle ------------------------------------------------------------------------


@pytest.fixture
def queued_job(org_a, owner, make_soa):
    """A queued SoA job whose task has not run (no on-commit execution)."""
    make_soa(org_a)
    return report_request(actor=owner, organisation=org_a, kind="soa", parameters={})


def test_a_task_delivered_twice_renders_once(queued_job, monkeypatch):
    renders = []
    real = services.html_to_pdf

    def counting(*args: Any, **kwargs: Any) -> Any:
        renders.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "html_to_pdf", counting)

    first = render_report_task.apply(args=(queued_job.pk,)).get()
    second = render_report_task.apply(args=(queued_job.pk,)).get()

    assert (first, second) == ("done", "not-claimed")
    assert len(renders) == 1
    assert AuditEvent.objects.filter(action="reports.render").count() == 1
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.DONE and queued_job.attempts == 1


def test_only_one_of_two_concurrent_claims_wins(queued_job):
    tokens = [job_claim(queued_job.pk, worker="w1"), job_claim(queued_job.pk, worker="w2")]

    assert tokens[0] is not None and tokens[1] is None


def test_a_job_whose_worker_died_is_queued_again_and_completed(queued_job, settings):
    token = job_claim(queued_job.pk, worker="killed-worker")
    assert token
    ReportJob.objects.filter(pk=queued_job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=600), progress=40
    )

    requeued = jobs_requeue_stale(lease_seconds=120)

    assert requeued == [queued_job.pk]
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.DONE
    assert queued_job.attempts == 2


def test_a_live_worker_keeps_its_job(queued_job):
    job_claim(queued_job.pk, worker="live-worker")

    assert jobs_requeue_stale(lease_seconds=120) == []
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.RUNNING


def test_a_worker_that_lost_its_claim_does_not_overwrite_the_result(queued_job):
    stale_token = job_claim(queued_job.pk, worker="slow-worker")
    assert stale_token
    # The lease expired and another worker took the job back and finished it.
    ReportJob.objects.filter(pk=queued_job.pk).update(status=JobStatus.QUEUED, claim_token="")
    assert render_report_task.apply(args=(queued_job.pk,)).get() == "done"
    done = ReportJob.objects.get(pk=queued_job.pk)

    result = render_job_document(done)
    assert not services.job_complete(queued_job.pk, stale_token, result)
    assert ReportJob.objects.get(pk=queued_job.pk).sha256 == done.sha256


def test_a_failure_is_recorded_readably_and_the_job_can_be_retried(
    queued_job, owner, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("the template is missing a closing tag")

    monkeypatch.setattr(services, "html_to_pdf", broken)
    assert render_report_task.apply(args=(queued_job.pk,)).get() == "failed"
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.FAILED
    assert "the template is missing a closing tag" in queued_job.error
    assert not queued_job.file

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        report_retry(actor=owner, job=queued_job)

    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.DONE
    assert queued_job.error == ""
    assert AuditEvent.objects.filter(action="reports.retry").count() == 1


def test_only_a_failed_job_can_be_retried(queued_job, owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        report_retry(actor=owner, job=queued_job)


def test_documents_are_never_rendered_inside_a_transaction(queued_job):
    with transaction.atomic(), pytest.raises(RuntimeError, match="transaction"):
        render_job_document(queued_job)


def test_the_file_appears_whole_or_not_at_all(settings, monkeypatch):
    target = Path(settings.MEDIA_ROOT) / "reports" / "x.pdf"

    def crash(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store_atomically("reports/x.pdf", b"%PDF-1.7 partial")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []

    monkeypatch.undo()
    store_atomically("reports/x.pdf", b"%PDF-1.7 whole")
    assert target.read_bytes() == b"%PDF-1.7 whole"
    assert [p.name for p in target.parent.iterdir()] == ["x.pdf"]


def test_bad_parameters_are_refused_before_anything_is_queued(org_a, org_b, owner, make_soa):
    from django.core.exceptions import ValidationError

    make_soa(org_b)  # another organisation's version 1 must not be usable by A
    for kind, parameters, language in (
        ("soa", {}, "fr"),
        ("soa", {"version": "abc"}, "fr"),
        ("nope", {}, "fr"),
        ("soa", {"version": 1}, "de"),
    ):
        with pytest.raises(ValidationError):
            report_request(
                actor=owner,
                organisation=org_a,
                kind=kind,
                parameters=parameters,
                language=language,
            )
    assert not ReportJob.objects.exists()


# --- Registry -------------------------------------------------------------------------


def test_another_app_can_register_a_document_without_touching_reports(
    org_a, owner, django_capture_on_commit_callbacks
):
    def build(request: registry.BuildRequest) -> registry.Built:
        return registry.Built(
            title="Registre des traitements",
            template="reports/pdf/base.html",
            context={},
            manifest_items=[{"type": "test_item", "id": 1, "sha256": "ab" * 32}],
        )

    registry.register_document("test_register", label="Register", build=build)
    registry.register_manifest_check("test_item", lambda organisation, item: None)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = report_request(actor=owner, organisation=org_a, kind="test_register")
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert report_verify(job).ok
        assert json.loads(json.dumps(job.manifest))["items"][0]["type"] == "test_item"
        with pytest.raises(ValueError, match="already registered"):
            registry.register_document("test_register", label="x", build=lambda r: build(r))
    finally:
        registry._DOCUMENTS.pop("test_register", None)
        registry._MANIFEST_CHECKS.pop("test_item", None)


@override_settings(EGIDE_REPORT_PDF_VARIANT="")
def test_plain_pdf_can_be_chosen_instead_of_pdf_a(request_soa):
    data = file_bytes(request_soa())

    xmp = PdfReader(io.BytesIO(data)).xmp_metadata
    assert xmp is None or b"pdfaid" not in xmp.stream.get_data()


def test_the_demo_seed_gives_the_clinic_a_certificate_once_and_its_soa_as_pdf(
    org_a, owner, make_soa, tmp_path, django_capture_on_commit_callbacks
):
    from compliance.services.audit_trail import SystemActor
    from reports import demo

    make_soa(org_a)
    with override_settings(EGIDE_REPORT_SIGNING_DIR=tmp_path / "signing"):
        demo.DEMO_SIGNING_ORGANISATION = org_a.slug
        try:
            with django_capture_on_commit_callbacks(execute=True):
                demo.seed(organisations={org_a.slug: org_a}, actor=SystemActor("seed"))
            certificate = (tmp_path / "signing" / f"{org_a.slug}.p12").read_bytes()
            demo.seed(organisations={org_a.slug: org_a}, actor=SystemActor("seed"))
        finally:
            demo.DEMO_SIGNING_ORGANISATION = "clinique-des-lilas"

    assert (tmp_path / "signing" / f"{org_a.slug}.p12").read_bytes() == certificate
    assert oct((tmp_path / "signing" / f"{org_a.slug}.p12.pass").stat().st_mode)[-3:] == "600"
    job = ReportJob.objects.get()
    assert job.status == JobStatus.DONE and job.signed


def test_a_job_that_kills_its_worker_every_time_ends_failed(queued_job):
    job_claim(queued_job.pk, worker="oom-1")
    ReportJob.objects.filter(pk=queued_job.pk).update(
        attempts=services.MAX_ATTEMPTS, heartbeat_at=timezone.now() - timedelta(seconds=600)
    )

    assert jobs_requeue_stale(lease_seconds=120) == []

    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.FAILED
    assert "3" in queued_job.error
