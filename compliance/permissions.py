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
        }
    ),
    Role.AUDITOR: frozenset(
        {P.VIEW_ORGANISATION, P.VIEW_MEMBERS, P.VIEW_AUDIT_TRAIL, P.VIEW_COMPLIANCE, P.EDIT_STATUS}
    ),
    Role.CONTRIBUTOR: frozenset(
        {P.VIEW_ORGANISATION, P.VIEW_MEMBERS, P.VIEW_COMPLIANCE, P.EDIT_STATUS}
    ),
    Role.VIEWER: frozenset({P.VIEW_ORGANISATION, P.VIEW_COMPLIANCE}),
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
