"""Loading framework catalogues and mapping sets (docs/catalogue-format.md).

Every importer (Egide YAML, OSCAL, CISO Assistant) turns its input into an Egide
catalogue document and calls ``catalogue_import_document``: one validator, one writer,
one transaction, so a bad file never leaves half a framework behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from compliance.services.audit_trail import Actor, audit_event_record
from controls.choices import Relationship, RequirementKind
from controls.models import (
    Framework,
    MappingSet,
    Requirement,
    RequirementAttribute,
    RequirementMapping,
    Theme,
)

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogues"
CATALOGUE_SCHEMA = "egide-catalogue/1"
MAPPING_SCHEMA = "egide-mapping/1"
KINDS = set(RequirementKind.values)
RELATIONSHIPS = set(Relationship.values)
# Bounds on a parsed file, checked before anything walks it. The largest real catalogues
# (NIST SP 800-53 in OSCAL) hold a few hundred thousand values, twenty levels deep. YAML
# aliases are counted each time they are used, so "billion laughs" (nine aliases of nine
# aliases of ...) is refused instead of expanding into gigabytes when it is hashed.
MAX_DEPTH = 100
MAX_VALUES = 2_000_000


class CatalogueError(ValueError):
    """A catalogue or mapping file that cannot be loaded; the message names the place."""


@dataclass
class LoadResult:
    framework: str
    status: str  # created | updated | unchanged
    requirements: int = 0


@dataclass
class MappingResult:
    mapping_set: str
    status: str
    links: int = 0


@dataclass
class FlatNode:
    path: str
    ref_id: str
    parent_ref: str | None
    depth: int
    order: int
    data: dict[str, Any] = field(default_factory=dict)


def document_sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def document_shape_check(data: Any, name: str) -> Any:
    """``data`` as parsed, once it is known to be a tree of bounded depth and size whose
    mapping keys are text (the hash sorts them); raises CatalogueError otherwise."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    values = 0
    while stack:
        value, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise CatalogueError(f"{name}: more than {MAX_VALUES:,} values (YAML aliases count).")
        if depth > MAX_DEPTH:
            raise CatalogueError(f"{name}: nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise CatalogueError(f"{name}: the key {key!r} is not text (quote it).")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return data


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        raise CatalogueError(f"{path.name}: not valid YAML at {where}: {error.problem}") from None
    except (yaml.YAMLError, ValueError) as error:  # a bad byte, a bad escape
        raise CatalogueError(f"{path.name}: not valid YAML: {error}.") from None
    except RecursionError:
        raise CatalogueError(f"{path.name}: nested too deeply.") from None
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error.strerror}).") from None
    return document_shape_check(data, path.name)


def _bilingual(value: Any, where: str, *, required: bool = True) -> tuple[str, str]:
    if value is None and not required:
        return "", ""
    if isinstance(value, str):
        return value, value
    if not isinstance(value, dict) or not (value.get("fr") or value.get("en")):
        raise CatalogueError(f"{where}: expected {{fr: ..., en: ...}}.")
    french = str(value.get("fr") or value.get("en"))
    english = str(value.get("en") or value.get("fr"))
    return french, english


def _flatten(nodes: Any, where: str) -> Iterator[FlatNode]:
    counter = 0

    def walk(items: Any, path: str, parent: str | None, depth: int) -> Iterator[FlatNode]:
        nonlocal counter
        if not isinstance(items, list):
            raise CatalogueError(f"{path}: expected a list of requirements.")
        if depth > MAX_DEPTH:
            raise CatalogueError(f"{path}: requirements nested more than {MAX_DEPTH} deep.")
        for index, node in enumerate(items):
            here = f"{path}[{index}]"
            if not isinstance(node, dict) or not node.get("ref_id"):
                raise CatalogueError(f"{here}: every requirement needs a ref_id.")
            ref_id = str(node["ref_id"])
            here = f"{here} (ref_id {ref_id!r})"
            counter += 1
            yield FlatNode(here, ref_id, parent, depth, counter, node)
            if node.get("children"):
                yield from walk(node["children"], f"{here}.children", ref_id, depth + 1)

    yield from walk(nodes, where, None, 0)


def validate_catalogue(document: Any, name: str) -> list[FlatNode]:
    """Check a catalogue document and return its nodes in display order."""
    if not isinstance(document, dict) or document.get("schema") != CATALOGUE_SCHEMA:
        raise CatalogueError(
            f"{name}: not an Egide catalogue (schema: {CATALOGUE_SCHEMA} expected)."
        )
    framework = document.get("framework")
    if not isinstance(framework, dict):
        raise CatalogueError(f"{name}: 'framework' section missing.")
    for key in ("code", "version", "name"):
        if not framework.get(key):
            raise CatalogueError(f"{name}: framework.{key} is missing.")
    # Lengths are the database columns': PostgreSQL refuses a longer value (a 500 from
    # the middle of the load, where SQLite would store it).
    _check_length(framework["code"], 40, f"{name}: framework.code")
    _check_length(framework["version"], 40, f"{name}: framework.version")
    _check_length(framework.get("publisher") or "", 200, f"{name}: framework.publisher")
    for text in _bilingual(framework["name"], f"{name}: framework.name"):
        _check_length(text, 200, f"{name}: framework.name")
    themes = document.get("themes") or []
    if not isinstance(themes, list):
        raise CatalogueError(f"{name}: themes must be a list.")
    theme_codes = set()
    for index, theme in enumerate(themes):
        if not isinstance(theme, dict) or not isinstance(theme.get("code"), str | int):
            raise CatalogueError(f"{name}: themes[{index}] needs a code.")
        if not str(theme["code"]):
            raise CatalogueError(f"{name}: themes[{index}] needs a code.")
        _check_length(theme["code"], 60, f"{name}: themes[{index}].code")
        for text in _bilingual(theme.get("name"), f"{name}: themes[{index}].name"):
            _check_length(text, 200, f"{name}: themes[{index}].name")
        theme_codes.add(theme["code"])

    nodes = list(_flatten(document.get("requirements"), f"{name}: requirements"))
    if not nodes:
        raise CatalogueError(f"{name}: no requirements.")
    seen: set[str] = set()
    for node in nodes:
        if node.ref_id in seen:
            raise CatalogueError(f"{node.path}: ref_id used twice.")
        seen.add(node.ref_id)
        _check_length(node.ref_id, 40, f"{node.path}: ref_id")
        kind = node.data.get("kind", RequirementKind.REQUIREMENT)
        if not isinstance(kind, str) or kind not in KINDS:
            raise CatalogueError(f"{node.path}: unknown kind {kind!r} (one of {sorted(KINDS)}).")
        _bilingual(node.data.get("title"), f"{node.path}: title")
        if node.data.get("description") is not None:
            _bilingual(node.data["description"], f"{node.path}: description")
        theme = node.data.get("theme")
        if theme and (not isinstance(theme, str | int) or theme not in theme_codes):
            raise CatalogueError(f"{node.path}: theme {theme!r} is not declared in 'themes'.")
        attributes = node.data.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise CatalogueError(f"{node.path}: attributes must be a mapping.")
        for family, values in attributes.items():
            if isinstance(values, list):  # stored one row per value, both in short columns
                _check_length(family, 60, f"{node.path}: attribute family")
                for value in values:
                    _check_length(value, 60, f"{node.path}: attributes.{family}")
    return nodes


def _check_length(value: Any, limit: int, where: str) -> None:
    if len(str(value)) > limit:
        raise CatalogueError(f"{where}: longer than {limit} characters.")


def catalogue_import_document(
    document: dict[str, Any], *, actor: Actor, name: str, origin: str = "egide"
) -> LoadResult:
    """Create the framework version, or update its texts in place when the same version
    was loaded from different content. Requirements are never deleted: organisations'
    statuses point at them."""
    nodes = validate_catalogue(document, name)
    meta = document["framework"]
    code, version = str(meta["code"]), str(meta["version"])
    digest = document_sha256(document)

    with transaction.atomic():
        framework = Framework.objects.select_for_update().filter(code=code, version=version).first()
        if framework is not None and framework.content_sha256 == digest:
            return LoadResult(f"{code}@{version}", "unchanged", len(nodes))
        status = "created" if framework is None else "updated"
        name_fr, name_en = _bilingual(meta["name"], "framework.name")
        description_fr, description_en = _bilingual(meta.get("description"), "", required=False)
        values = {
            "name_fr": name_fr,
            "name_en": name_en,
            "description_fr": description_fr,
            "description_en": description_en,
            "publisher": str(meta.get("publisher") or ""),
            "source": str(meta.get("source") or ""),
            "has_statement_of_applicability": bool(meta.get("statement_of_applicability")),
            "attribute_families": document.get("attribute_families") or [],
            "content_sha256": digest,
            "origin": origin,
        }
        framework, _ = Framework.objects.update_or_create(
            code=code, version=version, defaults=values
        )

        themes = {}
        for order, theme in enumerate(document.get("themes") or []):
            theme_fr, theme_en = _bilingual(theme["name"], "theme")
            themes[theme["code"]], _ = Theme.objects.update_or_create(
                framework=framework,
                code=theme["code"],
                defaults={"name_fr": theme_fr, "name_en": theme_en, "order": order},
            )

        existing = {r.ref_id: r for r in Requirement.objects.filter(framework=framework)}
        to_create: list[Requirement] = []
        to_update: list[Requirement] = []
        for node in nodes:
            title_fr, title_en = _bilingual(node.data["title"], node.path)
            text_fr, text_en = _bilingual(node.data.get("description"), node.path, required=False)
            attributes = node.data.get("attributes") or {}
            fields = {
                "kind": node.data.get("kind", RequirementKind.REQUIREMENT),
                "theme": themes.get(node.data.get("theme") or ""),
                "title_fr": title_fr[:300],
                "title_en": title_en[:300],
                "description_fr": text_fr,
                "description_en": text_en,
                "assessable": bool(node.data.get("assessable", False)),
                "attributes": {k: v for k, v in attributes.items() if not isinstance(v, list)},
                "order": node.order,
                "depth": node.depth,
            }
            requirement = existing.get(node.ref_id)
            if requirement is None:
                requirement = Requirement(framework=framework, ref_id=node.ref_id, **fields)
                to_create.append(requirement)
                existing[node.ref_id] = requirement
            else:
                for key, value in fields.items():
                    setattr(requirement, key, value)
                to_update.append(requirement)
        Requirement.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            Requirement.objects.bulk_update(
                to_update,
                [
                    "kind",
                    "theme",
                    "title_fr",
                    "title_en",
                    "description_fr",
                    "description_en",
                    "assessable",
                    "attributes",
                    "order",
                    "depth",
                ],
                batch_size=500,
            )

        # Parents, now that every node has an id.
        with_parents = []
        for node in nodes:
            requirement = existing[node.ref_id]
            parent = existing[node.parent_ref] if node.parent_ref else None
            if requirement.parent_id != (parent.pk if parent else None):
                requirement.parent = parent
                with_parents.append(requirement)
        Requirement.objects.bulk_update(with_parents, ["parent"], batch_size=500)

        RequirementAttribute.objects.filter(requirement__framework=framework).delete()
        RequirementAttribute.objects.bulk_create(
            [
                RequirementAttribute(
                    requirement=existing[node.ref_id], family=family, value=str(value)
                )
                for node in nodes
                for family, values in (node.data.get("attributes") or {}).items()
                if isinstance(values, list)
                for value in values
            ],
            batch_size=1000,
        )
        audit_event_record(
            actor=actor,
            organisation=None,
            action=f"framework.{'load' if status == 'created' else 'reload'}",
            target=framework,
            changes={"requirements": [None, len(nodes)], "sha256": [None, digest]},
        )
    return LoadResult(f"{code}@{version}", status, len(nodes))


def _framework_for(reference: Any, where: str) -> Framework:
    if not isinstance(reference, dict) or not reference.get("framework"):
        raise CatalogueError(f"{where}: expected {{framework: CODE, version: VERSION}}.")
    frameworks = Framework.objects.filter(code=reference["framework"])
    if reference.get("version"):
        frameworks = frameworks.filter(version=str(reference["version"]))
    framework = frameworks.order_by("-version").first()
    if framework is None:
        raise CatalogueError(f"{where}: framework {reference['framework']!r} is not loaded.")
    return framework


def mapping_import_document(document: Any, *, actor: Actor, name: str) -> MappingResult:
    if not isinstance(document, dict) or document.get("schema") != MAPPING_SCHEMA:
        raise CatalogueError(
            f"{name}: not an Egide mapping set (schema: {MAPPING_SCHEMA} expected)."
        )
    source = _framework_for(document.get("source"), f"{name}: source")
    target = _framework_for(document.get("target"), f"{name}: target")
    links = document.get("links")
    if not isinstance(links, list) or not links:
        raise CatalogueError(f"{name}: no links.")
    digest = document_sha256(document)
    set_name = f"{source.code}@{source.version}--{target.code}@{target.version}"
    source_refs = dict(Requirement.objects.filter(framework=source).values_list("ref_id", "pk"))
    target_refs = dict(Requirement.objects.filter(framework=target).values_list("ref_id", "pk"))

    links_to_create = []
    for index, link in enumerate(links):
        where = f"{name}: links[{index}]"
        if not isinstance(link, dict):
            raise CatalogueError(f"{where}: expected a mapping.")
        source_ref, target_ref = str(link.get("source")), str(link.get("target"))
        if source_ref not in source_refs:
            raise CatalogueError(f"{where}: {source.code} has no requirement {source_ref!r}.")
        if target_ref not in target_refs:
            raise CatalogueError(f"{where}: {target.code} has no requirement {target_ref!r}.")
        relationship = link.get("relationship")
        if relationship not in RELATIONSHIPS:
            raise CatalogueError(f"{where}: relationship must be one of {sorted(RELATIONSHIPS)}.")
        rationale_fr, rationale_en = _bilingual(link.get("rationale"), where, required=False)
        links_to_create.append(
            RequirementMapping(
                source_id=source_refs[source_ref],
                target_id=target_refs[target_ref],
                relationship=relationship,
                rationale_fr=rationale_fr,
                rationale_en=rationale_en,
            )
        )

    with transaction.atomic():
        mapping_set = MappingSet.objects.select_for_update().filter(name=set_name).first()
        if mapping_set is not None and mapping_set.content_sha256 == digest:
            return MappingResult(set_name, "unchanged", len(links_to_create))
        status = "created" if mapping_set is None else "updated"
        description_fr, description_en = _bilingual(
            document.get("description"), name, required=False
        )
        mapping_set, _ = MappingSet.objects.update_or_create(
            name=set_name,
            defaults={
                "source": source,
                "target": target,
                "description_fr": description_fr,
                "description_en": description_en,
                "content_sha256": digest,
            },
        )
        mapping_set.links.all().delete()
        for link in links_to_create:
            link.mapping_set = mapping_set
        RequirementMapping.objects.bulk_create(links_to_create, batch_size=1000)
        audit_event_record(
            actor=actor,
            organisation=None,
            action=f"mapping_set.{'load' if status == 'created' else 'reload'}",
            target=mapping_set,
            changes={"links": [None, len(links_to_create)], "sha256": [None, digest]},
        )
    return MappingResult(set_name, status, len(links_to_create))


def load_builtin_catalogues(*, actor: Actor) -> tuple[list[LoadResult], list[MappingResult]]:
    """Every framework file, then every mapping file, shipped in controls/catalogues/."""
    frameworks = [
        catalogue_import_document(read_yaml(path), actor=actor, name=path.name)
        for path in sorted(CATALOGUE_DIR.glob("*.yaml"))
    ]
    mappings = [
        mapping_import_document(read_yaml(path), actor=actor, name=path.name)
        for path in sorted((CATALOGUE_DIR / "mappings").glob("*.yaml"))
    ]
    return frameworks, mappings
