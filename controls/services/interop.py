"""Catalogue interchange: OSCAL 1.1 catalogs out and in, CISO Assistant libraries in.

Nothing here writes to the database by itself. Every importer turns its input into an
Egide catalogue or mapping document (docs/catalogue-format.md) and hands it to
``catalogue_import_document`` / ``mapping_import_document``, so validation, the audit row
and the all-or-nothing write stay in one place. ``catalogue_file_import`` wraps a whole
file in one more transaction, so a library holding a framework and a broken mapping set
leaves nothing behind either.

The OSCAL conventions (which prop or part carries which Egide field) are documented at
the end of docs/catalogue-format.md; the round trip Egide -> OSCAL -> Egide loses nothing
that Egide stores.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction

from compliance.services.audit_trail import Actor
from controls.models import Framework, Requirement, RequirementAttribute, Theme
from controls.services.catalogues import (
    CATALOGUE_SCHEMA,
    MAPPING_SCHEMA,
    RELATIONSHIPS,
    CatalogueError,
    LoadResult,
    MappingResult,
    catalogue_import_document,
    document_shape_check,
    mapping_import_document,
)

OSCAL_VERSION = "1.1.2"
# Egide's own OSCAL namespace: props and parts carrying it mean what docs/catalogue-format.md
# says; scalar and multi-valued requirement attributes get a namespace each, so that a free
# attribute key can never be mistaken for one of Egide's own prop names.
EGIDE_NS = "https://egide.example/ns/oscal"
ATTRIBUTE_NS = f"{EGIDE_NS}/attribute"
ATTRIBUTE_VALUE_NS = f"{EGIDE_NS}/attribute-value"
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, EGIDE_NS)
CISO_URN_ATTRIBUTE = "ciso_assistant_urn"

FORMAT_OSCAL = "oscal"
FORMAT_EGIDE_CATALOGUE = "egide-catalogue"
FORMAT_EGIDE_MAPPING = "egide-mapping"
FORMAT_CISO_ASSISTANT = "ciso-assistant"
FORMATS_UNDERSTOOD = (
    "an OSCAL 1.1 catalog (JSON or YAML with a top-level 'catalog')",
    f"an Egide catalogue (YAML, schema: {CATALOGUE_SCHEMA})",
    f"an Egide mapping set (YAML, schema: {MAPPING_SCHEMA})",
    "a CISO Assistant library (YAML with 'urn' and 'objects': framework or "
    "requirement_mapping_sets)",
)

# OSCAL TokenDatatype is ^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$. Python's \w is exactly
# letters, numbers and "_", so [^\W\d_] is a letter and [\w.\-] a token character.
_TOKEN = re.compile(r"[^\W\d_]|_", re.UNICODE)
_TOKEN_REST = re.compile(r"[\w.\-]*", re.UNICODE)
_NOT_TOKEN_CHARS = re.compile(r"[^\w.\-]+", re.UNICODE)
# OSCAL StringDatatype (prop values, versions) is ^\S(.*\S)?$: no surrounding blanks and,
# because "." stops at line ends in the validators' regex dialects, no line break.
_LINE_BREAKS = ("\n", "\r", "\u2028", "\u2029", "\x85")
_HEADLINE_LENGTH = 120
_REF_ID_MAX = 40


@dataclass
class ImportReport:
    """What one file brought in: its detected format and the loader's results."""

    format: str
    frameworks: list[LoadResult] = field(default_factory=list)
    mappings: list[MappingResult] = field(default_factory=list)
    skipped_links: int = 0


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def _pair(value: Any) -> tuple[str, str]:
    """(fr, en) of a bilingual value, with the loader's fallback from one to the other."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, value
    if isinstance(value, dict):
        french, english = str(value.get("fr") or ""), str(value.get("en") or "")
        return french or english, english or french
    return str(value), str(value)


def _bilingual_or_none(french: str, english: str) -> dict[str, str] | None:
    if not french and not english:
        return None
    return {"fr": french or english, "en": english or french}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_token(value: str) -> bool:
    return bool(value) and bool(_TOKEN.match(value[0])) and bool(_TOKEN_REST.fullmatch(value[1:]))


def _is_plain(value: str) -> bool:
    return bool(value) and value == value.strip() and not any(c in value for c in _LINE_BREAKS)


def slugify_code(text: str) -> str:
    """A framework code ([a-z0-9-], at most 40 characters) from a free name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].rstrip("-")


def oscal_id(ref_id: str) -> str:
    """An OSCAL token from a ref_id: "A.5.1" -> "a.5.1", "21.2.a" -> "r21.2.a"."""
    token = _NOT_TOKEN_CHARS.sub("-", ref_id.strip().lower()).strip("-")
    if not token or not _TOKEN.match(token[0]):
        token = f"r{token}"
    return token


class _IdAllocator:
    """Document-unique OSCAL ids: ref_ids that differ only by case get a suffix."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def allocate(self, base: str) -> str:
        candidate, counter = base, 1
        while candidate in self.used:
            counter += 1
            candidate = f"{base}_{counter}"
        self.used.add(candidate)
        return candidate


def _prop(name: str, value: Any, ns: str | None = EGIDE_NS) -> dict[str, str]:
    """An OSCAL prop. A value that is not a plain one-line string is JSON-encoded and
    marked ``class: json``, so types, line breaks and blanks survive the trip."""
    entry = {"name": name}
    if ns:
        entry["ns"] = ns
    if isinstance(value, str) and _is_plain(value):
        entry["value"] = value
        return entry
    text = json.dumps(value, ensure_ascii=False)
    if not _is_plain(text):  # a literal U+2028 and the like: fall back to \u escapes
        text = json.dumps(value)
    entry["value"] = text
    entry["class"] = "json"
    return entry


def _prop_value(prop: dict[str, Any], where: str) -> Any:
    value = prop.get("value")
    if prop.get("class") != "json":
        return "" if value is None else str(value)
    try:
        return json.loads(str(value))
    except json.JSONDecodeError:
        raise CatalogueError(
            f"{where}: prop {prop.get('name')!r} is marked class json but is not JSON."
        ) from None


# ---------------------------------------------------------------------------------------
# Reading a loaded framework back as an Egide catalogue document
# ---------------------------------------------------------------------------------------


def framework_get(code: str, version: str | None = None) -> Framework:
    """The loaded framework ``code`` (at ``version``, or its only loaded version)."""
    frameworks = list(Framework.objects.filter(code=code).order_by("version"))
    if version is not None:
        frameworks = [f for f in frameworks if f.version == version]
    if not frameworks:
        loaded = ", ".join(sorted({f"{f.code}@{f.version}" for f in Framework.objects.all()}))
        wanted = f"{code}@{version}" if version is not None else code
        raise CatalogueError(f"No framework {wanted} is loaded (loaded: {loaded or 'none'}).")
    if len(frameworks) > 1:
        versions = ", ".join(f.version for f in frameworks)
        raise CatalogueError(
            f"Framework {code} is loaded in several versions ({versions}): pass --version."
        )
    return frameworks[0]


def catalogue_document_from_framework(framework: Framework) -> dict[str, Any]:
    """The Egide catalogue document (docs/catalogue-format.md) that would load exactly what
    the database holds for ``framework``: three queries whatever its size."""
    themes = list(Theme.objects.filter(framework=framework).order_by("order", "pk"))
    theme_codes = {theme.pk: theme.code for theme in themes}
    requirements = list(Requirement.objects.filter(framework=framework).order_by("order", "pk"))
    values: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for row in RequirementAttribute.objects.filter(requirement__framework=framework).order_by("pk"):
        values[row.requirement_id].setdefault(row.family, []).append(row.value)

    nodes: dict[int, dict[str, Any]] = {}
    for requirement in requirements:
        node: dict[str, Any] = {
            "ref_id": requirement.ref_id,
            "kind": requirement.kind,
            "title": {"fr": requirement.title_fr, "en": requirement.title_en},
        }
        description = _bilingual_or_none(requirement.description_fr, requirement.description_en)
        if description:
            node["description"] = description
        node["assessable"] = requirement.assessable
        if requirement.theme_id in theme_codes:
            node["theme"] = theme_codes[requirement.theme_id]
        attributes = dict(requirement.attributes or {})
        attributes.update(values.get(requirement.pk, {}))
        if attributes:
            node["attributes"] = attributes
        nodes[requirement.pk] = node
    roots: list[dict[str, Any]] = []
    for requirement in requirements:  # ordered by display order: parents come first
        parent = nodes.get(requirement.parent_id) if requirement.parent_id else None
        siblings = parent.setdefault("children", []) if parent is not None else roots
        siblings.append(nodes[requirement.pk])

    meta: dict[str, Any] = {
        "code": framework.code,
        "version": framework.version,
        "name": {"fr": framework.name_fr, "en": framework.name_en},
    }
    if framework.publisher:
        meta["publisher"] = framework.publisher
    if framework.source:
        meta["source"] = framework.source
    description = _bilingual_or_none(framework.description_fr, framework.description_en)
    if description:
        meta["description"] = description
    if framework.has_statement_of_applicability:
        meta["statement_of_applicability"] = True
    document: dict[str, Any] = {"schema": CATALOGUE_SCHEMA, "framework": meta}
    if themes:
        document["themes"] = [
            {"code": theme.code, "name": {"fr": theme.name_fr, "en": theme.name_en}}
            for theme in themes
        ]
    if framework.attribute_families:
        document["attribute_families"] = framework.attribute_families
    document["requirements"] = roots
    return document


# ---------------------------------------------------------------------------------------
# Egide -> OSCAL
# ---------------------------------------------------------------------------------------


def catalog_uuid(code: str, version: str) -> str:
    """Deterministic: the same framework version always exports under the same UUID."""
    return str(uuid.uuid5(UUID_NAMESPACE, f"{code}@{version}"))


def oscal_catalog_from_document(
    document: dict[str, Any], *, last_modified: datetime | None = None
) -> dict[str, Any]:
    """An OSCAL 1.1 catalog for an Egide catalogue document.

    Grouping nodes become OSCAL groups only where a whole list of siblings are grouping
    nodes (non-assessable, with children): OSCAL keeps a group's groups and controls in
    two separate arrays, so mixing them would lose the display order. Everything else is
    a control, nested under its parent control."""
    meta = document["framework"]
    code, version = str(meta["code"]), str(meta["version"])
    name_fr, name_en = _pair(meta["name"])
    description_fr, description_en = _pair(meta.get("description"))
    props = [_prop("framework-code", code), _prop("name-fr", name_fr)]
    if description_fr:
        props.append(_prop("description-fr", description_fr))
    if meta.get("publisher"):
        props.append(_prop("publisher", str(meta["publisher"])))
    if meta.get("source"):
        props.append(_prop("source", str(meta["source"])))
    if meta.get("statement_of_applicability"):
        props.append(_prop("statement-of-applicability", "true"))
    if document.get("themes"):
        props.append(_prop("themes", document["themes"]))
    if document.get("attribute_families"):
        props.append(_prop("attribute-families", document["attribute_families"]))

    moment = (last_modified or datetime.now(tz=UTC)).astimezone(UTC)
    metadata: dict[str, Any] = {
        "title": name_en,
        "last-modified": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": props,
    }
    if description_en:
        metadata["remarks"] = description_en
    catalog: dict[str, Any] = {"uuid": catalog_uuid(code, version), "metadata": metadata}
    catalog.update(_oscal_children(document.get("requirements") or [], _IdAllocator(), False))
    return {"catalog": catalog}


def _oscal_children(
    nodes: list[dict[str, Any]], ids: _IdAllocator, inside_control: bool
) -> dict[str, list[dict[str, Any]]]:
    if not nodes:
        return {}
    as_groups = not inside_control and all(
        not node.get("assessable") and node.get("children") for node in nodes
    )
    key = "groups" if as_groups else "controls"
    return {key: [_oscal_entry(node, ids, as_groups) for node in nodes]}


def _oscal_entry(node: dict[str, Any], ids: _IdAllocator, as_group: bool) -> dict[str, Any]:
    ref_id = str(node["ref_id"])
    entry_id = ids.allocate(oscal_id(ref_id))
    title_fr, title_en = _pair(node["title"])
    text_fr, text_en = _pair(node.get("description"))
    props = [
        _prop("label", ref_id, ns=None),
        _prop("kind", str(node.get("kind") or "requirement")),
        _prop("assessable", "true" if node.get("assessable") else "false"),
    ]
    if node.get("theme"):
        props.append(_prop("theme", str(node["theme"])))
    props.append(_prop("title-fr", title_fr))
    for key, value in (node.get("attributes") or {}).items():
        if not _is_token(str(key)):
            raise CatalogueError(
                f"{ref_id}: attribute {key!r} cannot be an OSCAL prop name "
                "(a letter or _ first, then letters, digits, '.', '-', '_')."
            )
        if isinstance(value, list):
            props.extend(_prop(str(key), item, ATTRIBUTE_VALUE_NS) for item in value)
        else:
            props.append(_prop(str(key), value, ATTRIBUTE_NS))
    entry: dict[str, Any] = {"id": entry_id, "title": title_en, "props": props}
    parts: list[dict[str, Any]] = []
    if text_en:
        parts.append({"id": ids.allocate(f"{entry_id}_smt"), "name": "statement", "prose": text_en})
    if text_fr:
        parts.append(
            {
                "id": ids.allocate(f"{entry_id}_smt.fr"),
                "name": "statement",
                "ns": EGIDE_NS,
                "props": [_prop("lang", "fr")],
                "prose": text_fr,
            }
        )
    if parts:
        entry["parts"] = parts
    entry.update(_oscal_children(node.get("children") or [], ids, not as_group))
    return entry


def oscal_catalog_export(framework: Framework) -> dict[str, Any]:
    """The OSCAL catalog of a loaded framework version (read only)."""
    return oscal_catalog_from_document(
        catalogue_document_from_framework(framework), last_modified=framework.loaded_at
    )


# ---------------------------------------------------------------------------------------
# OSCAL -> Egide
# ---------------------------------------------------------------------------------------


def _props_by_ns(props: Any, where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Egide's own props (decoded, by name) and every prop as it is."""
    if props is None:
        return {}, []
    if not isinstance(props, list) or not all(isinstance(p, dict) for p in props):
        raise CatalogueError(f"{where}: props must be a list of {{name, value}} objects.")
    own = {
        str(p.get("name")): _prop_value(p, where)
        for p in reversed(props)  # reversed: the first of two same-named props wins
        if p.get("ns") == EGIDE_NS
    }
    return own, props


def _label(props: list[dict[str, Any]]) -> str:
    labels = [p for p in props if p.get("name") == "label" and not p.get("ns")]
    labels.sort(key=lambda p: 1 if p.get("class") else 0)  # NIST: the unclassed label first
    if not labels:
        return ""
    value = _prop_value(labels[0], "label")
    # A JSON-encoded label is Egide's, kept exactly; other catalogs' labels are trimmed.
    return str(value) if labels[0].get("class") == "json" else _text(value)


def _prose(part: dict[str, Any]) -> str:
    """A part's text with its sub-parts (NIST statements nest items "a.", "b." ...)."""
    lines = [str(part["prose"])] if part.get("prose") else []
    subs = part.get("parts")
    for sub in subs if isinstance(subs, list) else []:
        if not isinstance(sub, dict):
            continue
        text = _prose(sub)
        label = _label(sub.get("props") or []) if isinstance(sub.get("props"), list) else ""
        if text:
            lines.append(f"{label} {text}" if label else text)
    return "\n".join(lines)


def catalogue_document_from_oscal(
    data: dict[str, Any], *, name: str, version: str | None = None
) -> dict[str, Any]:
    """An Egide catalogue document from an OSCAL catalog: Egide's own exports come back as
    they were; other catalogs load with groups as non-assessable ``group`` nodes and
    controls as assessable ``control`` nodes, the ``label`` prop (else the id) as ref_id."""
    catalog = data.get("catalog")
    if not isinstance(catalog, dict):
        raise CatalogueError(f"{name}: 'catalog' must be an object.")
    metadata = catalog.get("metadata")
    if not isinstance(metadata, dict):
        raise CatalogueError(f"{name}: catalog.metadata is missing.")
    own, _ = _props_by_ns(metadata.get("props"), f"{name}: catalog.metadata")
    title = _text(metadata.get("title"))
    if not title:
        raise CatalogueError(f"{name}: catalog.metadata.title is missing.")
    code = _text(own.get("framework-code")) or slugify_code(title)
    version = version or _text(metadata.get("version"))
    if not code:
        raise CatalogueError(f"{name}: no framework code can be made from the title {title!r}.")
    if not version:
        raise CatalogueError(f"{name}: catalog.metadata.version is missing.")

    meta: dict[str, Any] = {
        "code": code,
        "version": version,
        "name": {"fr": str(own.get("name-fr") or title), "en": title},
        "source": str(own.get("source") or f"OSCAL catalog {catalog.get('uuid', '')}".strip()),
    }
    if own.get("publisher"):
        meta["publisher"] = str(own["publisher"])
    description = _bilingual_or_none(
        str(own.get("description-fr") or ""), str(metadata.get("remarks") or "")
    )
    if description:
        meta["description"] = description
    if own.get("statement-of-applicability") == "true":
        meta["statement_of_applicability"] = True
    document: dict[str, Any] = {"schema": CATALOGUE_SCHEMA, "framework": meta}
    for prop_name, key in (("themes", "themes"), ("attribute-families", "attribute_families")):
        if own.get(prop_name) is not None:
            if not isinstance(own[prop_name], list):
                raise CatalogueError(f"{name}: metadata prop {prop_name!r} must be a JSON list.")
            document[key] = own[prop_name]
    document["requirements"] = _requirements_from_oscal(catalog, f"{name}: catalog")
    return document


def _requirements_from_oscal(container: dict[str, Any], where: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    # Egide never mixes the two arrays; for other catalogs a container's own controls
    # come before its sub-groups.
    for key in ("controls", "groups"):
        items = container.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise CatalogueError(f"{where}.{key}: expected a list.")
        for index, item in enumerate(items):
            nodes.append(_requirement_from_oscal(item, f"{where}.{key}[{index}]", key == "groups"))
    return nodes


def _requirement_from_oscal(item: Any, where: str, is_group: bool) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}: expected an object.")
    if item.get("id"):
        where = f"{where} (id {item['id']!r})"
    own, props = _props_by_ns(item.get("props"), where)
    ref_id = _label(props) or _text(item.get("id"))
    if not ref_id:
        raise CatalogueError(f"{where}: no id and no label prop.")
    title_en = str(item.get("title") or "")
    if not title_en.strip():
        raise CatalogueError(f"{where}: title is missing.")
    withdrawn = any(p.get("name") == "status" and p.get("value") == "withdrawn" for p in props)
    assessable = (
        own["assessable"] == "true" if "assessable" in own else not is_group and not withdrawn
    )
    node: dict[str, Any] = {
        "ref_id": ref_id,
        "kind": str(own.get("kind") or ("group" if is_group else "control")),
        "title": {"fr": str(own.get("title-fr") or title_en), "en": title_en},
    }

    text_en = text_fr = ""
    parts = item.get("parts") or []
    if not isinstance(parts, list):
        raise CatalogueError(f"{where}: parts must be a list.")
    for part in parts:
        if not isinstance(part, dict) or part.get("name") != "statement":
            continue
        if not part.get("ns") and not text_en:
            text_en = _prose(part)
        elif part.get("ns") == EGIDE_NS and not text_fr:
            lang, _ = _props_by_ns(part.get("props"), f"{where}: statement")
            if lang.get("lang") == "fr":
                text_fr = _prose(part)
    description = _bilingual_or_none(text_fr, text_en)
    if description:
        node["description"] = description
    node["assessable"] = assessable
    if own.get("theme"):
        node["theme"] = str(own["theme"])

    scalars: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {}
    for prop in props:
        if prop.get("ns") == ATTRIBUTE_NS:
            scalars[str(prop.get("name"))] = _prop_value(prop, where)
        elif prop.get("ns") == ATTRIBUTE_VALUE_NS:
            lists.setdefault(str(prop.get("name")), []).append(_prop_value(prop, where))
    both = scalars.keys() & lists.keys()
    if both:
        raise CatalogueError(f"{where}: attribute {sorted(both)[0]!r} is both scalar and a list.")
    if scalars or lists:
        node["attributes"] = {**scalars, **lists}
    children = _requirements_from_oscal(item, where)
    if children:
        node["children"] = children
    return node


# ---------------------------------------------------------------------------------------
# CISO Assistant libraries -> Egide
# ---------------------------------------------------------------------------------------


def _ciso_localised(obj: dict[str, Any], key: str, locale: str) -> tuple[str, str]:
    """(fr, en) of a CISO Assistant field: the object's own value is in the library's
    ``locale``; ``translations: {fr: {name, description}}`` give the other languages."""
    base = _text(obj.get(key))
    values = {locale: base} if base else {}
    translations = obj.get("translations")
    if isinstance(translations, dict):
        for language, texts in translations.items():
            if isinstance(texts, dict) and _text(texts.get(key)):
                values.setdefault(str(language)[:2].lower(), _text(texts.get(key)))
    fallback = base or next(iter(values.values()), "")
    return values.get("fr") or fallback, values.get("en") or fallback


def _headline(text: str) -> str:
    """A title for a node that has only a description (CISO Assistant allows it)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= _HEADLINE_LENGTH:
        return line
    return line[:_HEADLINE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "x", "yes", "1")
    return bool(value)


def _ciso_list(objects: dict[str, Any], singular: str, plural: str, where: str) -> list[Any]:
    items: list[Any] = []
    if objects.get(singular) is not None:
        items.append(objects[singular])
    if objects.get(plural) is not None:
        if not isinstance(objects[plural], list):
            raise CatalogueError(f"{where}: objects.{plural} must be a list.")
        items.extend(objects[plural])
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise CatalogueError(f"{where}: objects.{plural}[{index}] must be a mapping.")
    return items


def catalogue_documents_from_ciso_library(
    library: dict[str, Any], *, name: str
) -> list[dict[str, Any]]:
    """One Egide catalogue document per framework of a CISO Assistant library
    (``objects.framework``; ``objects.frameworks`` is read too)."""
    objects = library.get("objects")
    if not isinstance(objects, dict):
        raise CatalogueError(f"{name}: 'objects' must be a mapping.")
    frameworks = _ciso_list(objects, "framework", "frameworks", name)
    if not frameworks:
        return []
    version = _text(library.get("version"))
    if not version:
        raise CatalogueError(f"{name}: the library has no version.")
    locale = (_text(library.get("locale")) or "en")[:2].lower()
    documents = []
    for index, framework in enumerate(frameworks):
        where = f"{name}: objects.framework" if len(frameworks) == 1 else f"{name}: frameworks"
        where = f"{where}[{index}]" if len(frameworks) > 1 else where
        # One framework: the library's ref_id names it (as the brief for Egide codes says);
        # several: each framework's own ref_id.
        code_source = _text(library.get("ref_id")) if len(frameworks) == 1 else ""
        code_source = code_source or _text(framework.get("ref_id"))
        code = slugify_code(code_source or _text(framework.get("urn")).rsplit(":", 1)[-1])
        if not code:
            raise CatalogueError(f"{where}: no ref_id to make a framework code from.")
        documents.append(_ciso_framework_document(library, framework, code, version, locale, where))
    return documents


def _ciso_framework_document(
    library: dict[str, Any],
    framework: dict[str, Any],
    code: str,
    version: str,
    locale: str,
    where: str,
) -> dict[str, Any]:
    name_fr, name_en = _ciso_localised(framework, "name", locale)
    if not name_en:
        name_fr, name_en = _ciso_localised(library, "name", locale)
    if not name_en:
        raise CatalogueError(f"{where}: the framework has no name.")
    description_fr, description_en = _ciso_localised(framework, "description", locale)
    if not description_en:
        description_fr, description_en = _ciso_localised(library, "description", locale)
    source = (
        f"CISO Assistant library {_text(library.get('urn'))}, "
        f"framework {_text(framework.get('urn'))}"
    )
    if _text(library.get("copyright")):
        source += f"; copyright: {_text(library.get('copyright'))}"
    meta: dict[str, Any] = {
        "code": code,
        "version": version,
        "name": {"fr": name_fr, "en": name_en},
        "source": source,
    }
    if _text(library.get("provider")):
        meta["publisher"] = _text(library.get("provider"))
    description = _bilingual_or_none(description_fr, description_en)
    if description:
        meta["description"] = description
    raw_nodes = framework.get("requirement_nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise CatalogueError(f"{where}.requirement_nodes is missing or empty.")
    return {
        "schema": CATALOGUE_SCHEMA,
        "framework": meta,
        "requirements": _ciso_tree(raw_nodes, locale, f"{where}."),
    }


def _ciso_tree(raw_nodes: list[Any], locale: str, prefix: str) -> list[dict[str, Any]]:
    """The requirement tree, from ``parent_urn`` (or, failing it, from ``depth``: the
    nearest earlier node one level up, as the library's spreadsheets lay it out)."""
    roots: list[dict[str, Any]] = []
    by_urn: dict[str, tuple[dict[str, Any], int]] = {}
    last_at_depth: dict[int, dict[str, Any]] = {}
    ref_ids: dict[str, str] = {}
    for index, raw in enumerate(raw_nodes):
        where = f"{prefix}requirement_nodes[{index}]"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: expected a mapping.")
        urn = _text(raw.get("urn"))
        if urn:
            where = f"{where} (urn {urn})"
        ref_id = _text(raw.get("ref_id"))
        title_fr, title_en = _ciso_localised(raw, "name", locale)
        if not ref_id and not title_en:
            raise CatalogueError(f"{where}: missing ref_id and name.")
        if not urn:
            raise CatalogueError(f"{where}: missing urn.")
        if urn in by_urn:
            raise CatalogueError(f"{where}: urn used twice.")
        ref_id = ref_id or urn.rsplit(":", 1)[-1]
        if len(ref_id) > _REF_ID_MAX:
            raise CatalogueError(f"{where}: ref_id {ref_id!r} is longer than {_REF_ID_MAX}.")
        if ref_id in ref_ids:
            raise CatalogueError(f"{where}: ref_id {ref_id!r} already used by {ref_ids[ref_id]}.")
        ref_ids[ref_id] = urn
        text_fr, text_en = _ciso_localised(raw, "description", locale)
        assessable = _truthy(raw.get("assessable"))
        node: dict[str, Any] = {
            "ref_id": ref_id,
            "kind": "requirement" if assessable else "group",
            "title": {
                "fr": title_fr or _headline(text_fr) or ref_id,
                "en": title_en or _headline(text_en) or ref_id,
            },
        }
        description = _bilingual_or_none(text_fr, text_en)
        if description:
            node["description"] = description
        node["assessable"] = assessable
        attributes: dict[str, Any] = {CISO_URN_ATTRIBUTE: urn}
        for key in ("annotation", "typical_evidence", "importance"):
            if _text(raw.get(key)):
                attributes[key] = _text(raw.get(key))
        groups = raw.get("implementation_groups")
        if isinstance(groups, list) and groups:
            attributes["implementation_groups"] = [str(group) for group in groups]
        node["attributes"] = attributes

        parent: dict[str, Any] | None = None
        parent_urn = _text(raw.get("parent_urn"))
        declared_depth = raw.get("depth")
        if parent_urn:
            if parent_urn not in by_urn:
                raise CatalogueError(f"{where}: parent_urn {parent_urn} is not an earlier node.")
            parent, parent_depth = by_urn[parent_urn]
            depth = parent_depth + 1
        elif isinstance(declared_depth, int) and declared_depth > 1:
            parent = last_at_depth.get(declared_depth - 1)
            if parent is None:
                raise CatalogueError(f"{where}: depth {declared_depth} but no node above it.")
            depth = declared_depth
        else:
            depth = 1
        (parent.setdefault("children", []) if parent is not None else roots).append(node)
        by_urn[urn] = (node, depth)
        last_at_depth[depth] = node
        for deeper in [d for d in last_at_depth if d > depth]:
            del last_at_depth[deeper]
    return roots


def _urn_tail(urn: str) -> str:
    return urn.rsplit(":", 1)[-1].lower()


def _ciso_framework_resolve(
    framework_urn: str, requirement_urns: Iterable[str], where: str
) -> tuple[Framework, dict[str, str]]:
    """The loaded framework a mapping side points at, and its requirement URN -> ref_id.

    Frameworks imported from CISO Assistant carry each node's URN (attribute
    ``ciso_assistant_urn``). Failing that, a framework whose code is the URN's last segment
    (e.g. Egide's own ``iso27001-2022``) is matched by ref_id, case-insensitively, the way
    CISO Assistant derives node URNs from ref_ids."""
    urns = sorted(set(requirement_urns))
    hit = (
        Requirement.objects.filter(**{f"attributes__{CISO_URN_ATTRIBUTE}__in": urns})
        .select_related("framework")
        .order_by("-framework__loaded_at", "-framework__pk")
        .first()
    )
    if hit is not None:
        framework = hit.framework
        by_urn = {
            str(attributes[CISO_URN_ATTRIBUTE]): ref_id
            for ref_id, attributes in Requirement.objects.filter(framework=framework).values_list(
                "ref_id", "attributes"
            )
            if isinstance(attributes, dict) and attributes.get(CISO_URN_ATTRIBUTE)
        }
        return framework, by_urn
    native = Framework.objects.filter(code=_urn_tail(framework_urn)).order_by("-loaded_at").first()
    if native is None:
        raise CatalogueError(
            f"{where}: framework {framework_urn} is not loaded; import its library first."
        )
    tails: dict[str, str | None] = {}
    for ref_id in Requirement.objects.filter(framework=native).values_list("ref_id", flat=True):
        tail = ref_id.lower().replace(" ", "-")
        tails[tail] = None if tail in tails else ref_id  # None: two ref_ids, ambiguous
    by_urn = {urn: ref for urn in urns if (ref := tails.get(_urn_tail(urn))) is not None}
    return native, by_urn


def mapping_documents_from_ciso_library(
    library: dict[str, Any], *, name: str
) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """Egide mapping documents (with the name to report them under) for the library's
    mapping sets, and how many links were left out because CISO Assistant marks them
    ``not_related`` (Egide stores only links). Reads the database to resolve URNs."""
    objects = library.get("objects")
    if not isinstance(objects, dict):
        raise CatalogueError(f"{name}: 'objects' must be a mapping.")
    sets = _ciso_list(objects, "requirement_mapping_set", "requirement_mapping_sets", name)
    locale = (_text(library.get("locale")) or "en")[:2].lower()
    documents: list[tuple[str, dict[str, Any]]] = []
    skipped = 0
    for index, mapping_set in enumerate(sets):
        where = f"{name}: requirement_mapping_sets[{index}]"
        mappings = mapping_set.get("requirement_mappings")
        if not isinstance(mappings, list) or not mappings:
            raise CatalogueError(f"{where}: requirement_mappings is missing or empty.")
        for link_index, link in enumerate(mappings):
            if not isinstance(link, dict):
                raise CatalogueError(f"{where}.requirement_mappings[{link_index}]: not a mapping.")
        sides: dict[str, tuple[Framework, dict[str, str]]] = {}
        for side in ("source", "target"):
            framework_urn = _text(mapping_set.get(f"{side}_framework_urn"))
            if not framework_urn:
                raise CatalogueError(f"{where}: {side}_framework_urn is missing.")
            sides[side] = _ciso_framework_resolve(
                framework_urn,
                (_text(link.get(f"{side}_requirement_urn")) for link in mappings),
                where,
            )
        links: list[dict[str, Any]] = []
        pairs: set[tuple[str, str]] = set()
        for link_index, link in enumerate(mappings):
            here = f"{where}.requirement_mappings[{link_index}]"
            relationship = _text(link.get("relationship")).lower()
            if relationship == "not_related":
                skipped += 1
                continue
            if relationship not in RELATIONSHIPS:
                raise CatalogueError(
                    f"{here}: relationship {relationship!r} is not one of "
                    f"{sorted(RELATIONSHIPS | {'not_related'})}."
                )
            refs = []
            for side in ("source", "target"):
                framework, by_urn = sides[side]
                urn = _text(link.get(f"{side}_requirement_urn"))
                if urn not in by_urn:
                    raise CatalogueError(
                        f"{here}: {urn or '(no ' + side + '_requirement_urn)'} is not a "
                        f"requirement of {framework.code}@{framework.version}."
                    )
                refs.append(by_urn[urn])
            pair = (refs[0], refs[1])
            if pair in pairs:
                continue  # the same pair twice: Egide keeps one link per pair
            pairs.add(pair)
            entry: dict[str, Any] = {
                "source": refs[0],
                "target": refs[1],
                "relationship": relationship,
            }
            if _text(link.get("rationale")):
                entry["rationale"] = _text(link.get("rationale"))
            links.append(entry)
        description_fr, description_en = _ciso_localised(mapping_set, "description", locale)
        if not description_en:
            description_fr, description_en = _ciso_localised(mapping_set, "name", locale)
        document: dict[str, Any] = {
            "schema": MAPPING_SCHEMA,
            "source": {"framework": sides["source"][0].code, "version": sides["source"][0].version},
            "target": {"framework": sides["target"][0].code, "version": sides["target"][0].version},
            "links": links,
        }
        description = _bilingual_or_none(description_fr, description_en)
        if description:
            document["description"] = description
        documents.append((where, document))
    return documents, skipped


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def document_parse(text: str, name: str) -> Any:
    """JSON when the text starts like JSON, YAML otherwise; syntax errors name the line.
    The result is a tree of bounded depth and size (``document_shape_check``)."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return document_shape_check(json.loads(text), name)
        except json.JSONDecodeError as error:
            raise CatalogueError(
                f"{name}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
            ) from None
        except RecursionError:  # [[[[... a hundred thousand deep
            raise CatalogueError(f"{name}: nested too deeply.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        raise CatalogueError(f"{name}: not valid YAML at {place}: {error.problem}.") from None
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a bad number or escape
        raise CatalogueError(f"{name}: not valid YAML: {error}.") from None
    except RecursionError:  # "- - - - ..." three thousand deep
        raise CatalogueError(f"{name}: nested too deeply.") from None
    return document_shape_check(data, name)


def document_format(data: Any, name: str) -> str:
    """Which of the understood formats a parsed file is, from its content alone."""
    if data is None:
        raise CatalogueError(f"{name}: the file is empty.")
    if isinstance(data, dict):
        if "catalog" in data:
            return FORMAT_OSCAL
        if data.get("schema") == CATALOGUE_SCHEMA:
            return FORMAT_EGIDE_CATALOGUE
        if data.get("schema") == MAPPING_SCHEMA:
            return FORMAT_EGIDE_MAPPING
        if "urn" in data and isinstance(data.get("objects"), dict):
            return FORMAT_CISO_ASSISTANT
    raise CatalogueError(
        f"{name}: unknown format. Understood: " + "; ".join(FORMATS_UNDERSTOOD) + "."
    )


def catalogue_file_import(
    path: Path, *, actor: Actor, as_version: str | None = None
) -> ImportReport:
    """Import one file in any understood format, all of it or nothing.

    ``as_version`` loads a catalogue under another version string, beside the version the
    file names (e.g. to compare an OSCAL round trip with the original)."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogueError(f"{name}: not UTF-8 text (byte {error.start}).") from None
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error.strerror}).") from None
    data = document_parse(text, name)
    kind = document_format(data, name)
    if kind == FORMAT_EGIDE_MAPPING and as_version:
        raise CatalogueError(f"{name}: --as-version applies to catalogues, not mapping sets.")

    report = ImportReport(kind)
    try:
        with transaction.atomic():
            if kind == FORMAT_EGIDE_MAPPING:
                report.mappings.append(mapping_import_document(data, actor=actor, name=name))
                return report
            if kind == FORMAT_OSCAL:
                catalogues = [catalogue_document_from_oscal(data, name=name)]
            elif kind == FORMAT_CISO_ASSISTANT:
                catalogues = catalogue_documents_from_ciso_library(data, name=name)
            else:
                catalogues = [data]
            origin = {FORMAT_OSCAL: "oscal", FORMAT_CISO_ASSISTANT: "ciso-assistant"}.get(
                kind, "egide"
            )
            for document in catalogues:
                if as_version and isinstance(document.get("framework"), dict):
                    document["framework"]["version"] = as_version
                report.frameworks.append(
                    catalogue_import_document(document, actor=actor, name=name, origin=origin)
                )
            if kind == FORMAT_CISO_ASSISTANT:
                # After the frameworks: a library may map the framework it just defined.
                mappings, report.skipped_links = mapping_documents_from_ciso_library(
                    data, name=name
                )
                for where, document in mappings:
                    report.mappings.append(
                        mapping_import_document(document, actor=actor, name=where)
                    )
                if not catalogues and not mappings:
                    raise CatalogueError(
                        f"{name}: the library has no framework and no requirement mapping set."
                    )
    except IntegrityError as error:
        raise CatalogueError(f"{name}: conflicts with what is already loaded ({error}).") from None
    return report
