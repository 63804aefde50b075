"""Framework catalogues: shared by every organisation, loaded from controls/catalogues/."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from controls.choices import Relationship, RequirementKind


def localised(obj: object, field: str) -> str:
    """``field_fr`` or ``field_en`` by the active language, falling back to French."""
    language = (translation.get_language() or "fr")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language in ("fr", "en") else ""
    return str(value or getattr(obj, f"{field}_fr", "") or getattr(obj, f"{field}_en", ""))


class Framework(models.Model):
    """One version of a framework (ISO 27001:2022, NIS2, ...). A new version is a new row."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    source = models.TextField(_("source"), blank=True)
    # Its Annex A-like controls form the Statement of Applicability (ISO 27001 6.1.3 d).
    has_statement_of_applicability = models.BooleanField(default=False)
    attribute_families = models.JSONField(default=list, blank=True)
    # SHA-256 of the file it was loaded from: reloading an unchanged file does nothing.
    content_sha256 = models.CharField(max_length=64, blank=True)
    origin = models.CharField(max_length=20, default="egide")  # egide | oscal | ciso-assistant
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="framework_unique_code_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")


class Theme(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField(max_length=60)
    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="theme_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class RequirementQuerySet(models.QuerySet["Requirement"]):
    def assessable(self) -> RequirementQuerySet:
        return self.filter(assessable=True)

    def soa_controls(self) -> RequirementQuerySet:
        """The controls of a Statement of Applicability (ISO 27001 Annex A)."""
        return self.filter(
            framework__has_statement_of_applicability=True, kind=RequirementKind.CONTROL
        )


class Requirement(models.Model):
    """A node of a framework's tree: a clause, an Annex A control, an article, a point."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    ref_id = models.CharField(_("reference"), max_length=40)
    kind = models.CharField(max_length=16, choices=RequirementKind.choices)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="requirements"
    )
    title_fr = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    assessable = models.BooleanField(default=False)
    attributes = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[RequirementQuerySet] = RequirementQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref_id"], name="requirement_unique_ref")
        ]
        indexes = [models.Index(fields=["framework", "order"], name="requirement_framework_order")]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def is_new_in_2022(self) -> bool:
        return bool(self.attributes.get("new_in_2022"))


class RequirementAttribute(models.Model):
    """One value of a multi-valued attribute (e.g. ISO 27002 ``control_type=preventive``),
    stored as rows so that lists filter by attribute on every database."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="attribute_values"
    )
    family = models.SlugField(max_length=60)
    value = models.SlugField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "family", "value"], name="requirement_attribute_unique"
            )
        ]
        indexes = [models.Index(fields=["family", "value"], name="requirement_attribute_lookup")]

    def __str__(self) -> str:
        return f"{self.family}={self.value}"


class MappingSet(models.Model):
    """A set of links from one framework version to another, loaded from one file."""

    name = models.CharField(max_length=200, unique=True)
    source = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class RequirementMapping(models.Model):
    """ "source is <relationship> of target" (NIST OLIR vocabulary)."""

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_in")
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    rationale_fr = models.TextField(blank=True)
    rationale_en = models.TextField(blank=True)
    mapping_set = models.ForeignKey(MappingSet, on_delete=models.CASCADE, related_name="links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="mapping_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.source.ref_id} {self.relationship} {self.target.ref_id}"

    @property
    def rationale(self) -> str:
        return localised(self, "rationale")
