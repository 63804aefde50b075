"""Lessons learned from an incident become a finding and a remediation action
(ISO/IEC 27001:2022 A.5.27, "Learning from information security incidents"), through
the services of the audits app."""

from __future__ import annotations

from typing import Any

from incidents.models import Incident


def available() -> bool:
    try:
        from audits.services.actions import action_create  # noqa: F401
        from audits.services.findings import finding_create  # noqa: F401
    except ImportError:
        return False
    return True


def lessons_record(*, actor: Any, incident: Incident, **data: Any) -> None:
    raise NotImplementedError
