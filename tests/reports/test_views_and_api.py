"""Pages and API of the documents: request, live status, list with hashes, download;
tenancy (404) and permissions (403)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from compliance.choices import ApiKeyScope
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.services import report_request
from tests.factories import issue_api_key
from tests.helpers import fr, page_text
from tests.reports.conftest import pdf_text


def url(name: str, organisation: Any, *args: Any) -> str:
    return reverse(name, args=[organisation.slug, *args])


@pytest.fixture
def done_job(org_a, owner, make_soa, django_capture_on_commit_callbacks):
    make_soa(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        job = report_request(actor=owner, organisation=org_a, kind="soa", parameters={})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def queued(organisation: Any, count: int = 1) -> list[ReportJob]:
    return [
        ReportJob.objects.create(
            organisation=organisation,
            kind="soa",
            parameters={"version": 1},
            requested_by_label="someone@example.test",
            title="Déclaration",
        )
        for _ in range(count)
    ]


# --- HTML -----------------------------------------------------------------------------


def test_requesting_from_the_page_renders_and_shows_the_document(
    owner_client, org_a, make_soa, django_capture_on_commit_callbacks
):
    make_soa(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url("report_request", org_a),
            {"kind": "soa", "param_version": "1", "language": "en"},
        )

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("report_detail", org_a, job.pk)
    page = page_text(owner_client.get(response["Location"]))
    assert job.sha256 in page
    assert fr("Download the PDF") in page
    download = owner_client.get(url("report_download", org_a, job.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "Statement of Applicability" in pdf_text(b"".join(download.streaming_content))


def test_a_bad_request_says_why_and_queues_nothing(owner_client, org_a, make_soa):
    make_soa(org_a)
    response = owner_client.post(
        url("report_request", org_a), {"kind": "soa", "param_version": "7"}, follow=True
    )

    assert "Il n'existe pas de version publiée 7." in page_text(response)
    assert not ReportJob.objects.exists()


def test_the_list_shows_every_document_with_its_hash(owner_client, org_a, done_job):
    page = page_text(owner_client.get(url("report_list", org_a)))

    assert done_job.sha256[:14] in page
    assert fr("Request a document") in page


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_page_makes_a_fixed_number_of_queries(
    owner_client, org_a, rows, django_assert_num_queries
):
    queued(org_a, rows)
    owner_client.get(url("report_list", org_a))  # warm the session and caches

    # session, user, 2FA devices (TOTP, static), 2FA requirement, membership
    # (+organisation), the page's count, SoA versions, audits, the navigation's
    # memberships, the page's rows.
    with django_assert_num_queries(11):
        response = owner_client.get(url("report_list", org_a))
    assert response.status_code == 200


def test_the_status_endpoint_feeds_the_progress_bar(owner_client, org_a):
    (job,) = queued(org_a)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=42)

    data = owner_client.get(url("report_status", org_a, job.pk)).json()

    assert data["status"] == "running" and data["progress"] == 42
    assert data["finished"] is False
    page = page_text(owner_client.get(url("report_detail", org_a, job.pk)))
    assert 'value="42"' in page and "report-progress.js" in page


def test_a_document_cannot_be_downloaded_before_it_is_done(owner_client, org_a):
    (job,) = queued(org_a)

    assert owner_client.get(url("report_download", org_a, job.pk)).status_code == 404
    assert owner_client.get(url("report_bundle", org_a, job.pk)).status_code == 404


def test_the_audit_bundle_holds_the_pdf_and_the_manifest(owner_client, org_a, done_job):
    import io
    import json
    import zipfile

    response = owner_client.get(url("report_bundle", org_a, done_job.pk))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) == {done_job.download_name, "manifest.json"}
    assert json.loads(archive.read("manifest.json")) == done_job.manifest


def test_a_failed_document_can_be_retried_from_its_page(
    owner_client, org_a, make_soa, django_capture_on_commit_callbacks
):
    make_soa(org_a)
    (job,) = queued(org_a)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="Boom")
    assert "Boom" in page_text(owner_client.get(url("report_detail", org_a, job.pk)))

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url("report_retry", org_a, job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_a_viewer_sees_documents_but_cannot_request_them(member_client, org_a, done_job):
    page = page_text(member_client.get(url("report_list", org_a)))
    assert done_job.sha256[:14] in page
    assert fr("Request a document") not in page
    assert member_client.get(url("report_download", org_a, done_job.pk)).status_code == 200

    response = member_client.post(url("report_request", org_a), {"kind": "soa"})
    assert response.status_code == 403
    assert member_client.post(url("report_retry", org_a, done_job.pk)).status_code == 403
    assert ReportJob.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["report_detail", "report_status", "report_download", "report_bundle"]
)
def test_another_organisations_documents_are_not_found(
    outsider_client, org_a, org_b, done_job, name
):
    # Through the outsider's own organisation's URL, and through A's (not a member).
    assert outsider_client.get(url(name, org_b, done_job.pk)).status_code == 404
    assert outsider_client.get(url(name, org_a, done_job.pk)).status_code == 404


def test_another_organisations_document_cannot_be_retried(outsider_client, org_a, org_b):
    (job,) = queued(org_a)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)

    assert outsider_client.post(url("report_retry", org_b, job.pk)).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


# --- API ------------------------------------------------------------------------------


def api(client: Any, key: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key.raw_key}"}


def test_api_post_answers_202_then_the_job_and_its_file(
    client, org_a, make_soa, django_capture_on_commit_callbacks
):
    make_soa(org_a)
    key = issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/",
            {"kind": "soa", "version": 1, "language": "en"},
            content_type="application/json",
            **api(client, key),
        )

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["kind"] == "soa"
    detail = client.get(f"/api/v1/reports/{body['id']}/", **api(client, key)).json()
    assert detail["status"] == "done" and detail["progress"] == 100
    assert len(detail["sha256"]) == 64
    assert detail["manifest"]["items"][0]["type"] == "soa_version"
    file = client.get(f"/api/v1/reports/{body['id']}/file/", **api(client, key))
    assert file.status_code == 200
    assert file["X-Content-SHA256"] == detail["sha256"]
    assert b"".join(file.streaming_content).startswith(b"%PDF-")


def test_api_file_is_404_until_done(client, org_a):
    (job,) = queued(org_a)
    key = issue_api_key(org_a)

    assert client.get(f"/api/v1/reports/{job.pk}/file/", **api(client, key)).status_code == 404
    assert client.get(f"/api/v1/reports/{job.pk}/", **api(client, key)).json()["progress"] == 0


def test_api_refuses_bad_input_with_400(client, org_a, make_soa):
    make_soa(org_a)
    key = issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE])
    for payload in (
        {"kind": "nope"},
        {"kind": "soa", "version": 9},
        {"kind": "soa", "language": "de"},
        {},
    ):
        response = client.post(
            "/api/v1/reports/", payload, content_type="application/json", **api(client, key)
        )
        assert response.status_code == 400, payload
    assert not ReportJob.objects.exists()


def test_api_needs_the_write_scope_to_request(client, org_a, make_soa):
    make_soa(org_a)
    key = issue_api_key(org_a, [ApiKeyScope.READ])

    response = client.post(
        "/api/v1/reports/", {"kind": "soa"}, content_type="application/json", **api(client, key)
    )

    assert response.status_code == 403
    assert not ReportJob.objects.exists()


def test_api_hides_other_organisations_documents(client, org_a, org_b):
    (job,) = queued(org_a)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    key = issue_api_key(org_b, [ApiKeyScope.READ, ApiKeyScope.WRITE])

    for path in (f"/api/v1/reports/{job.pk}/", f"/api/v1/reports/{job.pk}/file/"):
        assert client.get(path, **api(client, key)).status_code == 404
    retry = client.post(f"/api/v1/reports/{job.pk}/retry/", **api(client, key))
    assert retry.status_code == 404
    listing = client.get("/api/v1/reports/", **api(client, key)).json()
    assert listing["count"] == 0


def test_api_list_filters_by_status(client, org_a):
    _first, second = queued(org_a, 2)
    ReportJob.objects.filter(pk=second.pk).update(status=JobStatus.FAILED)
    key = issue_api_key(org_a)

    listing = client.get("/api/v1/reports/?status=failed", **api(client, key)).json()

    assert [row["id"] for row in listing["results"]] == [second.pk]
    bad = client.get("/api/v1/reports/?status=nonsense", **api(client, key))
    assert bad.status_code == 400
