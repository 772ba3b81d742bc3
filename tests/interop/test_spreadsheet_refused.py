"""Broken spreadsheets: each exits non-zero with problems located by file, line and column,
and leaves every table as it was."""

import pytest

from proficio.interop.spreadsheet.template import template_csv, template_xlsx
from tests.interop.conftest import row_counts
from tests.interop.spreadsheet_support import (
    COLLABORATION,
    HEADERS,
    cells,
    csv_bytes,
    import_file,
    template_csv_with,
    write,
)

pytestmark = pytest.mark.django_db

# In the template with COLLABORATION added, the worked example's rows start on lines 2, 5
# and 8 (each holds three evidence statements on three lines); COL1's rows are lines 11, 12.
COL1_FIRST, COL1_SECOND = 11, 12


@pytest.fixture
def refuse(world, cli, tmp_path):
    """Run the command on `data`; it must fail, change nothing, and locate its problems."""

    def run(data: bytes, name: str = "bad.csv") -> list[dict]:
        path = write(tmp_path, name, data)
        before = row_counts()
        result = cli("import", "framework", str(path), "--json", "--district", "Riverside")
        assert result.code == 1
        assert row_counts() == before
        problems = result.json()["problems"]
        assert problems and all(problem["file"] == name for problem in problems)
        text = cli("import", "framework", str(path), "--district", "Riverside")
        assert text.code == 1 and "Nothing was imported" in text.err
        assert row_counts() == before
        return problems

    return run


def where(problem: dict) -> tuple:
    return problem["line"], problem["field"]


def test_the_template_rows_start_where_the_tests_say(world):
    report = import_file(world, template_csv_with(COLLABORATION))
    assert report.created["stages"] == 5
    lines = template_csv_with(COLLABORATION).decode("utf-8-sig").splitlines()
    assert lines[COL1_FIRST - 1].startswith("COL1,") and lines[COL1_SECOND - 1].startswith("COL1,")


def test_a_missing_column_is_named_at_the_header(refuse):
    headers = [header for header in HEADERS if header != "Stage label"]
    rows = [
        [value for h, value in zip(HEADERS, cells(COLLABORATION[0]), strict=True) if h in headers]
    ]
    [problem] = refuse(csv_bytes(rows, headers))
    assert where(problem) == (1, "Stage label")
    assert problem["message"].startswith("The column “Stage label” is missing.")


def test_a_misspelt_column_is_suggested(refuse):
    headers = [("Evidence statments" if h == "Evidence statements" else h) for h in HEADERS]
    [problem] = refuse(csv_bytes([cells(COLLABORATION[0])], headers))
    assert where(problem) == (1, "Evidence statements")
    assert "(is “Evidence statments” meant to be it?)" in problem["message"]


def test_a_gap_in_the_stages_is_located_at_the_stage_after_it(refuse):
    rows = [dict(row) for row in COLLABORATION]
    rows[1]["ordinal"] = "3"
    [problem] = refuse(template_csv_with(rows))
    assert where(problem) == (COL1_SECOND, "Stage")
    assert problem["message"] == (
        "COL1 has the stages 1, 3: number them 1, 2, 3, … with no gap (stage 2 is missing). "
        "(In a spreadsheet program this is row 6.)"
    )


def test_stages_that_do_not_start_at_one_are_located_at_the_first_row(refuse):
    rows = [dict(row, ordinal=str(number)) for number, row in enumerate(COLLABORATION, 2)]
    [problem] = refuse(template_csv_with(rows))
    assert where(problem) == (COL1_FIRST, "Stage")
    assert "(stage 1 is missing)" in problem["message"]


def test_an_unknown_kind_is_located(refuse):
    rows = [dict(COLLABORATION[0], kind="knowledge"), COLLABORATION[1]]
    [problem] = refuse(template_csv_with(rows))
    assert where(problem) == (COL1_FIRST, "Kind")
    assert problem["message"] == (
        "“knowledge” is not a kind: write academic or skill. "
        "(In a spreadsheet program this is row 5.)"
    )


def test_a_duplicate_stage_is_located_at_its_second_row(refuse):
    rows = [COLLABORATION[0], dict(COLLABORATION[1], ordinal="1")]
    [problem] = refuse(template_csv_with(rows))
    assert where(problem) == (COL1_SECOND, "Stage")
    assert problem["message"] == (
        f"COL1 has a stage 1 on line {COL1_FIRST} (row 5) already: give each stage one row. "
        "(In a spreadsheet program this is row 6.)"
    )


def test_a_grade_that_is_not_a_whole_number_is_located(refuse):
    rows = [COLLABORATION[0], dict(COLLABORATION[1], grade="2.5")]
    [problem] = refuse(template_csv_with(rows))
    assert where(problem) == (COL1_SECOND, "Typical grade")
    assert problem["message"].startswith(
        "“2.5” is not a grade: write a whole number from 1 to 12, K or PK."
    )


def test_an_empty_title_is_located_at_the_competencys_first_row(refuse):
    rows = [dict(COLLABORATION[0], title=""), COLLABORATION[1]]
    [problem] = refuse(template_csv_with(rows))
    assert where(problem) == (COL1_FIRST, "Competency title")
    assert problem["message"] == "COL1 has no title. (In a spreadsheet program this is row 5.)"


def test_latin1_bytes_are_refused_at_their_row_and_column(refuse):
    rows = [dict(COLLABORATION[0], label="Partage le matériel"), COLLABORATION[1]]
    data = template_csv_with(rows).decode("utf-8").encode("utf-8")
    data = data.replace("matériel".encode(), "matériel".encode("latin-1"))
    [problem] = refuse(data)
    assert where(problem) == (COL1_FIRST, "Stage label")
    assert "not UTF-8 text: byte 0xE9 cannot be read (1 line has such bytes)" in problem["message"]
    assert problem["message"].endswith("(In a spreadsheet program this is row 5.)")
    assert "Windows-1252 or Latin-1" in problem["message"] and "CSV UTF-8" in problem["message"]


def test_a_truncated_xlsx_is_refused(refuse):
    data = template_xlsx()
    [problem] = refuse(data[: len(data) // 2], "cut.xlsx")
    assert problem["line"] is None
    assert "damaged or cut short" in problem["message"]


def test_an_old_xls_workbook_and_an_unknown_header_are_refused_with_a_reason(refuse):
    [xls] = refuse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")
    assert ".xlsx" in xls["message"]
    [unknown] = refuse(b"name,age\nAda,36\n", "people.csv")
    assert where(unknown) == (1, None)
    assert "neither Proficio's template" in unknown["message"]


def test_an_empty_file_is_refused(refuse):
    [empty] = refuse(b"", "empty.csv")
    assert empty["message"] == "The file is empty."
    [blank] = refuse(b"\xef\xbb\xbf\r\n,,\r\n", "blank.csv")
    assert blank["message"] == "The file has no header row."


def test_every_problem_in_a_file_is_listed_at_once(refuse):
    rows = [
        dict(COLLABORATION[0], kind="knowledge", grade="Year 1"),
        dict(COLLABORATION[1], ordinal="two", label=""),
        {"title": "No code", "ordinal": "1", "label": "x", "kind": "skill"},
        dict(COLLABORATION[1], code="COL2", title="Other", kind="skill", ordinal="1"),
        dict(COLLABORATION[1], code="COL2", title="Another title", ordinal="2"),
    ]
    problems = refuse(template_csv_with(rows))
    assert [where(p) for p in problems] == [
        (COL1_FIRST, "Kind"),
        (COL1_FIRST, "Typical grade"),
        (COL1_SECOND, "Stage"),
        (COL1_SECOND, "Stage label"),
        (13, "Competency code"),
        (15, "Competency title"),
    ]
    assert problems[-1]["message"] == (
        "COL2 has another competency title on line 14 (row 8): give it once, or the same on "
        "every row. (In a spreadsheet program this is row 9.)"
    )


def test_the_examples_in_the_template_are_checked_like_any_row(refuse):
    data = template_csv().replace(b"academic", b"academics", 1)
    problems = refuse(data)
    assert [where(problem) for problem in problems] == [(2, "Kind"), (5, "Kind"), (8, "Kind")]
    assert problems[0]["message"] == "“academics” is not a kind: write academic or skill."
    assert problems[1]["message"] == (
        "SL1 has another kind on line 2: give it once, or the same on every row. "
        "(In a spreadsheet program this is row 3.)"
    )


def test_a_title_too_long_for_a_framework_is_refused(world, cli, tmp_path):
    path = write(tmp_path, "ours.csv", template_csv())
    before = row_counts()
    result = cli("import", "framework", str(path), "--title", "x" * 301, "--district", "Riverside")
    assert result.code == 1 and "ours.csv: title: The title given is longer than 300" in result.err
    assert row_counts() == before


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\x7fELF\x02\x01\x01\x00", "a binary file"),
    ],
)
def test_a_file_that_is_no_table_is_named_for_what_it_is(refuse, start, kind):
    [problem] = refuse(start + bytes(range(256)) * 4, "trajectories.csv")
    assert problem["message"].startswith(f"This is not a CSV or XLSX file: it looks like {kind}.")
    assert "Windows-1252" not in problem["message"]
