"""Demo data of this app for ``seed_demo`` (idempotent): Clinique des Lilas gets a risk
assessment built from the starter library, with treatments linked to its SoA and to the
remediation plan of its flash audit (``audits.demo`` runs first)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from audits.models import RemediationAction
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from controls.models import Requirement
from controls.selectors import soa_framework
from risks.library import LIBRARY
from risks.models import Asset, Risk
from risks.services.actions import risk_action_create
from risks.services.assets import asset_create
from risks.services.method import default_labels, method_save
from risks.services.risks import risk_accept, risk_update, risks_from_library
from risks.services.soa import soa_justify_from_risks

CLINIC = "clinique-des-lilas"

ASSETS: list[dict[str, Any]] = [
    {
        "name": "Dossier patient informatisé (DPI)",
        "kind": "system",
        "classification": "confidential",
        "health_data": True,
        "description": "Application de soins et serveur de base de données.",
    },
    {
        "name": "Données de santé des patients",
        "kind": "information",
        "classification": "secret",
        "health_data": True,
    },
    {"name": "Messagerie du personnel", "kind": "system", "classification": "internal"},
    {"name": "Salle serveurs, bâtiment B", "kind": "site", "classification": "internal"},
    {
        "name": "Infogérant et hébergeur du DPI",
        "kind": "supplier",
        "classification": "confidential",
        "health_data": True,
    },
]

# library code: (assets, inherent, existing controls, current, treatment, plan, residual)
ASSESSMENT: dict[str, dict[str, Any]] = {
    "ransomware-patient-record": {
        "assets": ["Dossier patient informatisé (DPI)", "Données de santé des patients"],
        "inherent": (4, 4),
        "existing": ["A.8.7"],
        "current": (3, 4),
        "treatment": "reduce",
        "plan": "Sauvegardes hors ligne testées chaque trimestre, correctifs sous 30 jours.",
        "residual": (1, 4),
        "action_ref": "A.8.13",
    },
    "hds-exi05-d": {
        "assets": ["Dossier patient informatisé (DPI)"],
        "inherent": (4, 3),
        "existing": [],
        "current": (4, 3),
        "treatment": "reduce",
        "plan": "Supprimer les comptes génériques, ouverture de session par badge.",
        "residual": (2, 2),
        "action_ref": "A.5.15",
    },
    "phishing-staff": {
        "assets": ["Messagerie du personnel"],
        "inherent": (4, 3),
        "existing": ["A.8.23"],
        "current": (3, 3),
        "treatment": "reduce",
        "plan": "Sensibilisation annuelle de tout le personnel, authentification forte.",
        "residual": (2, 2),
        "action_ref": "A.6.3",
    },
    "supplier-compromise": {
        "assets": ["Infogérant et hébergeur du DPI"],
        "inherent": (3, 4),
        "existing": ["A.5.19"],
        "current": (3, 3),
        "treatment": "reduce",
        "plan": "Clauses de sécurité et droit d'audit dans le contrat d'infogérance.",
        "residual": (2, 3),
        "new_action": "Ajouter les clauses de sécurité au contrat d'infogérance",
    },
    "free-text-leak": {
        "assets": ["Données de santé des patients"],
        "inherent": (2, 3),
        "existing": ["A.5.12"],
        "current": (2, 2),
        "treatment": "accept",
        "plan": "",
        "residual": None,
        "accept": "",
    },
    "hds-exi05-h": {
        "assets": ["Infogérant et hébergeur du DPI"],
        "inherent": (2, 4),
        "existing": ["A.5.19", "A.5.23"],
        "current": (2, 3),
        "treatment": "transfer",
        "plan": "Hébergement chez un hébergeur certifié HDS, stockage dans l'EEE.",
        "residual": (2, 3),
        "accept": "Hébergeur certifié HDS, données stockées dans l'EEE ; risque suivi en "
        "revue de direction.",
    },
    "hds-exi05-g": {
        "assets": ["Dossier patient informatisé (DPI)", "Salle serveurs, bâtiment B"],
        "inherent": (3, 4),
        "existing": ["A.8.13"],
        "current": (2, 4),
        "treatment": "reduce",
        "plan": "Plan de reprise d'activité du DPI, exercice annuel.",
        "residual": (1, 4),
        "action_ref": "A.5.30",
    },
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
    clinic = organisations.get(CLINIC)
    if clinic is None or Risk.objects.filter(organisation=clinic).exists():
        return
    framework = soa_framework()
    if framework is None:
        return
    owner = _user("rssi@lilas.example")
    manager = _user("direction@lilas.example")
    method_save(
        actor=actor,
        organisation=clinic,
        likelihood_labels=default_labels("likelihood", 4),
        impact_labels=default_labels("impact", 4),
        acceptance_threshold=4,
        acceptor_roles=["manager"],
        description=(
            "Vraisemblance et impact notés de 1 à 4 ; niveau = vraisemblance x impact. "
            "Un niveau de 4 ou moins est acceptable ; au-delà, le risque est traité ou son "
            "acceptation motivée par écrit par la direction."
        ),
    )
    assets = {
        spec["name"]: asset_create(actor=actor, organisation=clinic, owner=owner, **spec)
        for spec in ASSETS
        if not Asset.objects.filter(organisation=clinic, name=spec["name"]).exists()
    }
    risks = {
        risk.library_code: risk
        for risk in risks_from_library(
            actor=actor, organisation=clinic, codes=[s.code for s in LIBRARY]
        )
    }
    controls = {r.ref_id: r for r in Requirement.objects.filter(framework=framework)}
    actions = list(
        RemediationAction.objects.filter(organisation=clinic)
        .select_related("finding__requirement")
        .order_by("pk")
    )
    today = timezone.localdate()
    for index, (code, spec) in enumerate(ASSESSMENT.items()):
        risk = risks[code]
        fields: dict[str, Any] = {
            "inherent_likelihood": spec["inherent"][0],
            "inherent_impact": spec["inherent"][1],
            "current_likelihood": spec["current"][0],
            "current_impact": spec["current"][1],
            "treatment": spec["treatment"],
            "treatment_description": spec["plan"],
            "owner": owner,
            "review_date": today + datetime.timedelta(days=30 + 30 * index),
        }
        if spec["residual"]:
            fields["residual_likelihood"], fields["residual_impact"] = spec["residual"]
        linked = [
            a
            for a in actions
            if spec.get("action_ref")
            and a.finding.requirement
            and a.finding.requirement.ref_id == spec["action_ref"]
        ]
        risk = risk_update(
            actor=actor,
            risk=risk,
            assets=[assets[name] for name in spec["assets"] if name in assets],
            existing_controls=[controls[ref] for ref in spec["existing"] if ref in controls],
            actions=linked,
            **fields,
        )
        if spec.get("new_action"):
            risk_action_create(
                actor=actor,
                risk=risk,
                title=spec["new_action"],
                due_date=today + datetime.timedelta(days=90),
                owner=owner,
            )
        if "accept" in spec and manager is not None and owner is not None:
            risk_accept(
                actor=manager if spec["accept"] else owner, risk=risk, reason=spec["accept"]
            )
    # The SoA says why: these controls are included because they treat the risks above.
    for ref in ("A.8.7", "A.8.13", "A.5.15", "A.5.19", "A.6.3"):
        if ref in controls:
            soa_justify_from_risks(actor=actor, organisation=clinic, requirement=controls[ref])
