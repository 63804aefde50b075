"""Writes of the evidence app (see evidence.services.evidence and .integrity)."""

from evidence.services.evidence import (
    evidence_create,
    evidence_link_update,
    evidence_requirement_unlink,
    evidence_requirements_link,
    revision_add,
)
from evidence.services.integrity import evidence_verify

__all__ = [
    "evidence_create",
    "evidence_link_update",
    "evidence_requirement_unlink",
    "evidence_requirements_link",
    "evidence_verify",
    "revision_add",
]
