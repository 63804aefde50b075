"""Demo data of this app for ``seed_demo`` (idempotent).

The clinic assesses a generated extract shaped like the one in CNIL SAN-2024-013: a
patient code that recurs across consultations, year of birth, sex, socio-professional
category, postcode, diagnosis, prescription and a free-text note. The verdict is
``pseudonymised``, with its reasons, and the assessment is linked to the register line
"T-010" (the observatory that claimed its data were anonymised) when the privacy demo
created it.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from anonymity.models import AnonymityAssessment
from anonymity.services import assessment_create
from anonymity.uploads import store_path
from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor

FILE_NAME = "extraction-observatoire-2026-10.csv"
ROLES = {
    "code_patient": "persistent_pseudonym",
    "annee_naissance": "quasi_identifier",
    "sexe": "quasi_identifier",
    "csp": "quasi_identifier",
    "code_postal": "quasi_identifier",
    "date_consultation": "quasi_identifier",
    "diagnostic_cim10": "sensitive",
    "prescription_atc": "sensitive",
    "note": "free_text",
}
NOTES = [
    "RAS, renouvellement.",
    "Contrôle tensionnel, traitement inchangé.",
    "Douleurs lombaires, kinésithérapie prescrite.",
    "Patient séropositif VIH, observance correcte.",
    "Patiente musulmane, adapter les horaires pendant le ramadan.",
    "Vu avec Mme Perrin, sa fille, pour l'organisation du retour à domicile.",
]


def _extract(path: Path) -> None:
    rng = random.Random(2024)  # noqa: S311 (demo data, not a secret)
    lines = [";".join(ROLES)]
    for row in range(400):
        patient = rng.randrange(120)
        birth = 1930 + (patient * 7) % 75
        lines.append(
            ";".join(
                [
                    f"MED12-{patient:05d}",
                    str(birth),
                    "FM"[patient % 2],
                    ["cadre", "employé", "ouvrier", "retraité", "artisan"][patient % 5],
                    f"{69001 + patient % 9:05d}",
                    f"2026-{1 + row % 9:02d}-{1 + row % 28:02d}",
                    ["I10", "E11", "J45", "M54", "F32", "B20"][rng.randrange(6)],
                    ["C09AA05", "A10BA02", "R03AC02", "N02BE01"][rng.randrange(4)],
                    NOTES[rng.randrange(len(NOTES))] if row % 5 == 0 else "RAS.",
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
    clinic = organisations.get("clinique-des-lilas")
    if clinic is None:
        return
    if AnonymityAssessment.objects.filter(organisation=clinic, file_name=FILE_NAME).exists():
        return
    from privacy.models import ProcessingActivity

    processing = ProcessingActivity.objects.filter(organisation=clinic, reference="T-010").first()
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / FILE_NAME
        _extract(source)
        upload = store_path(source)
    try:
        assessment_create(
            actor=actor,
            organisation=clinic,
            upload=upload,
            roles=ROLES,
            k_threshold=5,
            processing=processing,
        )
    finally:
        upload.discard()
