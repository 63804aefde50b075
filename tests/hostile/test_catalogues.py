"""Catalogue import (controls.services.interop and catalogues) on hostile input: any text,
any JSON-like tree, pathological nesting and YAML aliases end in ``CatalogueError`` (the
command prints it and exits 1), never another exception; the OSCAL round trip holds for
any catalogue Egide can store."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.services.audit_trail import SystemActor
from controls.models import Framework, Requirement
from controls.services.catalogues import (
    CATALOGUE_SCHEMA,
    CatalogueError,
    catalogue_import_document,
    read_yaml,
    validate_catalogue,
)
from controls.services.interop import (
    ATTRIBUTE_NS,
    ATTRIBUTE_VALUE_NS,
    EGIDE_NS,
    catalogue_document_from_oscal,
    catalogue_documents_from_ciso_library,
    catalogue_file_import,
    document_format,
    document_parse,
    oscal_catalog_from_document,
)
from tests.hostile.conftest import hostile_settings

ACTOR = SystemActor("hostile-tests")
# Bounds for the timed cases: generous (a shared CI machine), and each far below what the
# input cost before its fix (minutes, or a crash).
SECONDS = 2.0

# Keys and values the importers look for, so that generated trees reach deep into them
# instead of being refused at the first check.
KEYS = [
    "catalog", "metadata", "title", "version", "props", "name", "ns", "value", "class",
    "groups", "controls", "parts", "prose", "id", "schema", "framework", "code",
    "requirements", "ref_id", "children", "kind", "themes", "theme", "attributes",
    "description", "fr", "en", "urn", "objects", "requirement_nodes", "parent_urn", "depth",
    "assessable", "translations", "locale", "frameworks", "remarks", "label", "source",
    "target", "links", "relationship", "publisher", "statement_of_applicability",
]  # fmt: skip
VALUES = [
    EGIDE_NS, ATTRIBUTE_NS, ATTRIBUTE_VALUE_NS, CATALOGUE_SCHEMA, "egide-mapping/1", "json",
    "statement", "label", "true", "false", "group", "control", "requirement", "withdrawn",
    "status", "framework-code", "title-fr", "theme", "themes", "lang", "fr", "equal",
    "[1, 2]", "{", "",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.sampled_from(VALUES),
    st.text(max_size=20),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=6
        ),
    ),
    max_leaves=40,
)


def _only_catalogue_errors(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except CatalogueError as error:
        assert str(error)  # the message names the problem
        return None


@hostile_settings
@given(st.text())
def test_any_text_parses_or_is_refused_with_a_message(text: str) -> None:
    data = _only_catalogue_errors(document_parse, text, "fuzz.yaml")
    if data is not None:
        _only_catalogue_errors(document_format, data, "fuzz.yaml")


@hostile_settings
@given(trees)
def test_any_tree_converts_or_is_refused_with_a_message(tree: Any) -> None:
    # One level in, each format's node gets the tree's keys: an OSCAL control, a CISO
    # Assistant requirement node, an Egide requirement.
    extra = tree if isinstance(tree, dict) else {"children": tree, "parts": tree}
    oscal_control = {"id": "a", "title": "t", **extra}
    ciso_node = {"urn": "urn:n", "name": "n", **extra}
    egide_node = {"ref_id": "a", "title": "t", **extra}
    for document in (
        {"catalog": {"metadata": {"title": "t", "version": "1"}, "controls": [oscal_control]}},
        {
            "urn": "urn:x",
            "version": "1",
            "objects": {
                "framework": {"ref_id": "f", "name": "F", "requirement_nodes": [ciso_node]}
            },
        },
        {
            "schema": CATALOGUE_SCHEMA,
            "framework": {"code": "c", "version": "1", "name": "n"},
            "requirements": [egide_node],
        },
        tree,
        {"catalog": tree},
        {"catalog": {"metadata": {"title": "t", "version": "1"}, "groups": tree}},
        {"schema": CATALOGUE_SCHEMA, "framework": {"code": "c", "version": "1", "name": "n"}}
        | ({"requirements": tree} if not isinstance(tree, dict) else tree),
        {"urn": "urn:x", "version": 1, "objects": {"framework": tree}},
    ):
        if not isinstance(document, dict):
            continue
        _only_catalogue_errors(validate_catalogue, document, "fuzz")
        _only_catalogue_errors(catalogue_document_from_oscal, document, name="fuzz")
        _only_catalogue_errors(catalogue_documents_from_ciso_library, document, name="fuzz")


@pytest.mark.django_db
@hostile_settings
@given(trees)
def test_any_tree_imports_whole_or_leaves_nothing(tmp_path: Path, tree: Any) -> None:
    before = (Framework.objects.count(), Requirement.objects.count())
    document = tree
    if isinstance(tree, dict | list):
        document = {
            "schema": CATALOGUE_SCHEMA,
            "framework": {"code": "fuzz", "version": "1", "name": "Fuzz"},
            "requirements": tree,
        }
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    if _only_catalogue_errors(catalogue_file_import, path, actor=ACTOR) is None:
        assert (Framework.objects.count(), Requirement.objects.count()) == before


@pytest.mark.django_db
@hostile_settings
@given(trees)
def test_any_requirement_tree_loads_or_is_refused(tree: Any) -> None:
    document = {
        "schema": CATALOGUE_SCHEMA,
        "framework": {"code": "fuzz", "version": "2", "name": {"fr": "F", "en": "F"}},
        "requirements": tree if isinstance(tree, list) else [tree],
    }
    _only_catalogue_errors(catalogue_import_document, document, actor=ACTOR, name="fuzz")


# --- Round trip ---------------------------------------------------------------------------

plain = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and s.strip() != ""
)
token = st.from_regex(r"\A[a-z_][a-z0-9_.\-]{0,10}\Z")
attribute_value = st.one_of(
    st.text(max_size=15),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)
attributes = st.dictionaries(
    token, st.one_of(attribute_value, st.lists(attribute_value, min_size=1, max_size=3)), max_size=3
)


@st.composite
def catalogue_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A catalogue in the canonical form the OSCAL importer returns."""
    ref_ids = iter(draw(st.lists(plain, min_size=1, max_size=12, unique_by=str.lower)))

    def node(depth: int) -> dict[str, Any] | None:
        ref_id = next(ref_ids, None)
        if ref_id is None:
            return None
        result: dict[str, Any] = {
            "ref_id": ref_id,
            "kind": draw(st.sampled_from(["requirement", "control", "group", "clause"])),
            "title": {"fr": draw(plain), "en": draw(plain)},
            "assessable": draw(st.booleans()),
        }
        if draw(st.booleans()):
            result["description"] = {"fr": draw(plain), "en": draw(plain)}
        if values := draw(attributes):
            result["attributes"] = values
        if depth < 3:
            children = [c for c in (node(depth + 1) for _ in range(draw(st.integers(0, 3)))) if c]
            if children:
                result["children"] = children
        return result

    roots = [n for n in (node(0) for _ in range(4)) if n]
    return {
        "schema": CATALOGUE_SCHEMA,
        "framework": {
            "code": draw(st.from_regex(r"\A[a-z][a-z0-9\-]{0,20}\Z")),
            "version": draw(plain),
            "name": {"fr": draw(plain), "en": draw(plain)},
            "source": draw(plain),
            "description": {"fr": draw(plain), "en": draw(plain)},
        },
        "requirements": roots,
    }


@hostile_settings
@given(catalogue_documents())
def test_egide_to_oscal_to_egide_gives_the_same_catalogue(document: dict[str, Any]) -> None:
    oscal = json.loads(json.dumps(oscal_catalog_from_document(document)))  # as in a file
    assert catalogue_document_from_oscal(oscal, name="roundtrip") == document


# --- Pathological input, timed ------------------------------------------------------------


def _timed(call: Any, *args: Any) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        call(*args)
    except CatalogueError as error:
        return time.perf_counter() - start, str(error)
    return time.perf_counter() - start, ""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="json-100000-deep"),
        pytest.param("- " * 3_000 + "x", id="yaml-block-3000-deep"),
        pytest.param("a: " + "[" * 1_000 + "]" * 1_000, id="yaml-flow-1000-deep"),
        pytest.param(
            "".join("  " * i + f"k{i}:\n" for i in range(3_000)), id="yaml-mapping-3000-deep"
        ),
    ],
)
def test_deep_nesting_is_refused_quickly(text: str) -> None:
    # Before: RecursionError out of json/yaml (a traceback instead of a message).
    elapsed, message = _timed(document_parse, text, "deep.yaml")
    assert "deep.yaml" in message and elapsed < SECONDS


def test_yaml_billion_laughs_is_refused_before_it_expands() -> None:
    # Nine levels of nine aliases: 9**9 (387 million) strings once expanded. Parsing
    # shares them, but hashing the document (json.dumps) used to expand them all.
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    elapsed, message = _timed(document_parse, "\n".join(lines), "laughs.yaml")
    assert "aliases" in message and elapsed < SECONDS


def test_yaml_python_tags_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    _elapsed, message = _timed(
        document_parse, f"!!python/object/apply:os.system ['touch {marker}']", "tag.yaml"
    )
    assert "not valid YAML" in message and not marker.exists()


def test_a_one_megabyte_single_line_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text("a" * 1_000_000, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(CatalogueError, match="unknown format"):
        catalogue_file_import(path, actor=ACTOR)
    assert time.perf_counter() - start < SECONDS


def test_non_text_keys_are_named_instead_of_failing_the_hash(tmp_path: Path) -> None:
    # json.dumps(sort_keys=True) cannot order 1 and "b": a TypeError before.
    path = tmp_path / "keys.yaml"
    path.write_text("schema: egide-catalogue/1\n1: one\nb: two\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="key 1 is not text"):
        read_yaml(path)


def test_an_oscal_xml_file_with_an_external_entity_is_refused_unread(tmp_path: Path) -> None:
    # Only OSCAL JSON and YAML are understood: XML is never handed to an XML parser, so
    # the entity is never resolved (no /etc/passwd in the message).
    path = tmp_path / "catalog.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE catalog [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0"><metadata><title>&xxe;</title>'
        "</metadata></catalog>\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as refused:
        catalogue_file_import(path, actor=ACTOR)
    assert "catalog.xml" in str(refused.value) and "root:" not in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\xff\xfe" + "schema: x".encode("utf-16-le"), "not UTF-8", id="utf-16"),
        pytest.param("schéma: é".encode("latin-1"), "not UTF-8", id="latin-1"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8", id="png-named-yaml"),
    ],
)
def test_files_that_are_not_catalogues_are_named(tmp_path: Path, raw: bytes, problem: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(raw)
    with pytest.raises(CatalogueError, match=problem):
        catalogue_file_import(path, actor=ACTOR)
