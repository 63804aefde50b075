"""What each role may do in an organisation: the single permission table.

docs/permissions.md is generated from ``ROLE_PERMISSIONS`` (``manage.py
permission_table``); a test fails when the two drift apart.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.choices import Role


class Permission(models.TextChoices):
    VIEW_ORGANISATION = "view_organisation", _("See the organisation and its dashboard")
    CHANGE_ORGANISATION = (
        "change_organisation",
        _("Edit the organisation's details and security settings"),
    )
    VIEW_MEMBERS = "view_members", _("See the members and their roles")
    MANAGE_MEMBERS = "manage_members", _("Invite and remove members, change roles")
    MANAGE_API_KEYS = "manage_api_keys", _("Create and revoke API keys")
    VIEW_AUDIT_TRAIL = "view_audit_trail", _("Read the audit trail")
    VIEW_COMPLIANCE = "view_compliance", _("See frameworks, statuses, scores and the SoA")
    EDIT_STATUS = "edit_status", _("Record requirement statuses and confirm derived ones")
    EDIT_SOA = "edit_soa", _("Edit the Statement of Applicability")
    ISSUE_SOA = "issue_soa", _("Issue a numbered version of the SoA")
    VIEW_EVIDENCE = "view_evidence", _("See and download evidence")
    ADD_EVIDENCE = "add_evidence", _("Add evidence and upload new revisions")
    VIEW_AUDITS = "view_audits", _("See audits, checks and findings")
    MANAGE_AUDITS = "manage_audits", _("Plan, move through and close audits")
    RECORD_CHECKS = "record_checks", _("Record check results, notes and findings")
    VIEW_REMEDIATION = "view_remediation", _("See the remediation plan")
    EDIT_ACTIONS = "edit_actions", _("Create and update remediation actions")
    VIEW_REPORTS = "view_reports", _("See and download generated documents")
    REQUEST_REPORTS = "request_reports", _("Request PDF documents")
    VIEW_REGISTER = "view_register", _("See the processing register and Article 66 routes")
    EDIT_REGISTER = "edit_register", _("Edit the processing register and Article 66 routes")
    VIEW_INCIDENTS = "view_incidents", _("See incidents, notifications and the breach register")
    MANAGE_INCIDENTS = "manage_incidents", _("Declare and qualify incidents, record notifications")
    RUN_ANONYMITY_ASSESSMENTS = (
        "run_anonymity_assessments",
        _("Upload dataset extracts, run anonymity assessments and scan free text"),
    )
    VIEW_RISKS = "view_risks", _("See assets, the risk register and the treatment plan")
    MANAGE_RISKS = "manage_risks", _("Edit assets, risks, treatments and the risk methodology")
    ACCEPT_RISKS = "accept_risks", _("Accept residual risk as a risk owner or manager")


P = Permission

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset(P.values),
    Role.LEAD_AUDITOR: frozenset(
        {
            P.VIEW_ORGANISATION,
            P.VIEW_MEMBERS,
            P.VIEW_AUDIT_TRAIL,
            P.VIEW_COMPLIANCE,
            P.EDIT_STATUS,
            P.EDIT_SOA,
            P.ISSUE_SOA,
            P.VIEW_EVIDENCE,
            P.ADD_EVIDENCE,
            P.VIEW_AUDITS,
            P.MANAGE_AUDITS,
            P.RECORD_CHECKS,
            P.VIEW_REMEDIATION,
            P.EDIT_ACTIONS,
            P.VIEW_REPORTS,
            P.REQUEST_REPORTS,
            P.VIEW_REGISTER,
            P.VIEW_INCIDENTS,
            P.RUN_ANONYMITY_ASSESSMENTS,
            P.VIEW_RISKS,
            P.MANAGE_RISKS,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            P.VIEW_ORGANISATION,
            P.VIEW_MEMBERS,
            P.VIEW_AUDIT_TRAIL,
            P.VIEW_COMPLIANCE,
            P.EDIT_STATUS,
            P.VIEW_EVIDENCE,
            P.ADD_EVIDENCE,
            P.VIEW_AUDITS,
            P.RECORD_CHECKS,
            P.VIEW_REMEDIATION,
            P.VIEW_REPORTS,
            P.REQUEST_REPORTS,
            P.VIEW_REGISTER,
            P.VIEW_INCIDENTS,
            P.RUN_ANONYMITY_ASSESSMENTS,
            P.VIEW_RISKS,
        }
    ),
    # The clinic's own staff (CISO, DPO, IT): they keep evidence, the register, the
    # incidents and their remediation actions, but do not judge their own audit.
    Role.CONTRIBUTOR: frozenset(
        {
            P.VIEW_ORGANISATION,
            P.VIEW_MEMBERS,
            P.VIEW_COMPLIANCE,
            P.EDIT_STATUS,
            P.VIEW_EVIDENCE,
            P.ADD_EVIDENCE,
            P.VIEW_AUDITS,
            P.VIEW_REMEDIATION,
            P.EDIT_ACTIONS,
            P.VIEW_REPORTS,
            P.REQUEST_REPORTS,
            P.VIEW_REGISTER,
            P.EDIT_REGISTER,
            P.VIEW_INCIDENTS,
            P.MANAGE_INCIDENTS,
            P.RUN_ANONYMITY_ASSESSMENTS,
            P.VIEW_RISKS,
            P.MANAGE_RISKS,
            P.ACCEPT_RISKS,
        }
    ),
    Role.VIEWER: frozenset(
        {
            P.VIEW_ORGANISATION,
            P.VIEW_COMPLIANCE,
            P.VIEW_EVIDENCE,
            P.VIEW_AUDITS,
            P.VIEW_REMEDIATION,
            P.VIEW_REPORTS,
            P.VIEW_REGISTER,
            P.VIEW_INCIDENTS,
            P.VIEW_RISKS,
        }
    ),
}


def role_has_permission(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def permission_table_markdown() -> str:
    """The table shown in docs/permissions.md, in English."""
    from django.utils import translation

    with translation.override("en"):
        roles = list(Role)
        header = "| permission | " + " | ".join(f"`{role.value}`" for role in roles) + " |"
        rule = "|---|" + "---|" * len(roles)
        lines = [header, rule]
        for permission in Permission:
            cells = ["yes" if role_has_permission(role, permission) else "" for role in roles]
            lines.append(
                f"| {permission.label} (`{permission.value}`) | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines) + "\n"
