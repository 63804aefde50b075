"""Demo data of this app for ``seed_demo`` (idempotent).

The clinic's register: ten processing activities of a private clinic, and one that
reproduces the pattern of the CNIL's SAN-2024-013 decision (consultation data from the
practice software passed to its publisher, which sells statistics to laboratories, with
no Article 66 formality), which the rules engine flags with its articles. HDS Exemple
keeps a small processor register (GDPR Art. 30(2)). Every name, number and date below is
invented for the demo.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor
from privacy import services
from privacy.models import ProcessingActivity, Processor

DPO = "Dr Hélène Garnier, dpo@lilas.example"
CLINIC = "Clinique des Lilas, 12 rue des Lilas, 75020 Paris"


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _processor(organisation: Organisation, actor: SystemActor, **fields: Any) -> Processor:
    existing = Processor.objects.filter(organisation=organisation, name=fields["name"]).first()
    return existing or services.processor_create(actor=actor, organisation=organisation, **fields)


def _processing(
    organisation: Organisation,
    actor: SystemActor,
    *,
    recipients: tuple[tuple[str, str, Processor | None, str], ...] | list[Any] = (),
    route: dict[str, Any] | None = None,
    **fields: Any,
) -> None:
    if ProcessingActivity.objects.filter(
        organisation=organisation, reference=fields["reference"]
    ).exists():
        return
    processing = services.processing_create(actor=actor, organisation=organisation, **fields)
    for kind, name, processor, location in recipients:
        services.recipient_add(
            actor=actor,
            processing=processing,
            kind=kind,
            name=name,
            processor=processor,
            location=location,
        )
    if route is not None:
        services.route_set(actor=actor, processing=processing, **route)


def _clinic(clinic: Organisation, actor: SystemActor) -> None:
    hds = _processor(
        clinic,
        actor,
        name="HDS Exemple",
        contact="contrat@hds.example",
        service="Hébergement infogéré du DPI et des sauvegardes",
        hosts_data=True,
        location="eea",
        hds_certificate_number="HDS-2024-0192",
        hds_certificate_expires_on=_days(400),
        hds_activities=["1", "2", "3", "4", "5", "6"],
    )
    agenda = _processor(
        clinic,
        actor,
        name="Agenda Santé SAS",
        contact="dpo@agenda-sante.example",
        service="Prise de rendez-vous en ligne",
        hosts_data=True,
        location="eea",
        hds_certificate_number="HDS-2023-0457",
        hds_certificate_expires_on=_days(25),
        hds_activities=["4", "5"],
    )
    payroll = _processor(
        clinic,
        actor,
        name="Paie Services",
        contact="rgpd@paie.example",
        service="Paie et déclarations sociales",
        hosts_data=True,
        location="eea",
    )
    video = _processor(
        clinic,
        actor,
        name="Vidéo Protect",
        contact="contact@videoprotect.example",
        service="Maintenance du système de vidéoprotection",
        location="eea",
    )
    common: dict[str, Any] = {
        "controller_name": CLINIC,
        "controller_contact": "01 23 45 67 89",
        "dpo_contact": DPO,
    }
    care_security = (
        "Authentification forte des soignants, habilitations par service, journalisation des "
        "accès, chiffrement des sauvegardes, hébergement HDS."
    )
    _processing(
        clinic,
        actor,
        reference="T-001",
        name="Dossier patient informatisé (DPI)",
        **common,
        purposes="Prise en charge des patients : dossier médical, prescriptions, comptes rendus.",
        uses=["care"],
        data_subject_categories="Patients",
        personal_data_categories=(
            "Identité, NIR, coordonnées, antécédents, diagnostics, prescriptions, résultats "
            "d'examens."
        ),
        special_categories=["health"],
        direct_identifiers=["name", "full_birth_date", "nir", "ipp"],
        legal_basis="c",
        article9_condition="h",
        retention="20 ans après le dernier passage (art. R.1112-7 CSP).",
        security_measures=care_security,
        large_scale=True,
        dpia_done_on=_days(-300),
        dpia_review_on=_days(430),
        recipients=[
            ("care_team", "Équipes de soins de la clinique", None, "eea"),
            ("processor", "HDS Exemple", hds, "eea"),
        ],
        route={
            "kind": "exempt",
            "exemption_reason": "care",
            "justification": "Prise en charge individuelle des patients (art. 65).",
        },
    )
    _processing(
        clinic,
        actor,
        reference="T-002",
        name="Prise de rendez-vous en ligne",
        **common,
        purposes="Gestion des rendez-vous de consultation et rappels par SMS.",
        uses=["administration"],
        data_subject_categories="Patients, proches",
        personal_data_categories="Identité, coordonnées, motif de consultation, praticien.",
        special_categories=["health"],
        legal_basis="b",
        article9_condition="h",
        retention="2 ans après le dernier rendez-vous.",
        security_measures="Compte patient protégé, hébergement HDS, chiffrement TLS.",
        large_scale=True,
        dpia_done_on=_days(-200),
        dpia_review_on=_days(500),
        recipients=[("processor", "Agenda Santé SAS", agenda, "eea")],
        route={
            "kind": "exempt",
            "exemption_reason": "care",
            "justification": "Organisation de la prise en charge.",
        },
    )
    _processing(
        clinic,
        actor,
        reference="T-003",
        name="Facturation et télétransmission",
        **common,
        purposes=(
            "Facturation des séjours et actes, télétransmission à l'Assurance maladie et aux "
            "complémentaires."
        ),
        uses=["billing"],
        data_subject_categories="Patients",
        personal_data_categories="Identité, NIR, actes et séjours, organismes payeurs.",
        special_categories=["health"],
        legal_basis="c",
        article9_condition="h",
        retention="10 ans (pièces comptables).",
        security_measures=care_security,
        large_scale=True,
        dpia_done_on=_days(-300),
        dpia_review_on=_days(430),
        recipients=[
            ("authority", "Assurance maladie (CPAM)", None, "eea"),
            ("other", "Organismes complémentaires", None, "eea"),
            ("processor", "HDS Exemple", hds, "eea"),
        ],
        route={
            "kind": "exempt",
            "exemption_reason": "care",
            "justification": "Facturation des soins dispensés.",
        },
    )
    _processing(
        clinic,
        actor,
        reference="T-004",
        name="Gestion du personnel et paie",
        **common,
        purposes="Recrutement, carrière, paie, déclarations sociales.",
        uses=["hr"],
        data_subject_categories="Salariés, candidats",
        personal_data_categories="Identité, NIR, coordonnées bancaires, rémunération, évaluations.",
        legal_basis="b",
        retention="5 ans après le départ (bulletins de paie : 50 ans).",
        security_measures="Accès restreint au service RH, hébergement chez le prestataire de paie.",
        recipients=[
            ("processor", "Paie Services", payroll, "eea"),
            ("authority", "URSSAF et caisses de retraite", None, "eea"),
        ],
    )
    _processing(
        clinic,
        actor,
        reference="T-005",
        name="Vidéoprotection des accès",
        **common,
        purposes="Sécurité des biens et des personnes aux entrées et au parking.",
        uses=["security"],
        data_subject_categories="Patients, visiteurs, personnel",
        personal_data_categories="Images.",
        legal_basis="f",
        retention="30 jours.",
        security_measures=(
            "Enregistreur en local technique fermé, accès de deux personnes habilitées."
        ),
        recipients=[
            ("processor", "Vidéo Protect", video, "eea"),
            ("authority", "Forces de l'ordre (sur réquisition)", None, "eea"),
        ],
    )
    _processing(
        clinic,
        actor,
        reference="T-006",
        name="Étude des réhospitalisations après chirurgie ambulatoire",
        **common,
        purposes=(
            "Recherche n'impliquant pas la personne humaine sur les données des dossiers "
            "(2019-2024)."
        ),
        uses=["research"],
        data_subject_categories="Patients opérés en ambulatoire",
        personal_data_categories=(
            "Âge, sexe, actes, durées de séjour, réhospitalisations (données pseudonymisées)."
        ),
        special_categories=["health"],
        legal_basis="e",
        article9_condition="j",
        retention="2 ans après la publication, puis archivage 15 ans.",
        security_measures=(
            "Extraction pseudonymisée, poste dédié, table de correspondance conservée par le DIM."
        ),
        large_scale=True,
        dpia_done_on=_days(-120),
        dpia_review_on=_days(600),
        recipients=[("research_body", "Unité de recherche clinique partenaire", None, "eea")],
        route={
            "kind": "mr_declaration",
            "methodology": "MR-004",
            "filing_date": _days(-150),
            "receipt_number": "DEMO-MR004-2026-0042",
            "covered_uses": ["research"],
            "covered_recipient_kinds": ["research_body"],
        },
    )
    _processing(
        clinic,
        actor,
        reference="T-007",
        name="Cohorte de suivi des patients diabétiques",
        **common,
        purposes="Étude observationnelle multicentrique hors méthodologie de référence.",
        uses=["research", "evaluation"],
        data_subject_categories="Patients diabétiques suivis",
        personal_data_categories="Données cliniques et biologiques pseudonymisées.",
        special_categories=["health"],
        legal_basis="e",
        article9_condition="j",
        retention="Durée de l'étude + 2 ans.",
        security_measures="Pseudonymisation, hébergement HDS, accès nominatifs.",
        large_scale=True,
        dpia_done_on=_days(-700),
        dpia_review_on=_days(30),
        recipients=[
            ("research_body", "Consortium de recherche en diabétologie", None, "eea"),
            ("processor", "HDS Exemple", hds, "eea"),
        ],
        route={
            "kind": "authorisation",
            "decision_number": "DEMO-DR-2023-118",
            "decision_date": _days(-1000),
            "scope": "Cohorte observationnelle, données pseudonymisées, destinataires : "
            "consortium de recherche.",
            "conditions": "Pas d'appariement avec le SNDS ; rapport annuel au comité scientifique.",
            "expires_on": _days(60),
            "cesrees_opinion_date": _days(-1100),
            "cesrees_opinion_reference": "DEMO-CESREES-2023-77",
            "covered_uses": ["research", "evaluation"],
            "covered_recipient_kinds": ["research_body", "processor"],
        },
    )
    _processing(
        clinic,
        actor,
        reference="T-008",
        name="Contrôle d'accès par badge",
        **common,
        purposes="Accès du personnel aux zones réservées (bloc, pharmacie).",
        uses=["security"],
        data_subject_categories="Personnel",
        personal_data_categories="Identité, numéro de badge, horaires de passage.",
        legal_basis="f",
        retention="3 mois.",
        security_measures="Serveur dans le SI interne, accès administrateur restreint.",
    )
    _processing(
        clinic,
        actor,
        reference="T-009",
        name="Messagerie sécurisée de santé (MSSanté)",
        **common,
        purposes="Échanges de comptes rendus avec les médecins traitants.",
        uses=["care"],
        data_subject_categories="Patients",
        personal_data_categories="Comptes rendus, lettres de liaison.",
        special_categories=["health"],
        legal_basis="c",
        article9_condition="h",
        retention="Selon le dossier patient.",
        security_measures="Messagerie de l'espace de confiance MSSanté.",
        large_scale=True,
        dpia_done_on=_days(-300),
        dpia_review_on=_days(430),
        recipients=[("care_team", "Médecins traitants et correspondants", None, "eea")],
        route={
            "kind": "exempt",
            "exemption_reason": "care",
            "justification": "Coordination des soins.",
        },
    )
    # The SAN-2024-013 pattern: flagged by ART66-MISSING, ANON-CLAIM, ART9-NO-CONDITION,
    # ART6-NO-BASIS and DPIA-MISSING.
    _processing(
        clinic,
        actor,
        reference="T-010",
        name="Observatoire de l'éditeur du logiciel de consultation",
        **common,
        purposes=(
            "Extraction des données de consultation du logiciel de cabinet vers l'éditeur, "
            "en échange d'une remise sur la licence et d'un accès à des statistiques ; "
            "l'éditeur vend des études et statistiques à des laboratoires."
        ),
        uses=["statistics", "research"],
        data_subject_categories="Patients des consultations externes",
        personal_data_categories=(
            "Année de naissance, sexe, catégorie socio-professionnelle, antécédents, allergies, "
            "diagnostics, prescriptions, arrêts de travail, résultats biologiques ; identifiant "
            "patient unique par médecin."
        ),
        special_categories=["health"],
        retention="Environ 3 mois chez l'éditeur (déclaré).",
        security_measures="« Anonymisation » par l'éditeur (identifiant patient par médecin).",
        large_scale=True,
        claims_anonymised=True,
        notes="Cas d'école reproduisant la décision CNIL SAN-2024-013.",
        recipients=[
            ("commercial_reuser", "Éditeur du logiciel de cabinet (observatoire)", None, "eea"),
            ("commercial_reuser", "Laboratoires pharmaceutiques clients de l'éditeur", None, "eea"),
        ],
    )


def _host(host: Organisation, actor: SystemActor) -> None:
    site = _processor(
        host,
        actor,
        name="DataCenter Ouest",
        contact="noc@dc-ouest.example",
        service="Hébergement physique (salles, énergie, climatisation)",
        hosts_data=True,
        location="eea",
        hds_certificate_number="HDS-2022-0031",
        hds_certificate_expires_on=_days(80),
        hds_activities=["1"],
    )
    backup = _processor(
        host,
        actor,
        name="Sauvegarde Froide SAS",
        contact="rssi@froide.example",
        service="Sauvegarde externalisée chiffrée",
        hosts_data=True,
        location="eea",
        hds_certificate_number="HDS-2024-0310",
        hds_certificate_expires_on=_days(700),
        hds_activities=["6"],
    )
    security = (
        "SMSI certifié ISO 27001 et HDS, chiffrement au repos, bastion d'administration, "
        "journalisation centralisée, stockage exclusivement dans l'EEE (EXI 28)."
    )
    _processing(
        host,
        actor,
        reference="H-001",
        name="Hébergement du DPI de la Clinique des Lilas",
        role="processor",
        controller_name=CLINIC,
        controller_contact=DPO,
        dpo_contact="dpo@hds.example",
        purposes=(
            "Activités HDS 1 à 6 pour le compte de la clinique : infrastructure, plateforme, "
            "exploitation, sauvegarde."
        ),
        uses=["hosting"],
        data_subject_categories="Patients de la clinique",
        personal_data_categories="Dossier patient (données de santé).",
        special_categories=["health"],
        security_measures=security,
        recipients=[
            ("processor", "DataCenter Ouest", site, "eea"),
            ("processor", "Sauvegarde Froide SAS", backup, "eea"),
        ],
    )
    _processing(
        host,
        actor,
        reference="H-002",
        name="Sauvegarde externalisée pour établissements clients",
        role="processor",
        controller_name="Établissements de santé clients (liste en annexe du contrat)",
        dpo_contact="dpo@hds.example",
        purposes="Activité HDS 6 : sauvegarde chiffrée et restauration à la demande.",
        uses=["hosting"],
        data_subject_categories="Patients des établissements clients",
        personal_data_categories="Copies de sauvegarde des systèmes clients.",
        special_categories=["health"],
        security_measures=security,
        recipients=[("processor", "Sauvegarde Froide SAS", backup, "eea")],
    )
    _processing(
        host,
        actor,
        reference="H-003",
        name="Gestion du personnel",
        controller_name="HDS Exemple",
        dpo_contact="dpo@hds.example",
        purposes="Paie, carrière, habilitations du personnel.",
        uses=["hr"],
        data_subject_categories="Salariés",
        personal_data_categories="Identité, NIR, rémunération.",
        legal_basis="b",
        retention="5 ans après le départ.",
        security_measures="Accès restreint RH.",
    )


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
    if "clinique-des-lilas" in organisations:
        _clinic(organisations["clinique-des-lilas"], actor)
    if "hds-exemple" in organisations:
        _host(organisations["hds-exemple"], actor)
