"""The evidence pages: list with filters, detail, download headers, tenancy, permissions
and fixed query counts."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.models import AuditEvent, Organisation, User
from controls.models import Requirement
from evidence.models import Evidence
from evidence.services import evidence_create
from tests.evidence.conftest import PDF
from tests.helpers import page_text

pytestmark = pytest.mark.usefixtures("catalogues", "db")

Upload = Callable[..., Any]
TODAY = timezone.localdate()


def list_url(org: Organisation) -> str:
    return reverse("evidence_list", args=[org.slug])


def make(owner: User, org: Organisation, upload: Upload, title: str, **kwargs: Any) -> Evidence:
    content = kwargs.pop("content", title.encode() + b"\n")
    return evidence_create(
        actor=owner, organisation=org, title=title, files=[upload("f.txt", content)], **kwargs
    )


def test_the_list_shows_items_with_their_state(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload, a51: Requirement
) -> None:
    make(owner, org_a, upload, "Politique d'accès", requirements=[a51])
    make(owner, org_a, upload, "Ancien certificat", expires_on=TODAY - datetime.timedelta(days=1))

    text = page_text(owner_client.get(list_url(org_a)))

    assert "Politique d'accès" in text and "A.5.1" in text
    assert "Ancien certificat" in text
    assert "périmée le" in text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "politique"}, "Politique d'accès", "Ancien certificat"),
        ({"state": "expired"}, "Ancien certificat", "Politique d'accès"),
        ({"state": "valid"}, "Politique d'accès", "Ancien certificat"),
        ({"ref_id": "A.5.1"}, "Politique d'accès", "Ancien certificat"),
    ],
)
def test_the_list_filters(
    owner: User,
    owner_client: Client,
    org_a: Organisation,
    upload: Upload,
    a51: Requirement,
    query: dict[str, str],
    shown: str,
    hidden: str,
) -> None:
    make(owner, org_a, upload, "Politique d'accès", requirements=[a51])
    make(owner, org_a, upload, "Ancien certificat", expires_on=TODAY - datetime.timedelta(days=1))

    text = page_text(owner_client.get(list_url(org_a), query))

    assert shown in text and hidden not in text


def test_the_list_filters_by_requirement_id(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload, a51: Requirement
) -> None:
    make(owner, org_a, upload, "Liée", requirements=[a51])
    make(owner, org_a, upload, "Seule")

    text = page_text(owner_client.get(list_url(org_a), {"requirement": a51.pk}))

    assert "Liée" in text and "Seule" not in text


def test_the_detail_shows_each_revision(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload
) -> None:
    evidence = make(owner, org_a, upload, "Export", content=b"a;b\n1;2\n")
    digest = hashlib.sha256(b"a;b\n1;2\n").hexdigest()

    response = owner_client.get(reverse("evidence_detail", args=[org_a.slug, evidence.pk]))

    text = page_text(response)
    assert digest in text and "text/plain" in text and "intact" in text
    assert "Téléverser une nouvelle révision" in text


def test_a_viewer_sees_but_cannot_change(
    owner: User, member_client: Client, org_a: Organisation, upload: Upload, a51: Requirement
) -> None:
    evidence = make(owner, org_a, upload, "Export")
    detail = reverse("evidence_detail", args=[org_a.slug, evidence.pk])

    assert member_client.get(detail).status_code == 200
    assert "Téléverser" not in page_text(member_client.get(detail))
    link = reverse("evidence_requirements_link", args=[org_a.slug, evidence.pk])
    assert member_client.post(link, {"requirements": [a51.pk]}).status_code == 403
    assert not evidence.requirements.exists()


def test_requirements_are_linked_and_unlinked_from_the_detail_page(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload, a51: Requirement
) -> None:
    evidence = make(owner, org_a, upload, "Export")

    owner_client.post(
        reverse("evidence_requirements_link", args=[org_a.slug, evidence.pk]),
        {"requirements": [a51.pk]},
    )
    assert list(evidence.requirements.all()) == [a51]
    owner_client.post(
        reverse("evidence_requirement_unlink", args=[org_a.slug, evidence.pk, a51.pk])
    )
    assert not evidence.requirements.exists()


def test_the_download_is_an_attachment_with_its_hash(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload
) -> None:
    evidence = evidence_create(
        actor=owner, organisation=org_a, title="PDF", files=[upload("rapport d'audit.pdf", PDF)]
    )
    digest = hashlib.sha256(PDF).digest()

    response = owner_client.get(
        reverse("evidence_revision_download", args=[org_a.slug, evidence.pk, 1])
    )

    assert response.status_code == 200
    assert response.getvalue() == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "rapport" in response["Content-Disposition"]
    assert response["ETag"] == f'"{digest.hex()}"'
    assert response["Digest"] == f"sha-256={base64.b64encode(digest).decode()}"
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_download_with_the_same_etag_is_not_sent_again(
    owner: User, owner_client: Client, org_a: Organisation, upload: Upload
) -> None:
    evidence = make(owner, org_a, upload, "Export")
    url = reverse("evidence_revision_download", args=[org_a.slug, evidence.pk, 1])
    etag = owner_client.get(url)["ETag"]

    assert owner_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_outsider_gets_404_on_every_evidence_url(
    owner: User,
    outsider_client: Client,
    org_a: Organisation,
    org_b: Organisation,
    upload: Upload,
    a51: Requirement,
) -> None:
    evidence = make(owner, org_a, upload, "Secret")
    slug, pk = org_a.slug, evidence.pk

    for url in (
        reverse("evidence_list", args=[slug]),
        reverse("evidence_detail", args=[slug, pk]),
        reverse("evidence_revision_download", args=[slug, pk, 1]),
    ):
        assert outsider_client.get(url).status_code == 404, url
    # Through the outsider's own organisation: the item is simply not there.
    assert outsider_client.get(reverse("evidence_detail", args=[org_b.slug, pk])).status_code == 404
    assert (
        outsider_client.get(
            reverse("evidence_revision_download", args=[org_b.slug, pk, 1])
        ).status_code
        == 404
    )
    assert (
        outsider_client.post(
            reverse("evidence_requirements_link", args=[org_b.slug, pk]), {"requirements": [a51.pk]}
        ).status_code
        == 404
    )
    assert (
        outsider_client.post(
            reverse("evidence_revision_upload", args=[org_b.slug, pk]),
            {"files": [upload("x.txt", b"x")]},
        ).status_code
        == 404
    )
    assert evidence.revisions.count() == 1 and not evidence.requirements.exists()


def test_the_nav_has_an_evidence_tab(owner_client: Client, org_a: Organisation) -> None:
    text = page_text(owner_client.get(reverse("organisation_home", args=[org_a.slug])))
    assert f'href="{list_url(org_a)}"' in text and "Preuves" in text


# --- Query counts ---------------------------------------------------------------------


def queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_a_fixed_number_of_queries(
    owner: User,
    owner_client: Client,
    org_a: Organisation,
    upload: Upload,
    a51: Requirement,
    a815: Requirement,
) -> None:
    make(owner, org_a, upload, "Un", requirements=[a51])
    one = queries(owner_client, list_url(org_a))
    for n in range(12):
        make(owner, org_a, upload, f"Preuve {n}", requirements=[a51, a815])

    many = queries(owner_client, list_url(org_a))

    # 1. session, 2. user, 3-5. two-factor middleware, 6. membership, 7. count for the
    # pager, 8. the integrity summary, 9. items with revision counts and integrity,
    # 10. their requirements with frameworks, 11. the organisation switcher.
    assert (one, many) == (11, 11)


def test_the_detail_runs_a_fixed_number_of_queries(
    owner: User,
    owner_client: Client,
    org_a: Organisation,
    upload: Upload,
    a51: Requirement,
    a815: Requirement,
) -> None:
    from evidence.services import revision_add

    evidence = make(owner, org_a, upload, "Un", requirements=[a51])
    url = reverse("evidence_detail", args=[org_a.slug, evidence.pk])
    one = queries(owner_client, url)
    for n in range(8):
        revision_add(actor=owner, evidence=evidence, files=[upload(f"v{n}.txt", b"%d" % n)])
    evidence.requirements.add(a815)

    assert queries(owner_client, url) == one


def test_a_link_item_gets_a_new_address_and_dates(
    owner: User, owner_client: Client, org_a: Organisation
) -> None:
    evidence = evidence_create(
        actor=owner, organisation=org_a, title="Portail", url="https://old.example/cert"
    )
    url = reverse("evidence_link_update", args=[org_a.slug, evidence.pk])

    refused = owner_client.post(url, {"url": "javascript:alert(1)"})
    response = owner_client.post(
        url, {"url": "https://new.example/cert", "expires_on": "2031-01-01"}
    )

    assert refused.status_code == 400
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.url, str(evidence.expires_on)) == ("https://new.example/cert", "2031-01-01")
    assert AuditEvent.objects.filter(action="evidence.link_update").count() == 1
