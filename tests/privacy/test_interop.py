"""Import (all or nothing, per-row errors) and export (CSV, XLSX, French and English)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from compliance.models import AuditEvent, Organisation
from privacy import interop, services
from privacy.interop import ImportRejected, register_import, register_to_csv, register_to_xlsx
from privacy.models import ProcessingActivity
from privacy.selectors import register_queryset
from tests.helpers import page_text
from tests.privacy.conftest import ACTOR, rule_codes

Make = Callable[..., ProcessingActivity]

GOOD_AND_BAD_CSV = (
    "Référence;Nom;Notre rôle;Finalités;Utilisations;Catégories particulières;Destinataires\n"
    "T-100;Dossier patient;Responsable de traitement;Soins;Prise en charge individuelle des "
    "patients;Santé;Équipe de soins: Service de chirurgie\n"
    ";Sans référence;Responsable de traitement;;;;\n"
    "T-102;Observatoire;Chef;Stats;Statistiques;Santé;\n"
    "T-103;Paie;Responsable de traitement;Paie;Ressources humaines;;Acheteur de données\n"
    "T-100;Doublon;Responsable de traitement;;;;\n"
)


def _import(org: Organisation, data: bytes, name: str = "register.csv") -> object:
    return register_import(actor=ACTOR, organisation=org, data=data, filename=name)


def test_bad_rows_import_nothing_and_each_is_reported(org_a: Organisation) -> None:
    with pytest.raises(ImportRejected) as rejected:
        _import(org_a, GOOD_AND_BAD_CSV.encode())
    errors = {(e.row, e.column) for e in rejected.value.errors}
    assert (3, "Référence") in errors  # missing reference
    assert (4, "Notre rôle") in errors  # unknown role "Chef"
    assert (5, "Destinataires") in errors  # recipient without "type: name"
    assert (6, "Référence") in errors  # duplicate of line 2
    assert (2, "Référence") not in errors  # the good line has no error...
    assert not ProcessingActivity.objects.exists()  # ...and still nothing was imported
    assert not AuditEvent.objects.filter(action="privacy.register_import").exists()


def test_a_good_file_creates_the_lines_with_their_findings(org_a: Organisation) -> None:
    csv_text = GOOD_AND_BAD_CSV.split("\n")[0] + "\n" + GOOD_AND_BAD_CSV.split("\n")[1] + "\n"
    result = _import(org_a, csv_text.encode("utf-8-sig"))
    processing = ProcessingActivity.objects.get(reference="T-100")
    assert (result.created, result.updated) == (1, 0)  # type: ignore[attr-defined]
    assert processing.uses == ["care"] and processing.special_categories == ["health"]
    assert [(r.kind, r.name) for r in processing.recipients.all()] == [
        ("care_team", "Service de chirurgie")
    ]
    assert "ART9-NO-CONDITION" in rule_codes(processing)


def test_english_headers_and_codes_are_accepted(org_a: Organisation) -> None:
    data = (
        b"Reference,Name,Uses,Large scale,DPIA carried out on\n"
        b"T-1,EHR,care | research,yes,31/01/2026\n"
    )
    _import(org_a, data)
    processing = ProcessingActivity.objects.get(reference="T-1")
    assert processing.uses == ["care", "research"] and processing.large_scale
    assert (
        processing.dpia_done_on is not None and processing.dpia_done_on.isoformat() == "2026-01-31"
    )


def test_missing_columns_and_garbage_are_refused(org_a: Organisation) -> None:
    with pytest.raises(ImportRejected) as rejected:
        _import(org_a, b"Foo;Bar\n1;2\n")
    assert len(rejected.value.errors) == 2
    with pytest.raises(ImportRejected):
        _import(org_a, b"PK\x03\x04 not really a zip", "evil.xlsx")
    with pytest.raises(ImportRejected):
        _import(org_a, b"x" * (2 * 1024 * 1024 + 1))


def test_xlsx_round_trip_into_another_organisation(
    make_processing: Make, org_a: Organisation, org_b: Organisation
) -> None:
    processing = make_processing(
        uses=["care", "research"],
        large_scale=True,
        third_country_transfers="=HYPERLINK(1)",
        transfer_safeguard="safeguards",
    )
    services.recipient_add(
        actor=ACTOR, processing=processing, kind="research_body", name="URC, Paris"
    )
    lines = list(register_queryset(ProcessingActivity.objects.filter(organisation=org_a)))
    for language in ("fr", "en"):
        workbook = register_to_xlsx(lines, language, "Registre")
        sheet = load_workbook(io.BytesIO(workbook)).worksheets[0]
        assert sheet["A1"].value == ("Référence" if language == "fr" else "Reference")
        assert sheet["S2"].data_type == "s"  # a formula-looking text stays text
        _import(org_b, workbook, "register.xlsx")
        copy = ProcessingActivity.objects.get(organisation=org_b, reference=processing.reference)
        for field in services.PROCESSING_FIELDS:
            assert getattr(copy, field) == getattr(processing, field), field
        assert [(r.kind, r.name) for r in copy.recipients.all()] == [
            ("research_body", "URC, Paris")
        ]


def test_csv_export_in_french_and_english(make_processing: Make, org_a: Organisation) -> None:
    make_processing(name="=cmd|' /C calc'!A0")
    lines = list(register_queryset(ProcessingActivity.objects.filter(organisation=org_a)))
    french = register_to_csv(lines, "fr").decode("utf-8-sig")
    english = register_to_csv(lines, "en").decode("utf-8-sig")
    assert (
        french.startswith("Référence;Nom;")
        and "Santé" in french
        and "Responsable de traitement" in french
    )
    assert english.startswith("Reference,Name,") and "Health" in english
    assert "'=cmd" in french  # neutralised for spreadsheets


def test_a_file_past_the_line_limit_is_refused_not_cut(
    org_a: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interop, "MAX_ROWS", 3)
    lines = "".join(f"T-{i};Ligne {i}\n\n" for i in range(4))  # blank lines do not count
    with pytest.raises(ImportRejected) as rejected:
        _import(org_a, f"Référence;Nom\n{lines}".encode())
    assert [e.message for e in rejected.value.errors] == ["2 000 lignes au plus par import."]
    assert not ProcessingActivity.objects.exists()
    _import(org_a, "Référence;Nom\n{}".format("".join(f"T-{i};L\n" for i in range(3))).encode())
    assert ProcessingActivity.objects.count() == 3


class TestImportPage:
    def test_errors_are_listed_and_nothing_is_imported(
        self, owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
    ) -> None:
        upload = SimpleUploadedFile("register.csv", GOOD_AND_BAD_CSV.encode(), "text/csv")
        with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
            response = owner_client.post(
                reverse("register_import", args=[org_a.slug]), {"file": upload}
            )
        text = page_text(owner_client.get(response["Location"]))
        assert "Rien n'a été importé" in text
        assert "Valeur inconnue « Chef »" in text
        assert not ProcessingActivity.objects.exists()

    def test_a_good_file_shows_what_it_did(
        self, owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
    ) -> None:
        upload = SimpleUploadedFile("r.csv", b"Reference;Name\nT-9;Accueil\n", "text/csv")
        with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
            response = owner_client.post(
                reverse("register_import", args=[org_a.slug]), {"file": upload}
            )
        assert "1 traitement(s) ajouté(s)" in page_text(owner_client.get(response["Location"]))
        assert ProcessingActivity.objects.filter(organisation=org_a, reference="T-9").exists()

    def test_a_file_over_2_mb_is_refused_at_once(
        self, owner_client: Client, org_a: Organisation
    ) -> None:
        upload = SimpleUploadedFile("r.csv", b"x" * (2 * 1024 * 1024 + 1), "text/csv")
        response = owner_client.post(
            reverse("register_import", args=[org_a.slug]), {"file": upload}
        )
        assert response.status_code == 400
        assert "Le fichier dépasse 2 Mo." in page_text(response)

    def test_export_downloads(
        self, owner_client: Client, org_a: Organisation, make_processing: Make
    ) -> None:
        make_processing()
        url = reverse("register_export", args=[org_a.slug])
        xlsx = owner_client.get(url, {"format": "xlsx", "lang": "en"})
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "-en.xlsx" in xlsx["Content-Disposition"]
        csv_response = owner_client.get(url, {"format": "csv"})
        assert csv_response.content.decode("utf-8-sig").startswith("Référence;")
