"""Stable codes of the evidence app (the database stores the code, the UI the label)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntegrityStatus(models.TextChoices):
    """What the last ``verify_evidence`` run found for a stored file."""

    OK = "ok", _("intact")
    COMPROMISED = "compromised", _("compromised (content changed)")
    MISSING = "missing", _("missing (file not found)")


class EvidenceState(models.TextChoices):
    """Filter of the list: what a reader of the SoA wants to find."""

    VALID = "valid", _("valid")
    EXPIRED = "expired", _("expired")
    COMPROMISED = "compromised", _("compromised or missing")
