"""Demo data of this app for ``seed_demo`` (idempotent)."""

from __future__ import annotations

from compliance.models import Organisation
from compliance.services.audit_trail import SystemActor


def seed(*, organisations: dict[str, Organisation], actor: SystemActor) -> None:
    """Called by ``seed_demo`` once the organisations, users and SoA exist."""
