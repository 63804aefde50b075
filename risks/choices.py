"""Stable codes of the risk app; the UI shows the translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    SYSTEM = "system", _("System")
    SITE = "site", _("Site")
    SUPPLIER = "supplier", _("Supplier")


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")


class Treatment(models.TextChoices):
    """ISO/IEC 27001:2022 6.1.3 a): the risk treatment options."""

    REDUCE = "reduce", _("Reduce")
    AVOID = "avoid", _("Avoid")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept")


class ControlRole(models.TextChoices):
    EXISTING = "existing", _("Existing control")
    PLANNED = "planned", _("Planned control")


class LibrarySource(models.TextChoices):
    HDS_EXI_05 = "hds_exi05", _("HDS v2 EXI 05 event")
    HEALTH_SECTOR = "health_sector", _("Common health-sector scenario")


MIN_SCALE = 3
MAX_SCALE = 5
