"""The evidence API: multipart and link creation, revisions, download headers, filters,
413 in JSON, scoping to the key's organisation and scopes."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from compliance.models import AuditEvent, Organisation, User
from controls.models import Requirement
from evidence.models import Evidence
from evidence.services import evidence_create
from tests.evidence.conftest import EXE, PDF, spool_files, stored_files

pytestmark = pytest.mark.usefixtures("catalogues", "db")

Upload = Callable[..., Any]
TODAY = timezone.localdate()
KB = 1024


def api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_create_with_files_in_multipart(
    write_key: str, org_a: Organisation, upload: Upload, a51: Requirement
) -> None:
    response = api(write_key).post(
        "/api/v1/evidence/",
        {
            "title": "Politique",
            "files": [upload("p.pdf", PDF), upload("annexe.txt", b"annexe\n")],
            "requirements": ["iso27001-2022:A.5.1"],
            "expires_on": "2030-01-31",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "file" and body["state"] == "valid"
    assert [r["ref_id"] for r in body["requirements"]] == ["A.5.1"]
    by_name = {r["original_name"]: r for r in body["revisions"]}
    assert by_name["p.pdf"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert by_name["p.pdf"]["media_type"] == "application/pdf"
    assert by_name["p.pdf"]["expires_on"] == "2030-01-31"
    assert by_name["p.pdf"]["integrity_status"] == "ok"
    event = AuditEvent.objects.get(action="evidence.create")
    assert event.actor_api_key is not None and event.organisation == org_a


def test_create_a_link_in_json(write_key: str, a51: Requirement) -> None:
    response = api(write_key).post(
        "/api/v1/evidence/",
        {"title": "Portail", "url": "https://portal.example/cert", "requirements": [str(a51.pk)]},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "link" and response.json()["revisions"] == []


def test_an_unknown_requirement_is_named(write_key: str) -> None:
    response = api(write_key).post(
        "/api/v1/evidence/",
        {"title": "X", "url": "https://x.example/", "requirements": ["iso27001-2022:A.99.9"]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "iso27001-2022:A.99.9" in str(response.json())
    assert not Evidence.objects.exists()


def test_a_spoofed_file_is_a_400_with_the_reason(
    write_key: str, upload: Upload, media: Path
) -> None:
    response = api(write_key).post(
        "/api/v1/evidence/",
        {"title": "X", "files": [upload("facture.pdf", EXE)]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Windows program" in str(response.json())
    assert stored_files(media) == [] and not Evidence.objects.exists()


@pytest.mark.parametrize(("sizes", "scope"), [((70,), "one file"), ((60, 60, 60), "one request")])
def test_over_a_limit_is_a_413_in_json_and_nothing_is_left(
    write_key: str, upload: Upload, media: Path, settings: Any, sizes: tuple[int, ...], scope: str
) -> None:
    settings.EGIDE_EVIDENCE_MAX_FILE_BYTES = 64 * KB
    settings.EGIDE_EVIDENCE_MAX_REQUEST_BYTES = 160 * KB
    files = [upload(f"f{n}.txt", b"x" * (size * KB)) for n, size in enumerate(sizes)]

    response = api(write_key).post(
        "/api/v1/evidence/", {"title": "X", "files": files}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert scope in response.json()["detail"]
    assert not Evidence.objects.exists()
    assert stored_files(media) == [] and spool_files(media) == []


def test_upload_a_revision(
    write_key: str, org_a: Organisation, owner: User, upload: Upload
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])

    response = api(write_key).post(
        f"/api/v1/evidence/{evidence.pk}/revisions/",
        {"files": [upload("v2.txt", b"v2\n")], "collected_on": str(TODAY)},
    )

    assert response.status_code == 201, response.content
    assert [r["number"] for r in response.json()] == [2]
    assert response.json()[0]["collected_on"] == str(TODAY)


def test_link_requirements(
    write_key: str, org_a: Organisation, owner: User, upload: Upload, a51: Requirement
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])

    response = api(write_key).post(
        f"/api/v1/evidence/{evidence.pk}/requirements/",
        {"requirements": ["iso27001-2022:A.5.1"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert list(evidence.requirements.all()) == [a51]


def test_download_carries_the_hash(
    read_key: str, org_a: Organisation, owner: User, upload: Upload
) -> None:
    evidence = evidence_create(
        actor=owner, organisation=org_a, title="X", files=[upload("r.pdf", PDF)]
    )
    listed = api(read_key).get(f"/api/v1/evidence/{evidence.pk}/").json()
    digest = hashlib.sha256(PDF).digest()

    response = api(read_key).get(listed["revisions"][0]["download_url"])

    assert response.status_code == 200
    assert response.getvalue() == PDF
    assert response["ETag"] == f'"{digest.hex()}"'
    assert response["Digest"] == f"sha-256={base64.b64encode(digest).decode()}"
    assert response["Content-Disposition"].startswith("attachment;")


def test_list_filters_and_paginates(
    read_key: str, org_a: Organisation, owner: User, upload: Upload, a51: Requirement
) -> None:
    evidence_create(
        actor=owner,
        organisation=org_a,
        title="Valide",
        files=[upload("a.txt", b"a")],
        requirements=[a51],
    )
    evidence_create(
        actor=owner,
        organisation=org_a,
        title="Périmée",
        files=[upload("b.txt", b"b")],
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    client = api(read_key)

    def titles(**query: Any) -> list[str]:
        body = client.get("/api/v1/evidence/", query).json()
        return [item["title"] for item in body["results"]]

    assert sorted(titles()) == ["Périmée", "Valide"]
    assert titles(state="expired") == ["Périmée"]
    assert titles(ref_id="A.5.1") == ["Valide"]
    assert titles(q="vali") == ["Valide"]
    assert (
        client.get("/api/v1/evidence/", {"state": "expired"}).json()["results"][0]["state"]
        == "expired"
    )


def test_another_organisations_evidence_is_a_404(
    other_key: str, org_a: Organisation, owner: User, upload: Upload
) -> None:
    evidence = evidence_create(actor=owner, organisation=org_a, title="X", files=[upload()])
    client = api(other_key)

    assert client.get("/api/v1/evidence/").json()["results"] == []
    assert client.get(f"/api/v1/evidence/{evidence.pk}/").status_code == 404
    assert client.get(f"/api/v1/evidence/{evidence.pk}/revisions/1/download/").status_code == 404
    assert (
        client.post(
            f"/api/v1/evidence/{evidence.pk}/revisions/", {"files": [upload("x.txt", b"x")]}
        ).status_code
        == 404
    )
    assert evidence.revisions.count() == 1


def test_a_read_key_cannot_write(read_key: str, upload: Upload) -> None:
    response = api(read_key).post("/api/v1/evidence/", {"title": "X", "files": [upload()]})

    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_no_key_is_a_401() -> None:
    assert Client().get("/api/v1/evidence/").status_code == 401


def test_the_list_runs_a_fixed_number_of_queries(
    read_key: str,
    org_a: Organisation,
    owner: User,
    upload: Upload,
    a51: Requirement,
    a815: Requirement,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(read_key)
    evidence_create(
        actor=owner, organisation=org_a, title="Un", files=[upload()], requirements=[a51]
    )
    client.get("/api/v1/evidence/")
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/evidence/")
    for n in range(10):
        evidence_create(
            actor=owner,
            organisation=org_a,
            title=f"Preuve {n}",
            files=[upload(f"{n}.txt", b"%d" % n), upload(f"{n}b.txt", b"b%d" % n)],
            requirements=[a51, a815],
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/evidence/").json()["results"]) == 11

    # 1. the API key, 2. the count for the page, 3. the items with revision counts and
    # integrity flags, 4. their requirements with frameworks, 5. their revisions.
    assert (len(one), len(many)) == (5, 5)


def test_download_answers_whatever_the_client_accepts(
    read_key: str, org_a: Organisation, owner: User, upload: Upload
) -> None:
    evidence = evidence_create(
        actor=owner, organisation=org_a, title="X", files=[upload("r.pdf", PDF)]
    )
    url = f"/api/v1/evidence/{evidence.pk}/revisions/1/download/"

    response = api(read_key).get(url, HTTP_ACCEPT="application/pdf")
    missing = api(read_key).get(
        url.replace("/1/download", "/9/download"), HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200 and response.getvalue() == PDF
    assert missing.status_code == 404
