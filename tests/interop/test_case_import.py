"""CASE import: every shared file, the Common Core hierarchy, re-imports, repairs, refusals."""

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from proficio.frameworks.models import Competency, Framework, Scale, Standard, StandardAssociation
from proficio.frameworks.services import competency_align
from proficio.interop.case.writer import import_case
from proficio.interop.report import ImportRefused
from proficio.lib.errors import InvalidInput, NotVisible
from tests.interop.conftest import row_counts

pytestmark = pytest.mark.django_db

CCSS = "ccss-math-asn-derived.json"
DOCUMENT = "d0000000-0000-0000-0000-000000000000"


def case_file(testdata: Path, name: str) -> Path:
    return testdata / "case" / "frameworks" / name


def import_bytes(world, data: bytes, name: str = "package.json", **options):
    return import_case(data=data, source=name, actor=None, district=world.district, **options)


def package(**changes) -> dict:
    """A small valid package: a document with two items, one the child of the other."""
    base = {
        "CFDocument": {
            "identifier": DOCUMENT,
            "uri": f"https://example.org/CFDocuments/{DOCUMENT}",
            "creator": "Tests",
            "title": "Small framework",
            "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
        },
        "CFItems": [
            {"identifier": "00000000-0000-0000-0000-000000000001", "fullStatement": "Parent"},
            {"identifier": "00000000-0000-0000-0000-000000000002", "fullStatement": "Child"},
        ],
        "CFAssociations": [
            child_of("a0000000-0000-0000-0000-000000000001", "1", DOCUMENT),
            child_of(
                "a0000000-0000-0000-0000-000000000002", "2", "00000000-0000-0000-0000-000000000001"
            ),
        ],
    }
    return base | changes


def child_of(identifier: str, child: str, parent: str, **extra) -> dict:
    return {
        "identifier": identifier,
        "associationType": "isChildOf",
        "originNodeURI": {"identifier": f"00000000-0000-0000-0000-00000000000{child}"},
        "destinationNodeURI": {"identifier": parent},
        **extra,
    }


def encoded(data: dict) -> bytes:
    return json.dumps(data, indent=2).encode()


def text_lines_at(data: dict, line: int) -> str:
    return encoded(data).decode().splitlines()[line - 1]


# ---- every shared file ---------------------------------------------------------------------


def test_every_shared_case_file_imports_with_all_its_items_and_associations(
    world, case_files, testdata
):
    assert len(case_files) == 11
    for path in case_files:
        raw = json.loads(path.read_text("utf-8-sig"))
        report = import_bytes(world, path.read_bytes(), path.name)
        framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
        assert framework.standards.count() >= len(raw["CFItems"]), path.name
        assert framework.standard_associations.count() >= len(raw["CFAssociations"]), path.name
        assert report.extra["framework"]["title"] == raw["CFDocument"]["title"].strip()


def test_common_core_math_gives_703_items_in_the_right_hierarchy(world, testdata):
    began = time.perf_counter()
    report = import_bytes(world, case_file(testdata, CCSS).read_bytes(), CCSS)
    elapsed = time.perf_counter() - began
    assert report.created["items"] == 703
    assert report.created["associations"] == 703
    assert elapsed < 10, f"the Common Core import took {elapsed:.1f} s"
    framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
    standards = framework.standards

    def coded(code: str) -> Standard:
        return standards.get(human_coding_scheme=code)

    counting = standards.get(full_statement="Counting and Cardinality")
    assert counting.parent is None
    top = list(standards.filter(parent=None).order_by("position"))
    assert [s.full_statement for s in top[:2]] == [
        "Standards for Mathematical Practice",
        "Counting and Cardinality",
    ]
    assert len(top) == 17
    clusters = list(counting.children.order_by("position"))
    assert [c.human_coding_scheme for c in clusters] == [
        "CCSS.Math.Content.K.CC.A",
        "CCSS.Math.Content.K.CC.B",
        "CCSS.Math.Content.K.CC.C",
    ]
    assert [s.human_coding_scheme for s in clusters[0].children.order_by("position")] == [
        "CCSS.Math.Content.K.CC.A.1",
        "CCSS.Math.Content.K.CC.A.2",
        "CCSS.Math.Content.K.CC.A.3",
    ]
    parts = coded("CCSS.Math.Content.3.NF.A.3").children.order_by("position")
    assert [s.human_coding_scheme[-1] for s in parts] == ["a", "b", "c", "d"]
    assert coded("CCSS.Math.Content.3.NF.A.3a").parent.parent.human_coding_scheme == (
        "CCSS.Math.Content.3.NF.A"
    )
    assert coded("CCSS.Math.Content.K.CC.A.1").education_level == ["KG"]
    assert coded("CCSS.Math.Content.K.CC.A.1").item_type == "Standard"


def test_common_core_repairs_are_reported(world, testdata):
    report = import_bytes(world, case_file(testdata, CCSS).read_bytes(), CCSS)
    fixed = "\n".join(report.fixed)
    assert "Read CFItem property educationalLevel as educationLevel (703 items)" in fixed
    assert "Identifiers were not UUIDs" in fixed
    assert "CFPackageURI" in fixed


def test_a_second_import_of_the_same_document_creates_nothing(world, testdata):
    data = case_file(testdata, CCSS).read_bytes()
    first = import_bytes(world, data, CCSS)
    before = row_counts()
    second = import_bytes(world, data, CCSS)
    assert sum(second.created.values()) == 0
    assert second.unchanged["items"] == 703
    assert second.extra["framework"] == first.extra["framework"]
    assert row_counts() == before


def test_a_changed_statement_updates_the_same_item(world):
    import_bytes(world, encoded(package()))
    changed = package()
    changed["CFItems"][1]["fullStatement"] = "Child, reworded"
    report = import_bytes(world, encoded(changed))
    assert report.created["items"] == 0 and report.updated["items"] == 1
    assert Standard.objects.get(full_statement="Child, reworded").parent.full_statement == "Parent"


def test_sequence_numbers_order_siblings_even_when_given_as_text(world, testdata):
    name = "SequenceNumberFramework.json"
    import_bytes(world, case_file(testdata, name).read_bytes(), name)
    order = Standard.objects.filter(parent=None).order_by("position")
    assert [s.human_coding_scheme for s in order] == ["SNT.2", "SNT.1"]

    sample = "opensalt-sample-framework.json"
    report = import_bytes(world, case_file(testdata, sample).read_bytes(), sample)
    assert "Read sequenceNumber given as text as a number (2 associations)" in report.fixed
    framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
    types = set(framework.standard_associations.values_list("association_type", flat=True))
    assert types == {"isChildOf", "exactMatchOf", "precedes", "exemplar", "isRelatedTo"}


def test_markdown_and_utf8_statements_are_kept_as_written(world, testdata):
    for name in ("MarkdownFramework.json", "Utf8TestFramework.json"):
        import_bytes(world, case_file(testdata, name).read_bytes(), name)
    table = Standard.objects.get(human_coding_scheme="MD.Table").full_statement
    assert "| Column 1 | Column 2 |" in table and "$x = {-b" in table
    assert Standard.objects.filter(full_statement="Item 𝑑 1").exists()


def test_a_byte_order_mark_and_uri_identifiers_are_repaired_and_said(world):
    data = package()
    data["CFItems"][0]["identifier"] = (
        "https://example.org/CFItems/00000000-0000-0000-0000-000000000001"
    )
    data["CFItems"][1]["educationalLevel"] = "03, 04"
    report = import_bytes(world, b"\xef\xbb\xbf" + encoded(data))
    assert "Dropped the UTF-8 byte-order mark at the start of the file" in report.fixed
    assert "Identifiers were URIs: used the UUID inside each (1 items)" in report.fixed
    child = Standard.objects.get(full_statement="Child")
    assert str(child.parent.identifier) == "00000000-0000-0000-0000-000000000001"
    assert child.education_level == ["03", "04"]


def test_unknown_properties_and_association_types_are_kept(world):
    data = package()
    data["CFItems"][0]["gradeBand"] = "K-2"
    data["CFAssociations"].append(
        {
            "identifier": "a0000000-0000-0000-0000-000000000003",
            "associationType": "hasPart",
            "originNodeURI": {"identifier": "00000000-0000-0000-0000-000000000001"},
            "destinationNodeURI": {"identifier": "https://elsewhere.example/x", "title": "X"},
        }
    )
    import_bytes(world, encoded(data))
    assert Standard.objects.get(full_statement="Parent").extra == {
        "extensions": {"gradeBand": "K-2"}
    }
    outside = StandardAssociation.objects.get(association_type="ext:hasPart")
    assert outside.destination is None
    assert outside.destination_identifier == "https://elsewhere.example/x"


def test_a_dry_run_counts_everything_and_writes_nothing(world, testdata):
    before = row_counts()
    report = import_bytes(world, case_file(testdata, CCSS).read_bytes(), CCSS, dry_run=True)
    assert report.dry_run and report.created["items"] == 703
    assert report.extra["framework"]["id"] is None
    assert row_counts() == before


def test_the_framework_code_comes_from_the_title_and_stays_unique(world):
    import_bytes(world, encoded(package()))
    other_id = "d1000000-0000-0000-0000-000000000000"
    other = package()
    other["CFDocument"] = {**other["CFDocument"], "identifier": other_id}
    other["CFAssociations"][0]["destinationNodeURI"] = {"identifier": other_id}
    report = import_bytes(world, encoded(other))
    assert report.extra["framework"]["code"] == "SMALL-FRAMEWORK-2"


def test_items_of_chosen_types_also_become_aligned_competencies(world, testdata):
    name = "ItemTypeTestFramework.json"
    data = case_file(testdata, name).read_bytes()
    report = import_bytes(world, data, name, competency_types=["standard"])
    assert report.created["competencies"] == 1
    standard = Standard.objects.get(full_statement="Item 1")
    assert standard.competency.title == "Item 1"
    assert list(standard.competency.aligned_standards.all()) == [standard]
    again = import_bytes(world, data, name, competency_types=["Standard"])
    assert again.created["competencies"] == 0 and again.unchanged["competencies"] == 1


def test_rubric_criteria_become_scales_with_the_upper_half_as_mastery(world):
    levels = [
        {"identifier": f"e0000000-0000-0000-0000-00000000000{n}", "quality": q, "score": n}
        for n, q in ((1, "Novice"), (2, "Apprentice"), (3, "Practitioner"), (4, "Expert"))
    ]
    data = package(
        CFRubrics=[
            {
                "identifier": "b0000000-0000-0000-0000-000000000001",
                "title": "Argument rubric",
                "CFRubricCriteria": [
                    {
                        "identifier": "c0000000-0000-0000-0000-000000000001",
                        "category": "Claim",
                        "CFRubricCriterionLevels": levels,
                    }
                ],
            }
        ]
    )
    report = import_bytes(world, encoded(data))
    assert report.created["scales"] == 1
    scale = Scale.objects.get(name="Argument rubric: Claim")
    assert [(level.label, level.is_mastery) for level in scale.levels.all()] == [
        ("Novice", False),
        ("Apprentice", False),
        ("Practitioner", True),
        ("Expert", True),
    ]
    assert scale.levels.get(label="Expert").value == Decimal(4)
    assert Framework.objects.get(case_identifier=DOCUMENT).scale == scale
    assert import_bytes(world, encoded(data)).unchanged["scales"] == 1


# ---- refusals: located, and nothing written ------------------------------------------------


def refused(world, data: bytes):
    before = row_counts()
    with pytest.raises(ImportRefused) as caught:
        import_bytes(world, data, "bad.json")
    assert row_counts() == before
    assert all(problem.file == "bad.json" for problem in caught.value.problems)
    return caught.value.problems


def test_truncated_json_is_refused_with_its_line(world, testdata):
    text = case_file(testdata, "AdoptedTestFramework.json").read_bytes()
    [problem] = refused(world, text[: len(text) // 2])
    assert "cut short" in problem.message
    assert problem.line == text[: len(text) // 2].count(b"\n") + 1


def test_bytes_that_are_not_utf8_are_refused_with_their_line(world):
    data = encoded(package()).replace(b"Child", "Ch\xefld".encode("latin-1"))
    [problem] = refused(world, data)
    assert "not UTF-8" in problem.message and "0xEF" in problem.message
    assert problem.line == data.split(b"Ch\xefld")[0].count(b"\n") + 1


def test_a_file_without_cfdocument_is_refused(world):
    [problem] = refused(world, json.dumps({"CFItems": []}).encode())
    assert "no CFDocument" in problem.message and problem.field == "/CFDocument"


def test_an_item_without_identifier_or_statement_is_refused_where_it_is(world):
    data = package()
    del data["CFItems"][0]["identifier"]
    data["CFItems"][1]["fullStatement"] = ""
    problems = refused(world, encoded(data))
    assert [p.field for p in problems] == ["/CFItems/0/identifier", "/CFItems/1/fullStatement"]
    assert text_lines_at(data, problems[0].line).strip() == "{"  # the item missing it
    text = encoded(data).decode().splitlines()
    assert '"fullStatement": ""' in text[problems[1].line - 1]


def test_an_is_child_of_pointing_nowhere_is_refused(world):
    data = package()
    data["CFAssociations"][1]["destinationNodeURI"] = {"identifier": "nowhere"}
    [problem] = refused(world, encoded(data))
    assert "neither this document nor one of its items" in problem.message
    assert problem.field == "/CFAssociations/1/destinationNodeURI"
    assert problem.line is not None


def test_duplicate_identifiers_and_loops_are_refused(world):
    data = package()
    data["CFItems"][1]["identifier"] = data["CFItems"][0]["identifier"]
    [problem] = refused(world, encoded(data))
    assert "Two items have the identifier" in problem.message
    assert problem.field == "/CFItems/1/identifier"

    loop = package()
    loop["CFAssociations"][0] = child_of(
        "a0000000-0000-0000-0000-000000000001", "1", "00000000-0000-0000-0000-000000000002"
    )
    [problem] = refused(world, encoded(loop))
    assert "a child of itself" in problem.message


# ---- the command ---------------------------------------------------------------------------


def test_the_command_prints_a_json_summary_naming_the_framework(world, testdata, cli):
    district = str(world.district.pk)
    result = cli("import", "case", str(case_file(testdata, CCSS)), "--json", "--district", district)
    assert result.code == 0
    summary = result.json()
    framework = Framework.objects.get(case_identifier__isnull=False)
    assert summary["framework"] == {
        "id": str(framework.uuid),
        "code": framework.code,
        "title": "Common Core State Standards for Mathematics",
    }
    assert summary["created"]["items"] == 703
    assert summary["fixed"]


def test_the_command_refuses_a_bad_file_with_a_non_zero_exit(world, tmp_path, cli):
    bad = tmp_path / "bad.json"
    bad.write_text('{"CFDocument": {"identifier": ')
    before = row_counts()
    result = cli("import", "case", str(bad), "--district", str(world.district.uuid))
    assert result.code == 1
    assert "bad.json:1" in result.err and "cut short" in result.err
    as_json = cli("import", "case", str(bad), "--json", "--district", "Riverside")
    assert as_json.code == 1 and as_json.json()["problems"][0]["line"] == 1
    assert row_counts() == before


def test_the_command_dry_run_writes_nothing(world, testdata, cli):
    before = row_counts()
    result = cli(
        "import", "case", str(case_file(testdata, CCSS)), "--dry-run", "--district", "Riverside"
    )
    assert result.code == 0 and "Dry run: nothing was written." in result.out
    assert row_counts() == before


# ---- aligning competencies to standards ----------------------------------------------------


def test_a_district_admin_aligns_a_competency_to_imported_standards(world, testdata):
    import_bytes(world, case_file(testdata, CCSS).read_bytes(), CCSS)
    standards = list(
        Standard.objects.filter(human_coding_scheme__startswith="CCSS.Math.Content.K.CC.A.")
    )
    competency_align(actor=world.district_admin, competency=world.competency, standards=standards)
    assert set(world.competency.aligned_standards.all()) == set(standards)
    with pytest.raises(NotVisible):
        competency_align(actor=world.teacher, competency=world.competency, standards=standards)


def test_standards_of_another_district_cannot_be_aligned(world):
    report = import_case(
        data=encoded(package()),
        source="p.json",
        actor=None,
        district=world.other_district_student.district,
    )
    elsewhere = list(Framework.objects.get(uuid=report.extra["framework"]["id"]).standards.all())
    with pytest.raises(InvalidInput):
        competency_align(
            actor=world.district_admin, competency=world.competency, standards=elsewhere
        )
    assert not Competency.objects.filter(aligned_standards__isnull=False).exists()
