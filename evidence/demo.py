"""Demo data of this app for ``seed_demo`` (idempotent): for the Clinique des Lilas, eight
small real files made here (policies in text, CSV exports, a PNG screenshot, PDFs built
by hand) linked to Annex A controls, one of them expired, and one link item."""

from __future__ import annotations

import datetime
import struct
import zlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor
from controls.models import Requirement
from controls.selectors import soa_framework
from evidence.models import Evidence
from evidence.services import evidence_create


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with Helvetica text, offsets and cross-reference table exact."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + escape(title) + ") Tj ET"]
    y = 750
    for line in lines:
        body.append(f"BT /F1 11 Tf 56 {y} Td (" + escape(line) + ") Tj ET")
        y -= 16
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def png_chart(values: list[int], width: int = 96, height: int = 48) -> bytes:
    """A small RGB PNG: a bar chart of ``values`` (0-100), like a monitoring screenshot."""
    bar = max(1, width // max(1, len(values)))
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type: none
        for x in range(width):
            index = min(x // bar, len(values) - 1)
            filled = height - y <= values[index] * height // 100
            row += bytes((31, 78, 140) if filled else (238, 242, 247))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class DemoItem:
    title: str
    description: str
    controls: tuple[str, ...]
    file_name: str = ""
    content: bytes = b""
    url: str = ""
    collected_days_ago: int = 30
    valid_days: int | None = 365


def demo_items() -> list[DemoItem]:
    return [
        DemoItem(
            "Politique de sécurité du système d'information",
            "PSSI approuvée par la direction, version 3.",
            ("A.5.1", "A.5.2"),
            "pssi-v3.txt",
            (
                b"Clinique des Lilas - Politique de securite du systeme d'information\n"
                b"Version 3, approuvee par la direction le 2 septembre.\n\n"
                b"1. Objet : proteger les donnees de sante des patients.\n"
                b"2. Roles : le RSSI pilote, chaque chef de service applique.\n"
                b"3. Revue : annuelle, ou apres tout incident significatif.\n"
            ),
            collected_days_ago=80,
        ),
        DemoItem(
            "Politique de contrôle d'accès",
            "Règles d'attribution et de retrait des droits, revue semestrielle.",
            ("A.5.15", "A.5.18"),
            "politique-controle-acces.txt",
            (
                b"Controle d'acces - regles\n"
                b"- Un compte nominatif par personne ; pas de compte partage.\n"
                b"- Droits attribues par le responsable de service, retires au depart.\n"
                b"- Revue des droits tous les six mois (export joint).\n"
            ),
        ),
        DemoItem(
            "Export des comptes à privilèges (revue du semestre)",
            "Extraction de l'annuaire, revue signée par le RSSI.",
            ("A.8.2", "A.5.18"),
            "comptes-privilegies.csv",
            (
                b"compte;service;role;derniere_connexion;revu_par\n"
                b"adm.dupont;DSI;administrateur domaine;2026-11-02;J. Petit\n"
                b"adm.martin;DSI;administrateur DPI;2026-11-20;J. Petit\n"
                b"svc.sauvegarde;DSI;compte de service;2026-11-27;J. Petit\n"
            ),
            collected_days_ago=12,
            valid_days=183,
        ),
        DemoItem(
            "Journal des sauvegardes et test de restauration",
            "Sauvegardes nocturnes du DPI, restauration testée le mois dernier.",
            ("A.8.13",),
            "journal-sauvegardes.csv",
            (
                b"date;perimetre;resultat;volume_go;restauration_testee\n"
                b"2026-11-24;DPI;succes;182;non\n"
                b"2026-11-25;DPI;succes;183;non\n"
                b"2026-11-26;DPI;succes;183;oui\n"
            ),
            collected_days_ago=3,
            valid_days=90,
        ),
        DemoItem(
            "Capture de la console de supervision",
            "Taux de disponibilité des serveurs sur sept jours.",
            ("A.8.16",),
            "supervision.png",
            png_chart([92, 97, 99, 88, 100, 96, 98]),
            collected_days_ago=5,
            valid_days=90,
        ),
        DemoItem(
            "Charte informatique signée",
            "Charte d'usage du SI annexée au règlement intérieur.",
            ("A.5.10", "A.6.2"),
            "charte-informatique.pdf",
            pdf_document(
                "Charte d'utilisation du systeme d'information",
                [
                    "Clinique des Lilas",
                    "Usage professionnel des postes, de la messagerie et du DPI.",
                    "Confidentialite des donnees de sante (secret medical).",
                    "Signalement de tout incident au RSSI.",
                ],
            ),
            collected_days_ago=200,
            valid_days=None,
        ),
        DemoItem(
            "Plan de continuité d'activité",
            "PCA des services de soins critiques, exercice annuel.",
            ("A.5.29", "A.5.30"),
            "pca.pdf",
            pdf_document(
                "Plan de continuite d'activite",
                [
                    "Perimetre : urgences, bloc operatoire, pharmacie.",
                    "Mode degrade papier : procedures en annexe.",
                    "Dernier exercice : bascule du DPI sur le site de secours.",
                ],
            ),
            collected_days_ago=150,
        ),
        DemoItem(
            "Attestations de sensibilisation 2024",
            "Liste d'émargement de la session de sensibilisation de l'an dernier.",
            ("A.6.3",),
            "sensibilisation-2024.csv",
            (
                b"agent;service;date_session;signature\n"
                b"I. Moreau;Accueil;2024-10-14;oui\n"
                b"K. Haddad;Bloc;2024-10-14;oui\n"
            ),
            collected_days_ago=410,
            valid_days=365,  # expired: this year's session is still to be held
        ),
        DemoItem(
            "Certificat HDS de l'hébergeur (portail fournisseur)",
            "Certificat en cours de validité, consultable sur le portail de l'hébergeur.",
            ("A.5.19", "A.5.20"),
            url="https://portail.hds-exemple.example/certificats/hds-2026.pdf",
            collected_days_ago=60,
        ),
    ]


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
    organisation = organisations.get("clinique-des-lilas")
    if organisation is None:
        return
    framework = soa_framework()
    existing = set(
        Evidence.objects.filter(organisation=organisation).values_list("title", flat=True)
    )
    today = timezone.localdate()
    for item in demo_items():
        if item.title in existing:
            continue
        requirements = (
            list(Requirement.objects.filter(framework=framework, ref_id__in=item.controls))
            if framework is not None
            else []
        )
        collected_on = today - datetime.timedelta(days=item.collected_days_ago)
        expires_on = (
            collected_on + datetime.timedelta(days=item.valid_days)
            if item.valid_days is not None
            else None
        )
        evidence_create(
            actor=actor,
            organisation=organisation,
            title=item.title,
            description=item.description,
            url=item.url,
            requirements=requirements,
            files=[ContentFile(item.content, name=item.file_name)] if item.content else [],
            collected_on=collected_on,
            expires_on=expires_on,
        )
