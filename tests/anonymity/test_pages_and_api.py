"""Pages and API: upload, roles, results, list, scan; tenancy (404), permissions (403),
audit rows, never a partial assessment, the privacy rule consuming the verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anonymity.models import AnonymityAssessment
from anonymity.services import assessment_create
from anonymity.uploads import store_upload, upload_dir
from compliance.choices import ApiKeyScope
from compliance.models import AuditEvent, Organisation, User
from tests.factories import issue_api_key
from tests.helpers import page_text

PSEUDO_CSV = (
    "patient_id;annee_naissance;sexe;code_postal;diagnostic\n"
    + "".join(
        f"P{i % 7};{1950 + i % 9};{'FM'[i % 2]};750{i % 13:02d};D{i % 5}\n" for i in range(60)
    )
).encode()
ANON_CSV = ("tranche;diagnostic\n" + "".join(f"T{i % 2};D{i % 3}\n" for i in range(60))).encode()


def upload(name: str = "extract.csv", data: bytes = PSEUDO_CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def make_assessment(
    organisation: Organisation, actor: User, data: bytes = PSEUDO_CSV, **kwargs: Any
) -> AnonymityAssessment:
    stored = store_upload(upload(data=data))
    roles = (
        {"annee_naissance": "quasi_identifier", "sexe": "quasi_identifier",
         "code_postal": "quasi_identifier", "diagnostic": "sensitive",
         "patient_id": "persistent_pseudonym"}
        if data is PSEUDO_CSV
        else {"tranche": "quasi_identifier", "diagnostic": "sensitive"}
    )  # fmt: skip
    try:
        return assessment_create(
            actor=actor, organisation=organisation, upload=stored, roles=roles, **kwargs
        )
    finally:
        stored.discard()


def test_upload_confirm_roles_and_see_results(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    response = owner_client.post(reverse("anonymity_new", args=[org_a.slug]), {"file": upload()})
    assert response.status_code == 302
    roles_page = owner_client.get(response["Location"])
    text = page_text(roles_page)
    assert "Confirmer les rôles des colonnes" in text
    assert 'value="persistent_pseudonym" selected' in text  # patient_id suggested
    assert 'value="quasi_identifier" selected' in text
    form = {f"role_{i}": r for i, r in enumerate(
        ["persistent_pseudonym", "quasi_identifier", "quasi_identifier", "quasi_identifier",
         "sensitive"])}  # fmt: skip
    form["k_threshold"] = "5"
    with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
        result = owner_client.post(response["Location"], form)
    assert result.status_code == 302
    assessment = AnonymityAssessment.objects.get()
    assert assessment.verdict == "pseudonymised"
    page = page_text(owner_client.get(result["Location"]))
    assert "Pseudonymisé" in page
    assert "Après les généralisations proposées" in page
    assert "Le pseudonyme patient_id est persistant" in page
    assert assessment.file_sha256 in page
    assert AuditEvent.objects.filter(action="anonymity.assessed").count() == 1
    assert not list(upload_dir().glob("*.upload"))  # the extract is not kept


def test_bad_file_is_refused_next_to_the_field(owner_client: Client, org_a: Organisation) -> None:
    response = owner_client.post(
        reverse("anonymity_new", args=[org_a.slug]),
        {"file": upload("x.csv", b"\x00\x01binary")},
    )
    assert response.status_code == 200
    assert "This is not a CSV" in page_text(response)
    assert not AnonymityAssessment.objects.exists()


@override_settings(ANONYMITY_MAX_UPLOAD_BYTES=100)
def test_upload_is_bounded(owner_client: Client, org_a: Organisation) -> None:
    response = owner_client.post(reverse("anonymity_new", args=[org_a.slug]), {"file": upload()})
    assert response.status_code == 200
    assert "Le fichier dépasse la limite" in page_text(response)


def test_list_detail_with_fixed_queries(
    owner_client: Client, owner: User, org_a: Organisation, django_assert_num_queries: Any
) -> None:
    make_assessment(org_a, owner)
    url = reverse("anonymity_list", args=[org_a.slug])
    owner_client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        response = owner_client.get(url)
    assert "extract.csv" in page_text(response)
    for _ in range(4):
        make_assessment(org_a, owner)
    # The assessments (with processing and user) are one query whatever their number.
    with django_assert_num_queries(len(one_row.captured_queries)):
        owner_client.get(url)


def test_viewer_reads_but_cannot_run(
    member_client: Client, owner: User, org_a: Organisation
) -> None:
    assessment = make_assessment(org_a, owner)
    assert member_client.get(reverse("anonymity_list", args=[org_a.slug])).status_code == 200
    detail = reverse("anonymity_detail", args=[org_a.slug, assessment.pk])
    assert member_client.get(detail).status_code == 200
    assert member_client.get(reverse("anonymity_new", args=[org_a.slug])).status_code == 403
    assert member_client.get(reverse("anonymity_scan", args=[org_a.slug])).status_code == 403


def test_other_organisation_is_404(
    outsider_client: Client, owner: User, org_a: Organisation, org_b: Organisation
) -> None:
    assessment = make_assessment(org_a, owner)
    assert outsider_client.get(reverse("anonymity_list", args=[org_a.slug])).status_code == 404
    detail_b = reverse("anonymity_detail", args=[org_b.slug, assessment.pk])
    assert outsider_client.get(detail_b).status_code == 404


def test_pending_upload_of_another_session_is_404(
    owner_client: Client, outsider_client: Client, org_a: Organisation, org_b: Organisation
) -> None:
    response = owner_client.post(reverse("anonymity_new", args=[org_a.slug]), {"file": upload()})
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    url = reverse("anonymity_roles", args=[org_b.slug, token])
    assert outsider_client.get(url).status_code == 404


def test_scan_page_redacts(owner_client: Client, org_a: Organisation) -> None:
    response = owner_client.post(
        reverse("anonymity_scan", args=[org_a.slug]),
        {"text": "Mme Durand, séropositive VIH.\n\nRAS."},
    )
    text = page_text(response)
    assert "Mme [PERSON_NAME], [HIV] [HIV]." in text
    assert "statut VIH" in text
    assert "Durand" not in text.split("Notes")[-1]
    event = AuditEvent.objects.get(action="anonymity.free_text_scanned")
    assert "Durand" not in json.dumps(event.changes)


# --- API ---------------------------------------------------------------------------

API = "/api/v1/anonymity-assessments/"


def bearer(organisation: Organisation, *scopes: str) -> dict[str, str]:
    raw = issue_api_key(organisation, scopes or (ApiKeyScope.READ, ApiKeyScope.WRITE)).raw_key
    return {"Authorization": f"Bearer {raw}"}


def test_api_create_answers_202_then_the_status_url_gives_the_cli_keys(
    client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    headers = bearer(org_a)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs after the answer
        response = client.post(
            API,
            {
                "file": upload(),
                "quasi_identifiers": "annee_naissance,sexe,code_postal",
                "sensitive": "diagnostic",
                "pseudonym_columns": "patient_id",
                "k_threshold": "5",
            },
            headers=headers,
        )
    assert response.status_code == 202, response.content
    accepted = response.json()
    assert accepted["status"] == "queued" and accepted["result"] is None
    assert accepted["verdict"] is None and accepted["rows"] is None
    assert response["Location"] == f"http://testserver{API}{accepted['id']}/"
    polled = client.get(response["Location"], headers=headers)
    assert polled.status_code == 200
    body = polled.json()
    assert body["status"] == "done" and body["progress"] == 100 and body["error"] == ""
    for key in ("rows", "equivalence_classes", "k_anonymity", "l_diversity", "unique_records",
                "records_below_k", "prosecutor_risk_max", "prosecutor_risk_avg",
                "linkable_columns", "verdict", "criteria"):  # fmt: skip
        assert key in body and key in body["result"]
    assert body["verdict"] == "pseudonymised" and body["linkable_columns"] == ["patient_id"]
    assert AuditEvent.objects.filter(action="anonymity.assessed").count() == 1


def test_api_bad_input_stores_nothing(client: Client, org_a: Organisation) -> None:
    response = client.post(
        API, {"file": upload(), "quasi_identifiers": "nope"}, headers=bearer(org_a)
    )
    assert response.status_code == 400
    assert "nope" in response.content.decode()
    assert not AnonymityAssessment.objects.exists()
    read_only = client.post(
        API, {"file": upload(), "quasi_identifiers": "sexe"}, headers=bearer(org_a, "read")
    )
    assert read_only.status_code == 403


def test_api_list_and_retrieve_are_scoped(
    client: Client, owner: User, org_a: Organisation, org_b: Organisation
) -> None:
    assessment = make_assessment(org_a, owner)
    mine = client.get(API, headers=bearer(org_a, "read")).json()
    assert [row["id"] for row in mine["results"]] == [assessment.pk]
    other = bearer(org_b, "read")
    assert client.get(API, headers=other).json()["results"] == []
    assert client.get(f"{API}{assessment.pk}/", headers=other).status_code == 404
    detail = client.get(f"{API}{assessment.pk}/", headers=bearer(org_a, "read")).json()
    assert detail["k_anonymity"] == assessment.k_anonymity


def test_api_scan(client: Client, org_a: Organisation) -> None:
    response = client.post(
        "/api/v1/anonymity-scans/",
        json.dumps({"notes": ["NIR 185077511204372", "Témoin de Jéhovah"]}),
        content_type="application/json",
        headers=bearer(org_a),
    )
    assert response.status_code == 200
    records = response.json()["records"]
    assert records[0]["identifiers"] == ["nir"] and records[1]["categories"] == ["religion"]


# --- Privacy register: the "claimed anonymous" rule consumes the verdict ------------


def test_claimed_anonymous_processing_passes_with_an_anonymous_assessment(
    owner: User,
    org_a: Organisation,
    make_processing: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    processing = make_processing(claims_anonymised=True)
    codes = lambda: set(processing.findings.values_list("rule_code", flat=True))  # noqa: E731
    assert "ANON-CLAIM" in codes()
    with django_capture_on_commit_callbacks(execute=True):
        make_assessment(org_a, owner, data=PSEUDO_CSV, processing=processing)
    assert "ANON-CLAIM" in codes()  # pseudonymised: still flagged
    with django_capture_on_commit_callbacks(execute=True):
        make_assessment(org_a, owner, data=ANON_CSV, processing=processing)
    assert "ANON-CLAIM" not in codes()
    with django_capture_on_commit_callbacks(execute=True):
        make_assessment(org_a, owner, data=PSEUDO_CSV, processing=processing)
    assert "ANON-CLAIM" in codes()  # a later pseudonymised result withdraws the pass


def test_processing_of_another_organisation_is_refused(
    owner: User, org_a: Organisation, org_b: Organisation, make_processing: Callable[..., Any]
) -> None:
    foreign = make_processing(organisation=org_b)
    with pytest.raises(Exception, match="Traitement inconnu"):
        make_assessment(org_a, owner, processing=foreign)
    assert not AnonymityAssessment.objects.exists()


@override_settings(ANONYMITY_MAX_UPLOAD_BYTES=100)
def test_api_upload_is_bounded(client: Client, org_a: Organisation) -> None:
    response = client.post(
        API, {"file": upload(), "quasi_identifiers": "sexe"}, headers=bearer(org_a)
    )
    assert response.status_code == 400
    assert not AnonymityAssessment.objects.exists()


def test_scan_page_with_an_uploaded_column(owner_client: Client, org_a: Organisation) -> None:
    data = "id;note\n1;Patiente témoin de Jéhovah\n2;RAS\n".encode("latin-1")
    response = owner_client.post(
        reverse("anonymity_scan", args=[org_a.slug]),
        {"file": upload("notes.csv", data), "column": "note"},
    )
    text = page_text(response)
    assert "Patiente [RELIGION]" in text
    missing = owner_client.post(
        reverse("anonymity_scan", args=[org_a.slug]),
        {"file": upload("notes.csv", data), "column": "nope"},
    )
    assert "nope" in page_text(missing)
