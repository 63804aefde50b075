"""Catalogue interchange (controls/services/interop.py and the import_catalogue /
export_catalogue commands): OSCAL catalogs checked against NIST's JSON Schema, the
Egide -> OSCAL -> Egide round trip, CISO Assistant libraries, format detection and the
error messages a person running the command reads."""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft7Validator, FormatChecker, validators  # type: ignore[import-untyped]
from jsonschema._keywords import pattern as pattern_keyword  # type: ignore[import-untyped]

from compliance.models import AuditEvent
from controls.models import Framework, MappingSet, Requirement, RequirementAttribute
from controls.services.catalogues import CATALOGUE_DIR, CatalogueError, read_yaml
from controls.services.catalogues import validate_catalogue as catalogue_validate
from controls.services.interop import (
    EGIDE_NS,
    UUID_NAMESPACE,
    catalogue_document_from_oscal,
    catalogue_documents_from_ciso_library,
    oscal_catalog_from_document,
)

DATA = Path(__file__).parent / "data"
EGIDE_SAMPLE = DATA / "egide-sample.yaml"
CISO_LIBRARY = DATA / "ciso-sample-library.yaml"
CISO_MAPPING = DATA / "ciso-sample-mapping.yaml"
FOREIGN_CATALOG = DATA / "foreign-catalog.json"


# ---------------------------------------------------------------------------------------
# NIST's OSCAL catalog schema
# ---------------------------------------------------------------------------------------


def _python_regex(pattern: str) -> str:
    # OSCAL's TokenDatatype uses \p{L} (letter) and \p{N} (number), which Python's re lacks.
    # Python's \w is letters, numbers and "_", so [^\W\d_] is exactly a letter; \p{N} only
    # ever appears beside \p{L} and "_" in the schema, where \d|[^\W\d_]|_ covers \w.
    return pattern.replace(r"\p{L}", r"[^\W\d_]").replace(r"\p{N}", r"\d")


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    yield from pattern_keyword(validator, _python_regex(pattern), instance, schema)


def _format_checker() -> Any:
    checker = FormatChecker()  # date, email, regex, uuid ... as jsonschema ships them

    @checker.checks("regex", raises=re.error)
    def is_regex(value: object) -> bool:
        return not isinstance(value, str) or re.compile(_python_regex(value)) is not None

    # jsonschema checks these two only with optional packages that are not installed here;
    # OSCAL's own patterns already constrain them, these checks add the RFC 3339 parse.
    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(datetime.fromisoformat(value).tzinfo)

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return checker


@functools.cache
def oscal_validator() -> Any:
    """A Draft 7 validator for NIST's OSCAL 1.1.3 catalog schema (see data/README.md)."""
    schema = json.loads((DATA / "oscal_catalog_schema.json").read_text(encoding="utf-8"))
    checker = _format_checker()
    Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=checker).validate(schema)
    validator_class = validators.extend(Draft7Validator, {"pattern": _pattern})
    return validator_class(schema, format_checker=checker)


def schema_errors(document: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in oscal_validator().iter_errors(document)
    ]


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def run(command: str, *args: Any, **options: Any) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def export_oscal(code: str, version: str | None = None) -> dict[str, Any]:
    options = {"framework_version": version} if version else {}
    return json.loads(run("export_catalogue", code, format="oscal", **options))


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif name.endswith(".json"):
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def all_entries(container: dict[str, Any]) -> list[dict[str, Any]]:
    """Every group and control of an OSCAL catalog, depth first."""
    found = []
    for key in ("groups", "controls"):
        for entry in container.get(key, []):
            found.append(entry)
            found.extend(all_entries(entry))
    return found


def label_of(entry: dict[str, Any]) -> str:
    return next(p["value"] for p in entry["props"] if p["name"] == "label")


def requirements_snapshot(framework: Framework) -> dict[str, dict[str, Any]]:
    """Everything Egide holds about each requirement, by ref_id."""
    rows: dict[int, list[tuple[str, str]]] = {}
    for row in RequirementAttribute.objects.filter(requirement__framework=framework).order_by("pk"):
        rows.setdefault(row.requirement_id, []).append((row.family, row.value))
    requirements = Requirement.objects.filter(framework=framework).select_related("theme", "parent")
    return {
        r.ref_id: {
            "kind": r.kind,
            "theme": r.theme.code if r.theme else None,
            "title_fr": r.title_fr,
            "title_en": r.title_en,
            "description_fr": r.description_fr,
            "description_en": r.description_en,
            "assessable": r.assessable,
            "attributes": r.attributes,
            "attribute_rows": rows.get(r.pk, []),
            "parent": r.parent.ref_id if r.parent else None,
            "depth": r.depth,
            "order": r.order,
        }
        for r in requirements
    }


def framework_snapshot(framework: Framework) -> dict[str, Any]:
    return {
        "name": (framework.name_fr, framework.name_en),
        "description": (framework.description_fr, framework.description_en),
        "publisher": framework.publisher,
        "source": framework.source,
        "soa": framework.has_statement_of_applicability,
        "attribute_families": framework.attribute_families,
        "themes": list(
            framework.themes.order_by("order").values_list("code", "name_fr", "name_en", "order")
        ),
    }


def builtin_catalogues() -> list[Path]:
    return sorted(CATALOGUE_DIR.glob("*.yaml"))


def loadable(path: Path) -> bool:
    try:
        catalogue_validate(read_yaml(path), path.name)
    except CatalogueError:
        return False
    return True


BUILTINS = [
    pytest.param(path, id=path.stem)
    for path in builtin_catalogues() or [CATALOGUE_DIR / "iso27001-2022.yaml"]
]


# ---------------------------------------------------------------------------------------
# Export to OSCAL
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestOscalExport:
    def test_the_export_is_valid_against_nists_catalog_schema(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        assert schema_errors(export_oscal("egide-sample")) == []

    @pytest.mark.parametrize("path", BUILTINS)
    def test_every_builtin_catalogue_exports_valid_oscal(self, path: Path) -> None:
        if not path.exists() or not loadable(path):
            pytest.skip(f"{path.name} is not loadable right now (being written)")
        document = read_yaml(path)
        run("import_catalogue", str(path))

        assert schema_errors(export_oscal(document["framework"]["code"])) == []

    def test_the_schema_check_rejects_what_nist_rejects(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        catalog = export_oscal("egide-sample")
        first = catalog["catalog"]["groups"][0]

        first["id"] = "1-starts-with-a-digit"
        first["props"][0]["value"] = " blank first"

        errors = schema_errors(catalog)
        assert any("1-starts-with-a-digit" in error for error in errors)
        assert any("' blank first'" in error for error in errors)

    def test_ids_are_oscal_tokens_made_from_the_ref_id(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        entries = all_entries(export_oscal("egide-sample")["catalog"])

        ids = {label_of(entry): entry["id"] for entry in entries}
        assert ids["A.5.1"] == "a.5.1"
        assert ids["21.2.a"] == "r21.2.a"
        assert ids["1.2.a"] == "r1.2.a"
        # Two ref_ids that differ only by case still get distinct ids.
        assert ids["a.5.1"] == "a.5.1_2"

    def test_grouping_nodes_are_groups_and_the_rest_controls(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        catalog = export_oscal("egide-sample")["catalog"]

        assert [group["id"] for group in catalog["groups"]] == ["r1", "a"]
        chapter = catalog["groups"][0]
        # "1.2" groups "1.2.a" but sits beside a leaf: it is a control, never mixed with
        # groups in the same array (which would lose the display order).
        assert "groups" not in chapter
        assert [c["id"] for c in chapter["controls"]] == ["r1.1", "r1.2"]
        assert [c["id"] for c in chapter["controls"][1]["controls"]] == ["r1.2.a"]

    def test_titles_and_descriptions_in_both_languages(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        entries = all_entries(export_oscal("egide-sample")["catalog"])
        policy = next(entry for entry in entries if label_of(entry) == "1.1")

        assert policy["title"] == "Policy"
        assert {"name": "title-fr", "ns": EGIDE_NS, "value": "Politique"} in policy["props"]
        english, french = policy["parts"]
        assert english == {
            "id": "r1.1_smt",
            "name": "statement",
            "prose": "A written policy exists.\n\nIt is reviewed every year.",
        }
        assert french["ns"] == EGIDE_NS
        assert french["prose"] == "Une politique écrite existe.\n\nElle est revue chaque année."

    def test_the_uuid_is_derived_from_code_and_version(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        first = export_oscal("egide-sample")["catalog"]["uuid"]
        second = export_oscal("egide-sample")["catalog"]["uuid"]

        assert first == second == str(uuid.uuid5(UUID_NAMESPACE, "egide-sample@1"))
        assert uuid.UUID(first).version == 5

    def test_metadata_names_the_framework_version(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        metadata = export_oscal("egide-sample")["catalog"]["metadata"]

        assert metadata["title"] == "Egide test framework"
        assert metadata["version"] == "1"
        assert metadata["oscal-version"] == "1.1.2"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["last-modified"])

    def test_an_unknown_framework_names_those_loaded(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        with pytest.raises(CommandError, match=r"No framework nis9 .*egide-sample@1"):
            run("export_catalogue", "nis9")

    def test_several_loaded_versions_need_version(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        run("import_catalogue", str(EGIDE_SAMPLE), as_version="2")

        with pytest.raises(CommandError, match=r"several versions \(1, 2\): pass --version"):
            run("export_catalogue", "egide-sample")
        assert export_oscal("egide-sample", "2")["catalog"]["metadata"]["version"] == "2"

    def test_the_egide_format_export_reloads_to_the_same_requirements(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        exported = write(
            tmp_path, "again.yaml", run("export_catalogue", "egide-sample", format="egide")
        )

        run("import_catalogue", str(exported), as_version="copy")

        original = Framework.objects.get(code="egide-sample", version="1")
        copied = Framework.objects.get(code="egide-sample", version="copy")
        assert requirements_snapshot(copied) == requirements_snapshot(original)

    def test_an_attribute_name_oscal_cannot_carry_is_refused(self) -> None:
        document = read_yaml(EGIDE_SAMPLE)
        document["requirements"][0]["children"][0]["attributes"]["2022 note"] = "x"

        with pytest.raises(CatalogueError, match=r"1\.1: attribute '2022 note' cannot be"):
            oscal_catalog_from_document(document)


# ---------------------------------------------------------------------------------------
# OSCAL round trip and OSCAL import
# ---------------------------------------------------------------------------------------


def round_trip(tmp_path: Path, code: str) -> tuple[Framework, Framework]:
    """Export ``code`` to OSCAL, change nothing, import it beside the original."""
    oscal_file = write(tmp_path, f"{code}.json", export_oscal(code))
    run("import_catalogue", str(oscal_file), as_version="round-trip")
    original = Framework.objects.exclude(version="round-trip").get(code=code)
    return original, Framework.objects.get(code=code, version="round-trip")


@pytest.mark.django_db
class TestOscalRoundTrip:
    def test_the_round_trip_keeps_every_requirement_field(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        original, copied = round_trip(tmp_path, "egide-sample")

        before, after = requirements_snapshot(original), requirements_snapshot(copied)
        assert len(after) == 8
        assert after == before
        # The awkward values made it through as they were.
        assert after["1.1"]["attributes"]["uncertain"] == "  leading blanks kept\nand a second line"
        assert after["1.1"]["attribute_rows"] == [
            ("control_type", "preventive"),
            ("control_type", "detective"),
        ]
        assert after["1.2"]["title_fr"] == "Rôles "
        assert after["1.2.a"]["attributes"] == {
            "review": {"every_months": 12, "by": "direction"},
            "empty_note": None,
        }

    def test_the_round_trip_keeps_the_framework_fields(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))

        original, copied = round_trip(tmp_path, "egide-sample")

        assert framework_snapshot(copied) == framework_snapshot(original)
        assert copied.origin == "oscal"

    @pytest.mark.parametrize("path", BUILTINS)
    def test_every_builtin_catalogue_survives_the_round_trip(
        self, tmp_path: Path, path: Path
    ) -> None:
        if not path.exists() or not loadable(path):
            pytest.skip(f"{path.name} is not loadable right now (being written)")
        code = read_yaml(path)["framework"]["code"]
        run("import_catalogue", str(path))

        original, copied = round_trip(tmp_path, code)

        assert requirements_snapshot(copied) == requirements_snapshot(original)
        assert framework_snapshot(copied) == framework_snapshot(original)

    def test_importing_the_export_at_the_same_version_changes_nothing(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        framework = Framework.objects.get(code="egide-sample")
        before = requirements_snapshot(framework)

        run("import_catalogue", str(write(tmp_path, "same.json", export_oscal("egide-sample"))))

        assert Framework.objects.filter(code="egide-sample").count() == 1
        assert requirements_snapshot(framework) == before

    def test_a_foreign_catalog_fixture_is_itself_valid_oscal(self) -> None:
        assert schema_errors(json.loads(FOREIGN_CATALOG.read_text(encoding="utf-8"))) == []

    def test_a_foreign_catalog_loads_with_groups_and_controls(self) -> None:
        output = run("import_catalogue", str(FOREIGN_CATALOG))

        assert "foreign-catalog.json: oscal" in output
        framework = Framework.objects.get(code="example-control-catalog", version="1.0")
        assert framework.origin == "oscal"
        assert framework.description_en.startswith("A tiny catalog")
        snapshot = requirements_snapshot(framework)
        assert list(snapshot) == ["ac", "AC-1", "AC-1(1)", "AC-2"]  # the unclassed label
        assert snapshot["ac"] | {"attributes": None} == snapshot["ac"] | {
            "kind": "group",
            "assessable": False,
            "parent": None,
            "title_fr": "Access Control",
            "attributes": None,
        }
        assert snapshot["AC-1(1)"]["parent"] == "AC-1"
        assert snapshot["AC-1"]["kind"] == "control"
        assert snapshot["AC-1"]["assessable"] is True
        assert snapshot["AC-2"]["assessable"] is False  # withdrawn

    def test_a_foreign_statement_keeps_its_items(self) -> None:
        document = catalogue_document_from_oscal(
            json.loads(FOREIGN_CATALOG.read_text(encoding="utf-8")), name="x.json"
        )

        control = document["requirements"][0]["children"][0]
        assert control["description"]["en"] == (
            "a. Write an access control policy.\n"
            "b. Review it every {{ insert: param, ac-1_prm_1 }}."
        )

    def test_a_control_without_a_title_is_named(self, tmp_path: Path) -> None:
        catalog = json.loads(FOREIGN_CATALOG.read_text(encoding="utf-8"))
        del catalog["catalog"]["groups"][0]["controls"][1]["title"]

        with pytest.raises(
            CommandError,
            match=r"catalog\.groups\[0\] \(id 'ac'\)\.controls\[1\] \(id 'ac-2'\): title is",
        ):
            run("import_catalogue", str(write(tmp_path, "untitled.json", catalog)))
        assert not Framework.objects.exists()


# ---------------------------------------------------------------------------------------
# CISO Assistant libraries
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCisoAssistantLibrary:
    def test_a_framework_library_loads_as_a_framework(self) -> None:
        output = run("import_catalogue", str(CISO_LIBRARY))

        assert "ciso-sample-library.yaml: ciso-assistant" in output
        framework = Framework.objects.get()
        assert (framework.code, framework.version) == ("sample-directive-2024", "2")
        assert framework.origin == "ciso-assistant"
        assert framework.name_en == "Sample directive requirements"
        assert framework.name_fr == "Exigences de la directive d'exemple"
        assert framework.publisher == "Egide tests"
        assert "urn:egide-test:risk:framework:sample-directive" in framework.source

    def test_the_tree_follows_parent_urn(self) -> None:
        run("import_catalogue", str(CISO_LIBRARY))

        snapshot = requirements_snapshot(Framework.objects.get())

        assert {ref: node["parent"] for ref, node in snapshot.items()} == {
            "article-3": None,
            "3.1": "article-3",
            "3.1.sp2": "3.1",
            "3.2": "article-3",
            "3.2.a": "3.2",
            "3.2.b": "3.2",
            "3.3": "article-3",
        }
        assert snapshot["3.1.sp2"]["depth"] == 2

    def test_nodes_get_a_ref_id_and_a_title_when_the_library_lacks_one(self) -> None:
        run("import_catalogue", str(CISO_LIBRARY))

        snapshot = requirements_snapshot(Framework.objects.get())

        # No ref_id: the last segment of the URN; no name: the description's first words.
        assert snapshot["article-3"]["title_fr"] == "Article 3"
        assert snapshot["article-3"]["description_fr"] == "Mesures de sécurité"
        assert snapshot["3.2.a"]["title_en"] == "policies on risk analysis;"
        assert snapshot["3.1"]["title_en"].endswith("…")
        assert len(snapshot["3.1"]["title_en"]) <= 121
        assert snapshot["3.2"]["title_fr"] == "Mesures minimales"
        assert snapshot["3.3"]["description_en"] == (
            "Entities correct any shortfall without undue delay.\n\n"
            "The authority may ask for evidence of the correction."
        )

    def test_assessable_nodes_and_kept_library_fields(self) -> None:
        run("import_catalogue", str(CISO_LIBRARY))

        snapshot = requirements_snapshot(Framework.objects.get())

        assert snapshot["article-3"]["kind"] == "group"
        assert snapshot["article-3"]["assessable"] is False
        assert snapshot["3.2.a"]["kind"] == "requirement"
        assert snapshot["3.2.a"]["assessable"] is True
        assert snapshot["3.2.a"]["attributes"] == {
            "ciso_assistant_urn": "urn:egide-test:risk:req_node:sample-directive:3.2.a"
        }
        assert snapshot["3.2.a"]["attribute_rows"] == [
            ("implementation_groups", "ES"),
            ("implementation_groups", "IS"),
        ]
        assert snapshot["3.1.sp2"]["attributes"]["annotation"] == (
            "Look for a dated review of the measures."
        )

    def test_mapping_sets_resolve_urns_to_loaded_frameworks(self) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        run("import_catalogue", str(CISO_LIBRARY))

        output = run("import_catalogue", str(CISO_MAPPING))

        assert "1 link(s) marked not_related were left out" in output
        forward = MappingSet.objects.get(name="sample-directive-2024@2--egide-sample@1")
        assert sorted(
            forward.links.values_list("source__ref_id", "target__ref_id", "relationship")
        ) == [("3.2.a", "1.1", "intersect"), ("3.2.b", "21.2.a", "equal")]
        assert forward.links.get(source__ref_id="3.2.a").rationale_en == "semantic"
        reverse = MappingSet.objects.get(name="egide-sample@1--sample-directive-2024@2")
        assert reverse.links.count() == 2

    def test_a_mapping_to_a_framework_not_loaded_names_its_urn(self) -> None:
        run("import_catalogue", str(CISO_LIBRARY))

        with pytest.raises(
            CommandError,
            match=r"requirement_mapping_sets\[0\]: framework "
            r"urn:intuitem:risk:framework:egide-sample is not loaded",
        ):
            run("import_catalogue", str(CISO_MAPPING))
        assert not MappingSet.objects.exists()

    def test_a_broken_fifth_node_is_named_and_nothing_is_loaded(self, tmp_path: Path) -> None:
        library = read_yaml(CISO_LIBRARY)
        del library["objects"]["framework"]["requirement_nodes"][4]["ref_id"]

        with pytest.raises(CommandError) as raised:
            run("import_catalogue", str(write(tmp_path, "broken.yaml", library)))

        assert str(raised.value) == (
            "broken.yaml: objects.framework.requirement_nodes[4] "
            "(urn urn:egide-test:risk:req_node:sample-directive:3.2.a): missing ref_id and name."
        )
        assert not Framework.objects.exists()
        assert not AuditEvent.objects.filter(action="framework.load").exists()

    def test_a_library_whose_mapping_fails_leaves_no_framework(self, tmp_path: Path) -> None:
        library = read_yaml(CISO_LIBRARY)
        mapping = read_yaml(CISO_MAPPING)["objects"]["requirement_mapping_sets"][0]
        mapping["target_framework_urn"] = "urn:intuitem:risk:framework:never-loaded"
        library["objects"]["requirement_mapping_sets"] = [mapping]

        with pytest.raises(CommandError, match="never-loaded is not loaded"):
            run("import_catalogue", str(write(tmp_path, "both.yaml", library)))

        # The framework was written before the mapping failed: the file's transaction
        # took it back.
        assert not Framework.objects.exists()
        assert not Requirement.objects.exists()

    def test_an_unknown_relationship_is_named(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        run("import_catalogue", str(CISO_LIBRARY))
        mapping = read_yaml(CISO_MAPPING)
        mapping["objects"]["requirement_mapping_sets"][0]["requirement_mappings"][1][
            "relationship"
        ] = "overlaps"

        with pytest.raises(
            CommandError, match=r"requirement_mappings\[1\]: relationship 'overlaps'"
        ):
            run("import_catalogue", str(write(tmp_path, "mapping.yaml", mapping)))

    def test_depth_places_a_node_that_has_no_parent_urn(self) -> None:
        library = read_yaml(CISO_LIBRARY)
        for node in library["objects"]["framework"]["requirement_nodes"]:
            node.pop("parent_urn", None)

        (document,) = catalogue_documents_from_ciso_library(library, name="x.yaml")

        article = document["requirements"][0]
        assert [child["ref_id"] for child in article["children"]] == ["3.1", "3.2", "3.3"]
        assert [child["ref_id"] for child in article["children"][1]["children"]] == [
            "3.2.a",
            "3.2.b",
        ]


# ---------------------------------------------------------------------------------------
# Files, formats and errors
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestFileFormats:
    def test_an_egide_catalogue_loads_and_is_audited(self) -> None:
        output = run("import_catalogue", str(EGIDE_SAMPLE))

        assert "egide-sample.yaml: egide-catalogue" in output
        assert "egide-sample@1" in output
        assert "created" in output
        event = AuditEvent.objects.get(action="framework.load")
        assert event.actor_label == "system:import_catalogue"

    def test_an_egide_mapping_file_loads(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        run("import_catalogue", str(CISO_LIBRARY))
        mapping = {
            "schema": "egide-mapping/1",
            "source": {"framework": "egide-sample", "version": "1"},
            "target": {"framework": "sample-directive-2024", "version": "2"},
            "links": [{"source": "1.1", "target": "3.2.a", "relationship": "subset"}],
        }

        output = run("import_catalogue", str(write(tmp_path, "m.yaml", mapping)))

        assert "m.yaml: egide-mapping" in output
        assert MappingSet.objects.get().links.get().relationship == "subset"

    def test_as_version_is_refused_for_a_mapping_file(self, tmp_path: Path) -> None:
        path = write(tmp_path, "m.yaml", {"schema": "egide-mapping/1", "links": []})

        with pytest.raises(CommandError, match="--as-version applies to catalogues"):
            run("import_catalogue", str(path), as_version="2")

    def test_a_yaml_syntax_error_names_line_and_column(self, tmp_path: Path) -> None:
        path = write(tmp_path, "bad.yaml", "schema: egide-catalogue/1\nframework: [code: x\n")

        with pytest.raises(CommandError, match=r"bad\.yaml: not valid YAML at line 3, column 1"):
            run("import_catalogue", str(path))

    def test_a_json_syntax_error_names_line_and_column(self, tmp_path: Path) -> None:
        path = write(tmp_path, "bad.json", '{\n  "catalog": {\n    "uuid": 1,\n  }\n}\n')

        with pytest.raises(CommandError, match=r"bad\.json: not valid JSON at line 4, column 3"):
            run("import_catalogue", str(path))

    def test_an_unknown_format_lists_the_formats_understood(self, tmp_path: Path) -> None:
        path = write(tmp_path, "other.yaml", {"schema": "something-else/1", "items": []})

        with pytest.raises(CommandError) as raised:
            run("import_catalogue", str(path))

        message = str(raised.value)
        assert message.startswith("other.yaml: unknown format. Understood:")
        for expected in ("OSCAL 1.1 catalog", "egide-catalogue/1", "egide-mapping/1", "CISO"):
            assert expected in message

    def test_an_empty_file_says_so(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="the file is empty"):
            run("import_catalogue", str(write(tmp_path, "empty.yaml", "")))

    def test_a_missing_file_says_so(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="cannot be read"):
            run("import_catalogue", str(tmp_path / "nowhere.yaml"))

    def test_a_loader_error_in_an_oscal_file_names_the_requirement(self, tmp_path: Path) -> None:
        run("import_catalogue", str(EGIDE_SAMPLE))
        catalog = export_oscal("egide-sample")
        control = catalog["catalog"]["groups"][1]["controls"][0]
        kind = next(p for p in control["props"] if p["name"] == "kind")
        kind["value"] = "paragraphe"

        with pytest.raises(CommandError, match=r"ref_id 'A\.5\.1'\): unknown kind 'paragraphe'"):
            run("import_catalogue", str(write(tmp_path, "k.json", catalog)), as_version="k")
        assert not Framework.objects.filter(version="k").exists()

    def test_the_export_does_not_change_the_document_it_reads(self) -> None:
        document = read_yaml(EGIDE_SAMPLE)
        before = copy.deepcopy(document)

        oscal_catalog_from_document(document)

        assert document == before

    def test_an_awkward_ref_id_comes_back_exactly(self) -> None:
        document = read_yaml(EGIDE_SAMPLE)
        document["requirements"][1]["children"][2]["ref_id"] = " 21.2.a (bis) "

        catalog = oscal_catalog_from_document(document)
        back = catalogue_document_from_oscal(catalog, name="x.json")

        assert schema_errors(catalog) == []
        assert back["requirements"][1]["children"][2]["ref_id"] == " 21.2.a (bis) "
        assert all_entries(catalog["catalog"])[-1]["id"] == "r21.2.a-bis"
