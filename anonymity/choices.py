"""Stable codes of the anonymity app (the database stores these, the UI shows labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ColumnRole(models.TextChoices):
    DIRECT_IDENTIFIER = "direct_identifier", _("Direct identifier")
    PERSISTENT_PSEUDONYM = "persistent_pseudonym", _("Persistent pseudonym")
    QUASI_IDENTIFIER = "quasi_identifier", _("Quasi-identifier")
    SENSITIVE = "sensitive", _("Sensitive attribute")
    FREE_TEXT = "free_text", _("Free text")
    IGNORE = "ignore", _("Ignore")


class Verdict(models.TextChoices):
    """WP29 Opinion 05/2014 (WP216): a dataset that resists singling out, linkability and
    inference is a priori anonymous; otherwise it is at best pseudonymised (Recital 26)."""

    ANONYMOUS = "anonymous", _("Anonymous")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymised")


class Criterion(models.TextChoices):
    SINGLING_OUT = "singling_out", _("Singling out")
    LINKABILITY = "linkability", _("Linkability")
    INFERENCE = "inference", _("Inference")
