from audits.models.audit import Audit, AuditCheck
from audits.models.remediation import ActionReminder, Finding, RemediationAction

__all__ = ["ActionReminder", "Audit", "AuditCheck", "Finding", "RemediationAction"]
