"""Demo data of this app for ``seed_demo`` (idempotent).

The clinic gets a ransomware attack that someone became aware of a few hours before the
seed ran (so its clocks are running when ``make run`` opens), with the ARS already told
and a campaign to tell patients half-way; and an older, closed breach in the register.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from incidents.choices import Channel, Regime
from incidents.letters import campaign_letter_default
from incidents.models import Incident
from incidents.services import (
    campaign_save,
    incident_close,
    incident_create,
    incident_event_add,
    notification_mark_sent,
)

RANSOMWARE = "Rançongiciel sur le dossier patient informatisé"
MISDIRECTED = "Résultats d'analyses envoyés au mauvais destinataire"


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _ransomware(clinic: Organisation, actor: SystemActor) -> None:
    now = timezone.now()
    aware = (now - timedelta(hours=5)).replace(second=0, microsecond=0)
    incident = incident_create(
        actor=actor,
        organisation=clinic,
        title=RANSOMWARE,
        aware_at=aware,
        started_at=aware - timedelta(hours=7),
        owner=_user("rssi@lilas.example"),
        description=(
            "Chiffrement des serveurs du DPI et de l'imagerie dans la nuit ; une note de "
            "rançon est apparue sur les postes des urgences. Des fichiers de patients ont "
            "été copiés vers l'extérieur avant le chiffrement."
        ),
        affected_systems="DPI, PACS (imagerie), serveur de fichiers administratif",
        data_categories=(
            "Identité, coordonnées, numéro de sécurité sociale, comptes rendus d'hospitalisation"
        ),
        data_subjects_count=1840,
        records_count=25_300,
        likely_consequences=(
            "Soins programmés reportés (mode dégradé papier) ; risque d'hameçonnage ciblé "
            "et de divulgation de données de santé."
        ),
        measures_taken=(
            "Isolement du réseau, comptes à privilèges réinitialisés, restauration depuis "
            "les sauvegardes hors ligne en cours, plainte déposée."
        ),
        contact_point="DPO : dpo@lilas.example, 01 23 45 67 89",
        suspected_malicious=True,
        cross_border_impact=False,
        nis2_significant=True,
        personal_data_breach=True,
        high_risk=True,
        health_establishment_serious=True,
        ongoing=True,
    )
    incident_event_add(
        actor=actor,
        incident=incident,
        occurred_at=aware + timedelta(minutes=20),
        text="Cellule de crise réunie ; réseau isolé d'Internet.",
    )
    ars = incident.notifications.get(regime=Regime.HEALTH_ARS)
    notification_mark_sent(
        actor=actor,
        notification=ars,
        sent_at=aware + timedelta(hours=1),
        reference="Portail signalement n° 2026-ARS-0142",
    )
    campaign_save(
        actor=actor,
        incident=incident,
        audience=(
            "Patients hospitalisés entre janvier et octobre 2026 dont le dossier "
            "figurait sur le serveur copié."
        ),
        channel=Channel.LETTER,
        to_tell=1840,
        told=620,
        unreachable=35,
        letter=campaign_letter_default(incident),
    )


def _misdirected(clinic: Organisation, actor: SystemActor) -> None:
    aware = (timezone.now() - timedelta(days=92)).replace(
        hour=9, minute=15, second=0, microsecond=0
    )
    incident = incident_create(
        actor=actor,
        organisation=clinic,
        title=MISDIRECTED,
        aware_at=aware,
        owner=_user("direction@lilas.example"),
        description=(
            "Un courriel contenant les résultats d'analyses de 3 patients a été envoyé "
            "à un autre patient."
        ),
        data_categories="Identité, résultats d'analyses biologiques",
        data_subjects_count=3,
        records_count=3,
        likely_consequences="Divulgation de données de santé à un tiers identifié.",
        measures_taken=(
            "Le destinataire a confirmé la suppression ; l'autocomplétion des adresses "
            "a été désactivée."
        ),
        contact_point="DPO : dpo@lilas.example",
        personal_data_breach=True,
        ongoing=False,
    )
    cnil = incident.notifications.get(regime=Regime.GDPR_AUTHORITY)
    notification_mark_sent(
        actor=actor,
        notification=cnil,
        sent_at=aware + timedelta(hours=30),
        reference="CNIL notification 2026-081234",
    )
    incident_close(actor=actor, incident=incident)


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
    clinic = organisations.get("clinique-des-lilas")
    if clinic is None:
        return
    titles = set(Incident.objects.filter(organisation=clinic).values_list("title", flat=True))
    if RANSOMWARE not in titles:
        _ransomware(clinic, actor)
    if MISDIRECTED not in titles:
        _misdirected(clinic, actor)
