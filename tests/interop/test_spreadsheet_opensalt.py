"""OpenSALT's CSV layout: the Common Core ELA items in their hierarchy and order, re-imports
by identifier, the title a CSV cannot give, and refusals located by line and column."""

import csv
import io
import time
from pathlib import Path

import pytest

from proficio.frameworks.models import Framework, Standard
from proficio.interop.case.export import case_package
from proficio.interop.report import ImportRefused
from tests.interop.conftest import row_counts
from tests.interop.spreadsheet_support import import_file, write

pytestmark = pytest.mark.django_db

ELA = "ccss-ela-items.csv"


@pytest.fixture(scope="module")
def ela(testdata) -> Path:
    return testdata / "case" / ELA


def import_ela(world, ela: Path, **options):
    return import_file(world, ela.read_bytes(), ELA, **options)


def coded(code: str) -> Standard:
    return Standard.objects.get(human_coding_scheme=code)


def statements(standards) -> list[str]:
    return [standard.full_statement for standard in standards.order_by("position")]


def rows_of(ela: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(ela.read_text("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_the_common_core_ela_csv_gives_1189_items_in_their_hierarchy(world, ela):
    began = time.perf_counter()
    report = import_ela(world, ela)
    elapsed = time.perf_counter() - began
    assert report.created["items"] == 1189 and report.created["frameworks"] == 1
    assert elapsed < 10, f"the ELA import took {elapsed:.1f} s"
    framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
    assert framework.standards.count() == 1189

    top = framework.standards.filter(parent=None)
    assert statements(top) == [
        "College and Career Anchor Standards",
        "Kindergarten",
        *(f"Grade {grade}" for grade in range(1, 9)),
        "Grade 9-10",
        "Grade 11-12",
    ]
    grade_1 = top.get(full_statement="Grade 1")
    # smartLevel orders the strands, even where listEnumeration repeats a number (5, 5).
    assert statements(grade_1.children) == [
        "Reading Standards for Literature",
        "Reading Standards for Informational Text",
        "Reading Standards: Foundational Skills",
        "Writing Standards",
        "Speaking and Listening Standards",
        "Language Standards",
    ]
    speaking = grade_1.children.get(full_statement="Speaking and Listening Standards")
    collaboration = speaking.children.get(full_statement="Comprehension and Collaboration")
    assert [s.human_coding_scheme for s in collaboration.children.order_by("position")] == [
        "SL.1.1",
        "SL.1.2",
        "SL.1.3",
    ]
    parts = coded("SL.1.1").children.order_by("position")
    assert [s.human_coding_scheme for s in parts] == ["SL.1.1a", "SL.1.1b", "SL.1.1c"]
    assert [s.list_enumeration for s in parts] == ["a.", "b.", "c."]
    assert coded("RL.1.10").parent.full_statement == (
        "Range of Reading and Level of Text Complexity"
    )
    assert coded("L.1.4").parent.parent == grade_1.children.get(full_statement="Language Standards")
    assert coded("SL.1.1a").item_type == "Component"
    assert coded("SL.1.1a").education_level == ["01"]
    assert str(coded("SL.1.1a").identifier) == "7fb7f3ba-885d-11e7-95a3-4504bec1b379"


def test_what_the_csv_could_not_say_or_said_untidily_is_reported(world, ela):
    report = import_ela(world, ela)
    fixed = "\n".join(report.fixed)
    assert "A CSV has no CFDocument: named the framework “ccss ela items” after the file's" in (
        fixed
    )
    assert "Read grade codes joined by dots (09.10) as a list (3 items)" in fixed
    assert "Kept 2 items that share the humanCodingScheme CCRA.L.6" in fixed
    assert report.extra["framework"]["title"] == "ccss ela items"
    assert report.extra["framework"]["code"] == "CCSS-ELA-ITEMS"
    dotted = Standard.objects.filter(full_statement="Reading Standards for Literature")
    assert dotted.get(parent__full_statement="Grade 9-10").education_level == ["09", "10"]


def test_a_second_import_creates_nothing_and_finds_the_framework_by_its_items(world, ela):
    first = import_ela(world, ela)
    before = row_counts()
    second = import_ela(world, ela)
    assert sum(second.created.values()) == 0
    assert second.unchanged["items"] == 1189 and second.unchanged["frameworks"] == 1
    assert second.extra["framework"] == first.extra["framework"]
    assert "it updates the framework CCSS-ELA-ITEMS, which holds 1189 of its 1189 items" in (
        "\n".join(second.fixed)
    )
    assert row_counts() == before

    renamed = import_file(world, ela.read_bytes(), "renamed.csv")
    assert renamed.extra["framework"]["id"] == first.extra["framework"]["id"]
    assert renamed.extra["framework"]["title"] == "ccss ela items"  # a file name never renames


def test_the_title_option_names_the_framework_and_renames_it_later(world, ela):
    report = import_ela(world, ela, title="Common Core ELA")
    assert report.extra["framework"]["title"] == "Common Core ELA"
    assert "after the --title given" in report.fixed[0]
    again = import_ela(world, ela, title="Common Core English Language Arts")
    assert again.updated["frameworks"] == 1 and again.created["items"] == 0
    framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
    assert framework.title == "Common Core English Language Arts"


def test_a_changed_row_updates_its_item_by_identifier(world, ela, tmp_path):
    import_ela(world, ela)
    header, rows = rows_of(ela)
    statement = header.index("fullStatement")
    code = header.index("humanCodingScheme")
    row = next(row for row in rows if row[code] == "SL.1.1a")
    row[statement] = "Follow agreed-upon rules for discussions, reworded."
    report = import_file(world, as_csv(header, rows), ELA)
    assert report.updated["items"] == 1 and report.created["items"] == 0
    assert coded("SL.1.1a").full_statement.endswith("reworded.")
    assert coded("SL.1.1a").parent == coded("SL.1.1")


def test_a_dry_run_counts_everything_and_writes_nothing(world, ela):
    before = row_counts()
    report = import_ela(world, ela, dry_run=True)
    assert report.dry_run and report.created["items"] == 1189
    assert report.extra["framework"]["id"] is None
    assert row_counts() == before


def test_the_imported_csv_exports_as_a_valid_case_package(world, ela, case_schema):
    report = import_ela(world, ela)
    framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
    package = case_package(framework)
    errors = sorted(case_schema.iter_errors(package), key=str)
    assert not errors, errors[:3]
    assert len(package["CFItems"]) == 1189
    child_of = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    assert len(child_of) == 1189


def test_rows_without_smart_level_are_placed_by_their_code(world):
    header = ["identifier", "fullStatement", "humanCodingScheme", "smartLevel"]
    rows = [
        ["00000000-0000-0000-0000-000000000001", "Speaking", "", "1"],
        ["00000000-0000-0000-0000-000000000002", "Participate", "SL.1.1", "1.1"],
        ["00000000-0000-0000-0000-000000000003", "Follow rules", "SL.1.1a", ""],
        ["00000000-0000-0000-0000-000000000004", "Lost", "XX.9", "7.3"],
    ]
    report = import_file(world, as_csv(header, rows), "small.csv")
    assert coded("SL.1.1a").parent == coded("SL.1.1")
    assert coded("XX.9").parent is None
    fixed = "\n".join(report.fixed)
    assert "Placed items without a smartLevel by their humanCodingScheme (1 items)" in fixed
    assert "under the nearest level that is (1 items)" in fixed


def test_the_command_prints_a_json_summary_naming_the_framework(world, ela, cli):
    result = cli("import", "framework", str(ela), "--json", "--district", str(world.district.pk))
    assert result.code == 0, result.err
    summary = result.json()
    framework = Framework.objects.get(case_identifier__isnull=False)
    assert summary["framework"] == {
        "id": str(framework.uuid),
        "code": "CCSS-ELA-ITEMS",
        "title": "ccss ela items",
    }
    assert summary["format"] == "opensalt"
    assert summary["created"]["items"] == 1189
    text = cli("import", "framework", str(ela), "--district", "Riverside", "--dry-run")
    assert text.code == 0
    assert "Would import 'ccss ela items' as framework CCSS-ELA-ITEMS." in text.out
    assert "unchanged: 1 frameworks, 1189 items" in text.out


# ---- refusals -------------------------------------------------------------------------------


def refused(world, data: bytes, name: str = "bad.csv", **options):
    before = row_counts()
    with pytest.raises(ImportRefused) as caught:
        import_file(world, data, name, **options)
    assert row_counts() == before
    assert all(problem.file == name for problem in caught.value.problems)
    return caught.value.problems


def test_a_csv_without_full_statements_is_refused_at_its_header(world, ela, cli, tmp_path):
    header, rows = rows_of(ela)
    column = header.index("fullStatement")
    header[column] = "statement"
    path = write(tmp_path, "bad.csv", as_csv(header, rows))
    before = row_counts()
    result = cli(
        "import",
        "framework",
        str(path),
        "--format",
        "opensalt",
        "--json",
        "--district",
        "Riverside",
    )
    assert result.code == 1
    [problem] = result.json()["problems"]
    assert problem["line"] == 1 and problem["field"] == "fullStatement"
    assert "The column “fullStatement” is missing" in problem["message"]
    assert row_counts() == before


def test_duplicate_identifiers_empty_statements_and_bad_levels_are_located(world, ela):
    header, rows = rows_of(ela)
    identifier, statement = header.index("identifier"), header.index("fullStatement")
    level = header.index("smartLevel")
    rows[9][identifier] = rows[2][identifier]
    rows[19][statement] = ""
    rows[29][level] = "3.x"
    problems = refused(world, as_csv(header, rows))
    assert [(p.line, p.field) for p in problems] == [
        (11, "identifier"),
        (21, "fullStatement"),
        (31, "smartLevel"),
    ]
    assert f"The identifier {rows[2][identifier]} is on line 4 too" in problems[0].message
    assert "“3.x” is not a smartLevel" in problems[2].message
