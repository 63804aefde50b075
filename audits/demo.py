"""Demo data of this app for ``seed_demo`` (idempotent): for Clinique des Lilas, a closed
flash audit of the full ISO/IEC 27001:2022 Annex A with findings and a remediation plan;
for HDS Exemple, a sampled certification-readiness audit in fieldwork."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from audits.choices import ActionStatus, AuditKind, AuditStatus, CheckResult, Priority
from audits.models import Audit, Finding, RemediationAction
from audits.services import (
    action_create,
    action_update,
    action_verify,
    audit_create,
    audit_transition,
    check_record,
    finding_update,
)
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from controls.models import Theme
from evidence.models import Evidence

CLINIC_AUDIT = "Audit flash ISO 27001 — Annexe A complète"
HDS_AUDIT = "Préparation à la certification HDS — échantillon Annexe A"
ANNEX_A_THEMES = ("organizational", "people", "physical", "technological")

# ref_id: (result, note, root cause). Every other control is judged conforming.
CLINIC_RESULTS: dict[str, tuple[str, str, str]] = {
    "A.5.15": (
        CheckResult.NC_MAJEURE,
        "Comptes génériques partagés aux urgences et au bloc (« urgences1 ») sur le DPI.",
        "Ouverture de session jugée trop lente en urgence ; aucune alternative (badge, SSO) "
        "n'a été proposée aux équipes soignantes.",
    ),
    "A.8.13": (
        CheckResult.NC_MAJEURE,
        "Sauvegardes quotidiennes du DPI, mais aucun test de restauration depuis 2024.",
        "Le contrat d'infogérance ne prévoit pas de test de restauration ; personne n'en "
        "porte la responsabilité côté clinique.",
    ),
    "A.5.24": (
        CheckResult.NC_MAJEURE,
        "Pas de procédure de gestion des incidents ; les délais de notification (RGPD, "
        "NIS2) ne sont pas connus de la permanence.",
        "Le RSSI est arrivé en 2025 ; la procédure de l'ancien prestataire n'a pas été "
        "reprise ni adaptée à NIS2.",
    ),
    "A.5.9": (
        CheckResult.NC_MINEURE,
        "Inventaire des actifs incomplet : dispositifs biomédicaux connectés absents.",
        "Le biomédical tient son propre inventaire, non rapproché de celui de la DSI.",
    ),
    "A.6.3": (
        CheckResult.NC_MINEURE,
        "Sensibilisation faite à l'embauche seulement ; 40 % des soignants jamais formés.",
        "Aucun budget ni créneau de formation continue dédié à la sécurité.",
    ),
    "A.7.2": (
        CheckResult.NC_MINEURE,
        "La salle serveur est ouverte par un code unique, inchangé depuis 2022.",
        "Pas de revue des accès physiques ; le code est communiqué oralement aux prestataires.",
    ),
    "A.8.8": (
        CheckResult.NC_MINEURE,
        "Correctifs des postes appliqués, mais aucun suivi des vulnérabilités des serveurs.",
        "Outil de scan acheté mais jamais déployé faute de temps.",
    ),
    "A.8.15": (
        CheckResult.NC_MINEURE,
        "Journaux du DPI conservés 30 jours seulement, sans revue.",
        "Rétention par défaut de l'éditeur jamais ajustée aux besoins de traçabilité.",
    ),
    "A.5.19": (
        CheckResult.NC_MINEURE,
        "Contrats fournisseurs sans clauses de sécurité pour trois prestataires sur huit.",
        "Les achats ne consultent pas le RSSI avant signature.",
    ),
    "A.5.30": (
        CheckResult.NC_MINEURE,
        "Plan de continuité rédigé mais jamais exercé.",
        "Aucun exercice planifié ; la direction n'a pas fixé d'objectif de reprise.",
    ),
    "A.5.12": (
        CheckResult.OBSERVATION,
        "Classification des informations définie mais peu appliquée aux documents papier.",
        "Règle jamais déclinée en consignes concrètes pour les secrétariats.",
    ),
    "A.6.7": (
        CheckResult.OBSERVATION,
        "Télétravail des secrétaires médicales sans VPN pour la messagerie.",
        "Usage toléré depuis la crise sanitaire sans analyse de risque.",
    ),
    "A.7.7": (
        CheckResult.OBSERVATION,
        "Dossiers patients visibles sur les bureaux des infirmeries en fin de journée.",
        "",
    ),
    "A.8.16": (
        CheckResult.OBSERVATION,
        "Supervision réseau en place mais alertes envoyées sur une boîte non relevée.",
        "",
    ),
    "A.5.7": (
        CheckResult.PISTE_DE_PROGRES,
        "S'abonner aux alertes du CERT Santé et les diffuser à l'infogérant.",
        "",
    ),
    "A.8.12": (
        CheckResult.PISTE_DE_PROGRES,
        "Étudier un filtrage des envois de pièces jointes médicales vers des messageries "
        "personnelles.",
        "",
    ),
}
# The clinic develops no software (see its SoA): not assessed.
CLINIC_NOT_ASSESSED = ("A.8.25", "A.8.26", "A.8.27", "A.8.28", "A.8.29", "A.8.30", "A.8.31")

# (ref_id of the finding, title, owner e-mail, due in days from today, final status)
CLINIC_ACTIONS: list[tuple[str, str, str, int, str]] = [
    (
        "A.5.15",
        "Supprimer les comptes génériques et déployer les badges CPS aux urgences",
        "rssi@lilas.example",
        -12,
        ActionStatus.IN_PROGRESS,
    ),
    (
        "A.5.15",
        "Revue trimestrielle des comptes à privilèges du DPI",
        "rssi@lilas.example",
        20,
        ActionStatus.OPEN,
    ),
    (
        "A.8.13",
        "Tester la restauration complète du DPI sur l'environnement de secours",
        "rssi@lilas.example",
        -30,
        ActionStatus.VERIFIED,
    ),
    (
        "A.8.13",
        "Ajouter un test de restauration semestriel au contrat d'infogérance",
        "direction@lilas.example",
        -4,
        ActionStatus.OPEN,
    ),
    (
        "A.5.24",
        "Rédiger la procédure de gestion des incidents avec les délais RGPD et NIS2",
        "rssi@lilas.example",
        9,
        ActionStatus.IN_PROGRESS,
    ),
    (
        "A.5.9",
        "Rapprocher l'inventaire biomédical de l'inventaire DSI",
        "rssi@lilas.example",
        45,
        ActionStatus.OPEN,
    ),
    (
        "A.6.3",
        "Former tous les soignants (module e-learning de 30 minutes)",
        "direction@lilas.example",
        75,
        ActionStatus.OPEN,
    ),
    (
        "A.7.2",
        "Remplacer le code de la salle serveur par un contrôle d'accès par badge",
        "direction@lilas.example",
        -20,
        ActionStatus.DONE,
    ),
    (
        "A.8.8",
        "Déployer le scanner de vulnérabilités sur les serveurs",
        "rssi@lilas.example",
        28,
        ActionStatus.OPEN,
    ),
    (
        "A.8.15",
        "Porter la rétention des journaux du DPI à un an et organiser leur revue",
        "rssi@lilas.example",
        60,
        ActionStatus.OPEN,
    ),
    (
        "A.5.19",
        "Avenant sécurité pour les trois contrats fournisseurs concernés",
        "direction@lilas.example",
        90,
        ActionStatus.OPEN,
    ),
    (
        "A.5.30",
        "Exercice de continuité (panne du DPI, une demi-journée)",
        "direction@lilas.example",
        120,
        ActionStatus.OPEN,
    ),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _evidence(organisation: Organisation, actor: Any) -> list[Evidence]:
    """The clinic's demo evidence (created by evidence.demo, which runs first); one link
    item if there is none, so that the verified action has something to rest on."""
    items = list(Evidence.objects.filter(organisation=organisation).order_by("pk"))
    if items:
        return items
    from evidence.services.evidence import evidence_create

    return [
        evidence_create(
            actor=actor,
            organisation=organisation,
            title="Procès-verbal du test de restauration du DPI",
            description="Compte rendu signé par l'infogérant et le RSSI.",
            url="https://intranet.clinique-des-lilas.example/securite/pv-restauration.pdf",
        )
    ]


def _clinic(organisation: Organisation, actor: SystemActor) -> None:
    if Audit.objects.filter(organisation=organisation, title=CLINIC_AUDIT).exists():
        return
    lead = _user("auditrice@audit.example")
    auditor = _user("auditeur@audit.example")
    manager = _user("direction@lilas.example")
    rssi = _user("rssi@lilas.example")
    if not (lead and auditor and manager and rssi):
        return
    themes = list(Theme.objects.filter(framework__code="iso27001-2022", code__in=ANNEX_A_THEMES))
    if len(themes) != len(ANNEX_A_THEMES):
        return  # catalogues not loaded
    today = timezone.localdate()
    audit = audit_create(
        actor=lead,
        organisation=organisation,
        title=CLINIC_AUDIT,
        kind=AuditKind.FLASH,
        themes=themes,
        lead_auditor=lead,
        auditors=[auditor],
        auditees=[manager, rssi],
        planned_start=today - datetime.timedelta(days=70),
        planned_end=today - datetime.timedelta(days=69),
        objectives=(
            "Évaluer en deux jours la mise en œuvre des 93 mesures de l'Annexe A avant "
            "l'engagement de la démarche de certification ; entretiens avec la direction, "
            "le RSSI, la DSI, le biomédical et deux services de soins."
        ),
    )
    audit = audit_transition(actor=lead, audit=audit, status=AuditStatus.FIELDWORK)
    evidence = _evidence(organisation, actor)
    checks = list(audit.checks.select_related("requirement", "audit"))
    for index, check in enumerate(checks):
        ref_id = check.requirement.ref_id
        person = lead if index % 3 else auditor
        if ref_id in CLINIC_RESULTS:
            result, note, _cause = CLINIC_RESULTS[ref_id]
            check_record(actor=person, check=check, result=result, notes=note)
        elif ref_id in CLINIC_NOT_ASSESSED:
            check_record(
                actor=person,
                check=check,
                notes="Hors périmètre : la clinique ne développe aucun logiciel.",
            )
        else:
            check_record(
                actor=person,
                check=check,
                result=CheckResult.CONFORME,
                evidence=[evidence[index % len(evidence)]] if index % 4 == 0 else None,
            )
    findings = {
        f.requirement.ref_id: f
        for f in Finding.objects.filter(audit=audit).select_related("requirement")
        if f.requirement is not None
    }
    for position, (ref_id, (_result, _note, cause)) in enumerate(CLINIC_RESULTS.items()):
        finding_update(
            actor=lead,
            finding=findings[ref_id],
            root_cause=cause,
            evidence=[evidence[position % len(evidence)]],
        )
    audit = audit_transition(actor=lead, audit=audit, status=AuditStatus.REPORTING)
    audit = audit_transition(actor=lead, audit=audit, status=AuditStatus.CLOSED)

    opened = timezone.now() - datetime.timedelta(days=62)
    for ref_id, title, owner_email, due_in, status in CLINIC_ACTIONS:
        owner = _user(owner_email)
        action = action_create(
            actor=manager,
            finding=findings[ref_id],
            title=title,
            owner=owner,
            due_date=today + datetime.timedelta(days=due_in),
            **(
                {
                    "priority": Priority.HIGH,
                    "priority_override_reason": (
                        "Exigé par l'assureur cyber avant le renouvellement du contrat."
                    ),
                }
                if ref_id == "A.6.3"
                else {}
            ),
        )
        # Demo history only: the plan was drawn up at the closing meeting, two months
        # ago, so that the burn-down chart has a past to show.
        RemediationAction.objects.filter(pk=action.pk).update(created_at=opened)
        if status in (ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.VERIFIED):
            action = action_update(
                actor=owner or manager, action=action, status=ActionStatus.IN_PROGRESS
            )
        if status in (ActionStatus.DONE, ActionStatus.VERIFIED):
            action = action_update(actor=owner or manager, action=action, status=ActionStatus.DONE)
            done_at = opened + datetime.timedelta(
                days=20 if status == ActionStatus.VERIFIED else 45
            )
            RemediationAction.objects.filter(pk=action.pk).update(completed_at=done_at)
        if status == ActionStatus.VERIFIED:
            verifier = manager if owner != manager else lead
            action_verify(
                actor=verifier,
                action=action,
                verified_by=verifier,
                evidence=evidence[0],
                notes="Restauration complète constatée sur l'environnement de secours.",
            )


def _hds(organisation: Organisation) -> None:
    if Audit.objects.filter(organisation=organisation, title=HDS_AUDIT).exists():
        return
    lead = _user("auditrice@audit.example")
    auditee = _user("exploitation@hds.example")
    themes = list(Theme.objects.filter(framework__code="iso27001-2022", code__in=ANNEX_A_THEMES))
    if lead is None or len(themes) != len(ANNEX_A_THEMES):
        return
    today = timezone.localdate()
    audit = audit_create(
        actor=lead,
        organisation=organisation,
        title=HDS_AUDIT,
        kind=AuditKind.CERTIFICATION_READINESS,
        themes=themes,
        sample_per_theme=4,
        sample_seed="hds-exemple-2026",
        lead_auditor=lead,
        auditees=[auditee] if auditee else [],
        planned_start=today - datetime.timedelta(days=1),
        planned_end=today + datetime.timedelta(days=1),
        objectives="Vérifier sur un échantillon de mesures la maturité du SMSI avant l'audit HDS.",
    )
    audit = audit_transition(actor=lead, audit=audit, status=AuditStatus.FIELDWORK)
    results = [
        (CheckResult.CONFORME, "Politique validée par la direction, revue annuelle."),
        (CheckResult.CONFORME, ""),
        (CheckResult.NC_MINEURE, "Revue des droits d'administration non tracée."),
        (CheckResult.OBSERVATION, "Procédure à jour mais non diffusée aux astreintes."),
        (CheckResult.CONFORME, ""),
    ]
    for check, (result, note) in zip(
        audit.checks.select_related("requirement"), results, strict=False
    ):
        check_record(actor=lead, check=check, result=result, notes=note)


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
    clinic = organisations.get("clinique-des-lilas")
    if clinic is not None:
        _clinic(clinic, actor)
    host = organisations.get("hds-exemple")
    if host is not None:
        _hds(host)
