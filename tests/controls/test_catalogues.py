"""The built-in catalogues as an organisation relies on them (ISO/IEC 27001:2022 with its
93 Annex A controls, NIS2 Art. 21(2), GDPR, HDS v2), reloading them safely, and refusing
bad files before anything is written."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Model

from compliance.models import AuditEvent
from compliance.services.audit_trail import SystemActor
from controls.choices import Relationship
from controls.models import (
    Applicability,
    ControlStatus,
    Framework,
    MappingSet,
    Requirement,
    RequirementAttribute,
    RequirementMapping,
    Theme,
)
from controls.services.catalogues import (
    CATALOGUE_DIR,
    CatalogueError,
    catalogue_import_document,
    load_builtin_catalogues,
    mapping_import_document,
    read_yaml,
    validate_catalogue,
)

ACTOR = SystemActor("tests")
ISO = "iso27001-2022"

pytestmark = pytest.mark.usefixtures("catalogues", "db")


def refs(code: str, **filters: Any) -> set[str]:
    return set(
        Requirement.objects.filter(framework__code=code, **filters).values_list("ref_id", flat=True)
    )


def annex_a() -> list[Requirement]:
    return list(
        Requirement.objects.filter(framework__code=ISO, kind="control").select_related("theme")
    )


def catalogue_file(code: str) -> dict[str, Any]:
    return read_yaml(CATALOGUE_DIR / f"{code}.yaml")


def row_counts() -> dict[str, int]:
    models: list[type[Model]] = [
        Framework,
        Theme,
        Requirement,
        RequirementAttribute,
        MappingSet,
        RequirementMapping,
        AuditEvent,
    ]
    return {model.__name__: model._default_manager.count() for model in models}


# --- What ships -----------------------------------------------------------------------


class TestIso27001:
    def test_annex_a_has_93_controls_in_four_themes(self) -> None:
        themes = Counter(control.theme.code for control in annex_a() if control.theme)

        assert len(annex_a()) == 93
        assert themes == {"organizational": 37, "people": 8, "physical": 14, "technological": 34}

    def test_every_annex_a_control_can_be_decided_in_the_soa(self) -> None:
        assert all(control.assessable for control in annex_a())
        assert Requirement.objects.soa_controls().count() == 93

    def test_eleven_controls_are_new_in_2022(self) -> None:
        new = {control.ref_id for control in annex_a() if control.is_new_in_2022}

        assert new == {
            "A.5.7",
            "A.5.23",
            "A.5.30",
            "A.7.4",
            "A.8.9",
            "A.8.10",
            "A.8.11",
            "A.8.12",
            "A.8.16",
            "A.8.23",
            "A.8.28",
        }

    def test_management_system_clauses_4_to_10_are_there(self) -> None:
        clauses = refs(ISO, kind="clause")

        assert {"4", "5", "6", "7", "8", "9", "10"} <= clauses
        assert {"4.4", "6.1.2", "6.1.3", "7.5.3", "9.2.2", "9.3.3", "10.2"} <= clauses
        assert {"6.1.3", "9.2.2"} <= refs(ISO, kind="clause", assessable=True)

    def test_declares_the_five_iso_27002_attribute_families(self) -> None:
        framework = Framework.objects.get(code=ISO)

        assert [family["code"] for family in framework.attribute_families] == [
            "control_type",
            "information_security_properties",
            "cybersecurity_concepts",
            "operational_capabilities",
            "security_domains",
        ]

    def test_is_the_only_framework_with_a_statement_of_applicability(self) -> None:
        assert list(
            Framework.objects.filter(has_statement_of_applicability=True).values_list(
                "code", flat=True
            )
        ) == [ISO]


def test_nis2_has_the_ten_measures_of_article_21_2() -> None:
    expected = {f"21.2.{letter}" for letter in "abcdefghij"}

    assert expected <= refs("nis2", assessable=True)
    assert refs("nis2", ref_id__startswith="21.2.") == expected


def test_gdpr_has_the_articles_an_organisation_is_assessed_on() -> None:
    articles = refs("gdpr", kind="article")

    assert {"5", "6", "9", "25", "28", "30", "32", "33", "34", "35", "37"} <= articles


def test_hds_has_requirements_exi_01_to_31_and_activities_act_1_to_6() -> None:
    assert refs("hds-2024", kind="requirement") == {f"EXI-{n:02}" for n in range(1, 32)}
    assert refs("hds-2024", kind="activity") == {f"ACT-{n}" for n in range(1, 7)}


def test_nis2_hds_and_gdpr_are_mapped_to_iso_27001() -> None:
    pairs = set(MappingSet.objects.values_list("source__code", "target__code"))

    assert pairs == {("nis2", ISO), ("hds-2024", ISO), ("gdpr", ISO)}
    for mapping_set in MappingSet.objects.all():
        assert mapping_set.links.exists(), mapping_set.name


def test_every_link_reads_source_is_equal_subset_superset_or_intersect_of_target() -> None:
    relationships = set(RequirementMapping.objects.values_list("relationship", flat=True))
    files = sorted((CATALOGUE_DIR / "mappings").glob("*.yaml"))

    assert relationships <= {"equal", "subset", "superset", "intersect"}
    assert len(files) == 3
    for path in files:
        for link in read_yaml(path)["links"]:
            assert link["relationship"] in Relationship.values, (path.name, link)


# --- Reloading ------------------------------------------------------------------------


def test_reloading_unchanged_files_reports_unchanged_and_writes_nothing() -> None:
    before = row_counts()

    frameworks, mappings = load_builtin_catalogues(actor=ACTOR)

    assert {result.status for result in frameworks} == {"unchanged"}
    assert {result.status for result in mappings} == {"unchanged"}
    assert len(frameworks) == 6
    assert len(mappings) == 3
    assert row_counts() == before  # no rows, and no audit event either


def test_the_command_says_every_file_is_unchanged_on_a_second_run() -> None:
    out = StringIO()

    call_command("load_catalogues", stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("  ")]
    assert len(lines) == 9
    assert all("unchanged" in line for line in lines)
    assert "iso27001-2022@2022" in out.getvalue()


def test_a_new_version_loads_beside_the_old_one_and_leaves_it_alone() -> None:
    old = Framework.objects.get(code="nis2")
    old_sha256 = old.content_sha256
    old_rows = list(Requirement.objects.filter(framework=old).values().order_by("pk"))
    document = catalogue_file("nis2")
    document["framework"]["version"] = "2030/1"
    document["requirements"][0]["title"] = {"fr": "Nouvelle portée", "en": "New scope"}

    result = catalogue_import_document(document, actor=ACTOR, name="nis2-2030.yaml")

    assert result.status == "created"
    assert set(Framework.objects.filter(code="nis2").values_list("version", flat=True)) == {
        "2022/2555",
        "2030/1",
    }
    new = Framework.objects.get(code="nis2", version="2030/1")
    assert new.requirements.count() == len(old_rows)
    assert new.requirements.get(ref_id="3").title_fr == "Nouvelle portée"
    assert list(Requirement.objects.filter(framework=old).values().order_by("pk")) == old_rows
    assert Framework.objects.get(pk=old.pk).content_sha256 == old_sha256


def test_an_edited_file_of_the_same_version_updates_texts_in_place(org_a: Any, owner: Any) -> None:
    point = Requirement.objects.get(framework__code="nis2", ref_id="21.2.b")
    status = ControlStatus.objects.create(organisation=org_a, requirement=point, status="partial")
    ids_before = dict(
        Requirement.objects.filter(framework__code="nis2").values_list("ref_id", "pk")
    )
    document = catalogue_file("nis2")
    points = document["requirements"][2]["children"][0]["children"]
    assert points[1]["ref_id"] == "21.2.b"
    points[1]["title"] = {"fr": "Traitement des incidents", "en": "Handling of incidents"}
    del points[-1]  # 21.2.j disappears from the file
    events_before = AuditEvent.objects.count()

    result = catalogue_import_document(document, actor=ACTOR, name="nis2.yaml")

    assert result.status == "updated"
    point.refresh_from_db()
    assert (point.title_fr, point.title_en) == ("Traitement des incidents", "Handling of incidents")
    # Same rows, same ids: statuses recorded on them keep pointing at the right thing,
    # including the requirement that is no longer in the file.
    assert (
        dict(Requirement.objects.filter(framework__code="nis2").values_list("ref_id", "pk"))
        == ids_before
    )
    assert ControlStatus.objects.get(pk=status.pk).requirement_id == point.pk
    assert Framework.objects.filter(code="nis2").count() == 1
    [event] = AuditEvent.objects.filter(action="framework.reload")
    assert event.organisation is None
    assert AuditEvent.objects.count() == events_before + 1


def test_reloading_a_catalogue_keeps_the_mappings_and_the_soa_lines(
    org_a: Any,
) -> None:
    control = Requirement.objects.get(framework__code=ISO, ref_id="A.5.24")
    line = Applicability.objects.create(organisation=org_a, requirement=control, applicable=True)
    links_before = RequirementMapping.objects.count()
    document = catalogue_file(ISO)
    document["framework"]["source"] = "ISO/IEC 27001:2022 (re-read)"

    assert catalogue_import_document(document, actor=ACTOR, name="iso.yaml").status == "updated"

    assert RequirementMapping.objects.count() == links_before
    assert Applicability.objects.get(pk=line.pk).requirement_id == control.pk


# --- Bad files ------------------------------------------------------------------------


def small_catalogue() -> dict[str, Any]:
    """A valid three-node catalogue; the mistakes below go in its last node, after nodes
    that a careless writer would already have saved."""
    return {
        "schema": "egide-catalogue/1",
        "framework": {"code": "test-fw", "version": "1", "name": {"fr": "Test", "en": "Test"}},
        "themes": [{"code": "governance", "name": {"fr": "Gouvernance", "en": "Governance"}}],
        "requirements": [
            {
                "ref_id": "1",
                "kind": "article",
                "title": {"fr": "Article 1", "en": "Article 1"},
                "children": [
                    {
                        "ref_id": "1.1",
                        "kind": "paragraph",
                        "title": {"fr": "Paragraphe 1", "en": "Paragraph 1"},
                        "assessable": True,
                        "theme": "governance",
                    },
                    {
                        "ref_id": "1.2",
                        "kind": "paragraph",
                        "title": {"fr": "Paragraphe 2", "en": "Paragraph 2"},
                        "assessable": True,
                    },
                ],
            }
        ],
    }


def last_node(document: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = document["requirements"][0]["children"][-1]
    return node


def duplicated_ref_id(node: dict[str, Any]) -> None:
    node["ref_id"] = "1.1"


def unknown_kind(node: dict[str, Any]) -> None:
    node["kind"] = "recital"


def missing_title(node: dict[str, Any]) -> None:
    del node["title"]


def undeclared_theme(node: dict[str, Any]) -> None:
    node["theme"] = "finance"


BAD_NODES = [
    pytest.param(duplicated_ref_id, "'1.1'", "used twice", id="duplicated ref_id"),
    pytest.param(unknown_kind, "'1.2'", "unknown kind 'recital'", id="unknown kind"),
    pytest.param(missing_title, "'1.2'", "title", id="missing title"),
    pytest.param(undeclared_theme, "'1.2'", "theme 'finance' is not declared", id="theme"),
]


def test_the_small_catalogue_is_valid() -> None:
    assert [node.ref_id for node in validate_catalogue(small_catalogue(), "test.yaml")] == [
        "1",
        "1.1",
        "1.2",
    ]


@pytest.mark.parametrize(("spoil", "ref_id", "reason"), BAD_NODES)
def test_validation_names_the_faulty_node(spoil: Any, ref_id: str, reason: str) -> None:
    document = small_catalogue()
    spoil(last_node(document))

    with pytest.raises(CatalogueError) as error:
        validate_catalogue(document, "test.yaml")

    # The path from the top of the file, with the ref_id of every node on the way.
    assert str(error.value).startswith(
        f"test.yaml: requirements[0] (ref_id '1').children[1] (ref_id {ref_id}): "
    )
    assert reason in str(error.value)


@pytest.mark.parametrize(("spoil", "ref_id", "reason"), BAD_NODES)
def test_a_bad_catalogue_writes_nothing(spoil: Any, ref_id: str, reason: str) -> None:
    document = small_catalogue()
    spoil(last_node(document))
    before = row_counts()

    with pytest.raises(CatalogueError, match=reason):
        catalogue_import_document(document, actor=ACTOR, name="test.yaml")

    assert not Framework.objects.filter(code="test-fw").exists()
    assert row_counts() == before


def test_a_yaml_syntax_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    # Line 4: an unquoted title containing ": " (the usual slip when typing a title).
    path.write_text(
        "schema: egide-catalogue/1\n"
        "framework:\n"
        "  code: broken\n"
        "  name: ISO 27001: the standard\n"
        '  version: "1"\n',
        encoding="utf-8",
    )

    with pytest.raises(CatalogueError) as error:
        read_yaml(path)

    assert str(error.value) == (
        "broken.yaml: not valid YAML at line 4, column 18: mapping values are not allowed here"
    )


def test_a_tab_in_the_indentation_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "tabs.yaml"
    path.write_text("schema: egide-catalogue/1\nframework:\n\tcode: x\n", encoding="utf-8")

    with pytest.raises(CatalogueError, match=r"tabs\.yaml: not valid YAML at line 3, column 1"):
        read_yaml(path)


def nis2_to_gdpr(*links: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": "egide-mapping/1",
        "source": {"framework": "nis2", "version": "2022/2555"},
        "target": {"framework": "gdpr", "version": "2016/679"},
        "links": list(links),
    }


def test_a_mapping_to_an_unknown_requirement_names_the_link_and_writes_nothing() -> None:
    document = nis2_to_gdpr(
        {"source": "21.2.b", "target": "33.1", "relationship": "intersect"},
        {"source": "21.2.c", "target": "99.9", "relationship": "intersect"},
    )
    before = row_counts()

    with pytest.raises(CatalogueError) as error:
        mapping_import_document(document, actor=ACTOR, name="nis2--gdpr.yaml")

    assert str(error.value) == "nis2--gdpr.yaml: links[1]: gdpr has no requirement '99.9'."
    assert not MappingSet.objects.filter(source__code="nis2", target__code="gdpr").exists()
    assert row_counts() == before


def test_a_mapping_from_an_unknown_requirement_names_the_link() -> None:
    document = nis2_to_gdpr({"source": "21.2.z", "target": "33.1", "relationship": "equal"})

    with pytest.raises(CatalogueError, match=r"links\[0\]: nis2 has no requirement '21\.2\.z'"):
        mapping_import_document(document, actor=ACTOR, name="nis2--gdpr.yaml")


def test_a_mapping_with_an_unknown_relationship_is_refused() -> None:
    document = nis2_to_gdpr({"source": "21.2.b", "target": "33.1", "relationship": "similar"})
    before = row_counts()

    with pytest.raises(CatalogueError, match=r"links\[0\]: relationship must be one of"):
        mapping_import_document(document, actor=ACTOR, name="nis2--gdpr.yaml")

    assert row_counts() == before


def test_a_mapping_to_a_framework_that_is_not_loaded_is_refused() -> None:
    document = nis2_to_gdpr({"source": "21.2.b", "target": "33.1", "relationship": "equal"})
    document["target"] = {"framework": "dora", "version": "2022/2554"}

    with pytest.raises(CatalogueError, match="framework 'dora' is not loaded"):
        mapping_import_document(document, actor=ACTOR, name="nis2--dora.yaml")
