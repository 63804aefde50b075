"""Stable codes for catalogues, mappings and implementation statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementKind(models.TextChoices):
    CLAUSE = "clause", _("Clause")
    CONTROL = "control", _("Control")
    ARTICLE = "article", _("Article")
    PARAGRAPH = "paragraph", _("Paragraph")
    POINT = "point", _("Point")
    CHAPTER = "chapter", _("Chapter")
    REQUIREMENT = "requirement", _("Requirement")
    ACTIVITY = "activity", _("Activity")
    FORMALITY = "formality", _("Formality")
    STAGE = "stage", _("Reporting stage")
    RULE = "rule", _("Rule")
    GROUP = "group", _("Group")


class Relationship(models.TextChoices):
    """NIST OLIR relationship types, read "source is <relationship> of target"."""

    EQUAL = "equal", _("equal")
    SUBSET = "subset", _("subset of")
    SUPERSET = "superset", _("superset of")
    INTERSECT = "intersect", _("intersects")

    @property
    def inverse(self) -> "Relationship":
        return {
            Relationship.SUBSET: Relationship.SUPERSET,
            Relationship.SUPERSET: Relationship.SUBSET,
        }.get(self, self)


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    PARTIAL = "partial", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")


# Weights of the compliance score (shown in the UI next to every score).
STATUS_SCORE = {
    ImplementationStatus.NOT_STARTED: 0.0,
    ImplementationStatus.PLANNED: 0.0,
    ImplementationStatus.PARTIAL: 0.5,
    ImplementationStatus.IMPLEMENTED: 1.0,
}
STATUS_ORDER = [
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.PLANNED,
    ImplementationStatus.PARTIAL,
    ImplementationStatus.IMPLEMENTED,
]
