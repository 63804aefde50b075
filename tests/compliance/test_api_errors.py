"""Every API error is a JSON object, even when Django answers before DRF does."""

from __future__ import annotations

from django.test import Client

from compliance.models import Organisation
from tests.factories import issue_api_key


def bearer(org: Organisation) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_api_key(org, ['read', 'write']).raw_key}"}


def test_an_unknown_api_path_is_a_json_404(client: Client, org_a: Organisation) -> None:
    response = client.get("/api/v1/evidence/0.5/", headers=bearer(org_a))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Introuvable."


def test_too_many_form_fields_is_a_json_400(client: Client, org_a: Organisation) -> None:
    body = "&".join(["notes="] * 1200)  # past DATA_UPLOAD_MAX_NUMBER_FIELDS

    response = client.post(
        "/api/v1/anonymity-scans/",
        body,
        content_type="application/x-www-form-urlencoded",
        headers=bearer(org_a),
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_a_site_page_still_gets_the_html_404(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_huge_id_filter_is_a_400_naming_the_field(client: Client, org_a: Organisation) -> None:
    response = client.get("/api/v1/compliance-findings/?processing=-1.5e239", headers=bearer(org_a))

    assert response.status_code == 400
    assert "processing" in response.json()


def test_a_list_of_errors_comes_back_as_an_object(client: Client, org_a: Organisation) -> None:
    key = issue_api_key(org_a, ["read", "write"]).raw_key

    response = client.post(
        "/api/v1/evidence/",
        "[null, null]",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 400
    assert isinstance(response.json(), dict)
