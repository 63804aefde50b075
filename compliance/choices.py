"""Stable codes stored in the database; the UI shows the translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A member's role in one organisation (see compliance.permissions for what each may do)."""

    MANAGER = "manager", _("Manager")
    LEAD_AUDITOR = "lead_auditor", _("Lead auditor")
    AUDITOR = "auditor", _("Auditor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class OrganisationKind(models.TextChoices):
    HEALTH_ESTABLISHMENT = "health_establishment", _("Health establishment (clinic, hospital)")
    HOSPITAL_GROUP = "hospital_group", _("Hospital group")
    HDS_HOST = "hds_host", _("Certified health-data host (HDS)")
    SOFTWARE_VENDOR = "software_vendor", _("Health software vendor")
    PRACTICE = "practice", _("Medical practice")
    OTHER = "other", _("Other")


class Nis2Classification(models.TextChoices):
    """NIS2 Art. 3: essential or important entity, or outside the directive's scope."""

    ESSENTIAL = "essential", _("Essential entity")
    IMPORTANT = "important", _("Important entity")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    UNDETERMINED = "undetermined", _("Not yet determined")


class ApiKeyScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
