"""The starter library: risk scenarios an organisation selects and then edits as its own.

The eight HDS events use the wording of the HDS v2 certification référentiel, EXI 05, as
carried by Egide's HDS catalogue (controls/catalogues/hds-2024.yaml): "défaillance d'un
support, perte de maîtrise d'un support, compromission d'un flux, défaillance du contrôle
d'accès, maîtrise des interventions, usage non prévu, panne matérielle ou logicielle et
assujettissement à des lois extra-européennes". The health-sector scenarios are the
common ones listed in issue 11. ``controls`` are suggested Annex A controls (ISO/IEC
27001:2022 titles in the catalogue) that the user confirms or changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

from risks.choices import LibrarySource

HDS_REFERENCE = "Référentiel HDS v2, EXI 05"


@dataclass(frozen=True)
class Scenario:
    code: str
    source: str
    reference: str
    title_fr: str
    title_en: str
    threat_fr: str
    threat_en: str
    vulnerability_fr: str
    vulnerability_en: str
    confidentiality: bool
    integrity: bool
    availability: bool
    controls: tuple[str, ...] = field(default_factory=tuple)

    def _pick(self, name: str) -> str:
        language = (translation.get_language() or "fr")[:2]
        return str(getattr(self, f"{name}_{'en' if language == 'en' else 'fr'}"))

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def threat(self) -> str:
        return self._pick("threat")

    @property
    def vulnerability(self) -> str:
        return self._pick("vulnerability")

    @property
    def cia(self) -> str:
        flags = (("C", self.confidentiality), ("I", self.integrity), ("A", self.availability))
        return "".join(letter for letter, flag in flags if flag)


def _hds(
    letter: str,
    fr: str,
    en: str,
    threat: tuple[str, str],
    vuln: tuple[str, str],
    cia: str,
    controls: tuple[str, ...],
) -> Scenario:
    return Scenario(
        code=f"hds-exi05-{letter.lower()}",
        source=LibrarySource.HDS_EXI_05,
        reference=f"{HDS_REFERENCE}, événement {letter}",
        title_fr=f"{letter}. {fr}",
        title_en=f"{letter}. {en}",
        threat_fr=threat[0],
        threat_en=threat[1],
        vulnerability_fr=vuln[0],
        vulnerability_en=vuln[1],
        confidentiality="C" in cia,
        integrity="I" in cia,
        availability="A" in cia,
        controls=controls,
    )


def _health(
    code: str,
    title: tuple[str, str],
    threat: tuple[str, str],
    vuln: tuple[str, str],
    cia: str,
    controls: tuple[str, ...],
) -> Scenario:
    return Scenario(
        code=code,
        source=LibrarySource.HEALTH_SECTOR,
        reference="",
        title_fr=title[0],
        title_en=title[1],
        threat_fr=threat[0],
        threat_en=threat[1],
        vulnerability_fr=vuln[0],
        vulnerability_en=vuln[1],
        confidentiality="C" in cia,
        integrity="I" in cia,
        availability="A" in cia,
        controls=controls,
    )


LIBRARY: tuple[Scenario, ...] = (
    _hds(
        "A",
        "Défaillance d'un support",
        "Media failure",
        (
            "Un support de stockage de données de santé devient illisible.",
            "A medium storing health data becomes unreadable.",
        ),
        (
            "Pas de copie exploitable des données du support.",
            "No usable copy of the data held on the medium.",
        ),
        "IA",
        ("A.7.10", "A.8.13"),
    ),
    _hds(
        "B",
        "Perte de maîtrise d'un support",
        "Loss of control of media",
        (
            "Un support contenant des données de santé est perdu, volé ou sort du périmètre.",
            "A medium holding health data is lost, stolen or leaves the perimeter.",
        ),
        (
            "Supports non chiffrés, ou mis au rebut sans effacement sûr.",
            "Media not encrypted, or disposed of without secure erasure.",
        ),
        "C",
        ("A.7.10", "A.7.14", "A.8.24"),
    ),
    _hds(
        "C",
        "Compromission d'un flux",
        "Compromise of a data flow",
        (
            "Un flux de données de santé est intercepté ou altéré en transit.",
            "A flow of health data is intercepted or altered in transit.",
        ),
        (
            "Flux non chiffrés ou non authentifiés entre systèmes.",
            "Flows between systems not encrypted or not authenticated.",
        ),
        "CI",
        ("A.5.14", "A.8.20", "A.8.24"),
    ),
    _hds(
        "D",
        "Défaillance du contrôle d'accès",
        "Access control failure",
        (
            "Une personne non autorisée accède aux données de santé.",
            "An unauthorised person reaches health data.",
        ),
        (
            "Droits d'accès trop larges, non revus, ou authentification faible.",
            "Access rights too broad or not reviewed, or weak authentication.",
        ),
        "CI",
        ("A.5.15", "A.5.18", "A.8.2", "A.8.5"),
    ),
    _hds(
        "E",
        "Maîtrise des interventions",
        "Control of interventions",
        (
            "Une intervention (maintenance, prestataire, administration) n'est pas maîtrisée.",
            "An intervention (maintenance, contractor, administration) is not controlled.",
        ),
        (
            "Interventions non autorisées au préalable ni tracées.",
            "Interventions neither authorised beforehand nor logged.",
        ),
        "CIA",
        ("A.7.13", "A.8.2", "A.8.15"),
    ),
    _hds(
        "F",
        "Usage non prévu",
        "Unforeseen use",
        (
            "Les données de santé sont utilisées à une fin non prévue.",
            "Health data are used for a purpose that was not intended.",
        ),
        (
            "Usages autorisés non définis, accès non surveillés.",
            "Permitted uses not defined, access not monitored.",
        ),
        "C",
        ("A.5.10", "A.8.15", "A.8.16"),
    ),
    _hds(
        "G",
        "Panne matérielle ou logicielle",
        "Hardware or software failure",
        (
            "Une panne matérielle ou logicielle interrompt le service hébergeant les données.",
            "A hardware or software failure interrupts the service holding the data.",
        ),
        (
            "Absence de redondance ou de plan de reprise testé.",
            "No redundancy or no tested recovery plan.",
        ),
        "IA",
        ("A.8.13", "A.8.14", "A.5.30"),
    ),
    _hds(
        "H",
        "Assujettissement à des lois extra-européennes",
        "Subjection to non-European laws",
        (
            "Une autorité d'un pays tiers impose l'accès aux données de santé.",
            "A third-country authority compels access to health data.",
        ),
        (
            "L'hébergeur ou un sous-traitant relève d'une législation extra-européenne.",
            "The host or a subcontractor is subject to non-European law.",
        ),
        "C",
        ("A.5.19", "A.5.23", "A.5.31"),
    ),
    _health(
        "ransomware-patient-record",
        (
            "Rançongiciel sur le dossier patient informatisé",
            "Ransomware on the patient record system",
        ),
        (
            "Un rançongiciel chiffre le dossier patient et ses sauvegardes en ligne.",
            "Ransomware encrypts the patient record system and its online backups.",
        ),
        (
            "Correctifs en retard, sauvegardes joignables depuis le réseau.",
            "Patches late, backups reachable from the network.",
        ),
        "CIA",
        ("A.8.7", "A.8.8", "A.8.13", "A.5.30"),
    ),
    _health(
        "phishing-staff",
        ("Hameçonnage du personnel", "Phishing of staff"),
        (
            "Un courriel piégé vole les identifiants d'un soignant ou d'un administratif.",
            "A crafted e-mail steals the credentials of a carer or an administrative employee.",
        ),
        (
            "Sensibilisation insuffisante, authentification à un seul facteur.",
            "Too little awareness training, single-factor authentication.",
        ),
        "CI",
        ("A.6.3", "A.8.5", "A.8.23"),
    ),
    _health(
        "supplier-compromise",
        ("Compromission d'un fournisseur", "Supplier compromise"),
        (
            "Un éditeur ou un prestataire compromis sert de porte d'entrée.",
            "A compromised software vendor or contractor is used as a way in.",
        ),
        (
            "Exigences de sécurité absentes des contrats, accès fournisseurs non surveillés.",
            "No security requirements in contracts, supplier access not monitored.",
        ),
        "CIA",
        ("A.5.19", "A.5.20", "A.5.21", "A.5.22"),
    ),
    _health(
        "free-text-leak",
        ("Fuite de données par les champs en texte libre", "Data leakage through free text"),
        (
            "Des données de santé saisies en texte libre sortent dans un export ou un courriel.",
            "Health data typed into free-text fields leave in an export or an e-mail.",
        ),
        (
            "Champs libres non contrôlés, pas de prévention des fuites.",
            "Free-text fields unchecked, no data leakage prevention.",
        ),
        "C",
        ("A.8.12", "A.5.12", "A.8.11"),
    ),
    _health(
        "unlawful-reuse",
        ("Réutilisation illicite de données de santé", "Unlawful reuse of health data"),
        (
            "Des données de santé sont réutilisées (recherche, commerce) sans base légale "
            "ni formalité.",
            "Health data are reused (research, commercial) without a legal basis or formality.",
        ),
        (
            "Finalités et formalités non vérifiées avant une extraction.",
            "Purposes and formalities not checked before an extraction.",
        ),
        "C",
        ("A.5.34", "A.5.31", "A.8.3"),
    ),
)

BY_CODE = {scenario.code: scenario for scenario in LIBRARY}
