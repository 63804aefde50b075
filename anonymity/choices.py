"""Stable codes of the anonymity app (the database stores these, the UI shows labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class AssessmentStatus(models.TextChoices):
    """``queued → running → done | failed``: the measure runs in a Celery worker."""

    # A context of their own: other apps translate the same words for other jobs.
    QUEUED = "queued", pgettext_lazy("anonymity assessment", "Queued")
    RUNNING = "running", pgettext_lazy("anonymity assessment", "Running")
    DONE = "done", pgettext_lazy("anonymity assessment", "Done")
    FAILED = "failed", pgettext_lazy("anonymity assessment", "Failed")


class AssessmentStep(models.TextChoices):
    """What the worker is doing, shown beside the progress bar."""

    READING = "reading", _("Reading the rows")
    CLASSES = "classes", _("Computing the equivalence classes")
    FREE_TEXT = "free_text", _("Scanning the free text")
    RERUN = "rerun", _("Measuring again after the generalisations")
