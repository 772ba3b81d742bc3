"""Broken packages end with a non-zero exit, located errors, and every table as it was."""

from pathlib import Path

import pytest

from proficio.interop.oneroster.writer import import_oneroster
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    PACKAGE_1_2,
    copy_package,
    edit,
    line_of,
    replace,
    row_counts,
    zip_package,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["empty", "imported before"])
def database(request, world):
    """Refusals change nothing in a database holding other districts, and nothing in the
    district the same roster filled earlier."""
    if request.param == "imported before":
        import_oneroster(PACKAGE_1_1)
    return request.param


def refused(cli, path: Path) -> list[dict]:
    """Run the import through the CLI; it must fail, print problems, and write nothing."""
    before = row_counts()
    result = cli("import", "oneroster", str(path), "--json")
    assert result.code == 1
    assert row_counts() == before
    body = result.json()
    assert body["ok"] is False
    return body["problems"]


def cut_mid_line(text: str) -> str:
    """The file as a copy interrupted partway through its last line."""
    last = text.rstrip("\n").rfind("\n")
    return text[: last + 1 + (len(text) - last) // 2]


def test_a_csv_cut_mid_line(cli, database, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "enrollments.csv", cut_mid_line)
    lines = (package / "enrollments.csv").read_text().splitlines()
    fields = lines[-1].count(",") + 1
    assert fields < 10

    problems = refused(cli, package)

    assert problems == [
        {
            "file": "enrollments.csv",
            "line": len(lines),
            "field": None,
            "message": f"has {fields} fields where the header has 10; the file may be cut short.",
        }
    ]


def test_a_csv_cut_inside_a_quoted_value(cli, database, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "users.csv", lambda text: text[: text.index('"s-cedar,s-lake') + 9])

    problems = refused(cli, package)

    [problem] = problems
    assert problem["file"] == "users.csv"
    assert problem["line"] == line_of(package, "users.csv", "u-t-04")
    assert "not valid CSV" in problem["message"]


def test_a_zip_cut_short(cli, database, tmp_path):
    archive = zip_package(copy_package(PACKAGE_1_2, tmp_path))
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    [problem] = refused(cli, archive)

    assert problem["file"] == "package"
    assert problem["message"].startswith("is not a readable zip file")
    assert "cut short" in problem["message"]


def test_a_missing_required_column(cli, database, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)

    def drop_username(text: str) -> str:
        rows = [line.split(",") for line in text.splitlines()]
        column = rows[0].index("username")
        return "\n".join(",".join(r[:column] + r[column + 1 :]) for r in rows) + "\n"

    edit(package, "classes.csv", replace("classType", "kind"))
    (package / "users.csv").write_text(drop_username((package / "users.csv").read_text()))

    problems = refused(cli, package)

    assert {(p["file"], p["line"], p["field"]) for p in problems} == {
        ("users.csv", 1, "username"),
        ("classes.csv", 1, "classType"),
    }
    assert all(p["message"] == "required column is missing from the header." for p in problems)


def test_an_enrollment_of_an_unknown_user(cli, database, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "enrollments.csv", replace("s-lake,u-s-05,student", "s-lake,u-s-99,student"))

    problems = refused(cli, package)

    assert problems == [
        {
            "file": "enrollments.csv",
            "line": line_of(package, "enrollments.csv", "u-s-99"),
            "field": "userSourcedId",
            "message": "'u-s-99' is not a user in the package or in Proficio.",
        }
    ]


def test_a_duplicate_sourced_id_names_both_lines(cli, database, tmp_path):
    package = copy_package(PACKAGE_1_2, tmp_path)
    edit(package, "users.csv", replace("hp-s-12,active", "hp-s-5,active"))

    problems = refused(cli, package)

    first = line_of(package, "users.csv", "hp-s-5,")
    second = line_of(package, "users.csv", "ben.okoro")
    assert problems[0] == {
        "file": "users.csv",
        "line": second,
        "field": "sourcedId",
        "message": f"'hp-s-5' is already used on line {first}.",
    }
    # Ben's row lost its id, so his role and enrollment now name nobody: said, not hidden.
    assert [(p["file"], p["message"]) for p in problems[1:]] == [
        ("roles.csv", "'hp-s-12' is not a user in the package or in Proficio."),
        ("enrollments.csv", "'hp-s-12' is not a user in the package or in Proficio."),
    ]


def test_a_file_in_latin_1_rather_than_utf_8(cli, database, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    users = package / "users.csv"
    users.write_bytes(users.read_text(encoding="utf-8").encode("latin-1"))

    [problem] = refused(cli, zip_package(package))

    assert problem["file"] == "users.csv"
    assert problem["line"] == line_of(PACKAGE_1_1, "users.csv", "Tomás")
    assert problem["message"].startswith("is not UTF-8: byte 0xE1 cannot be read")


def test_the_plain_output_lists_each_problem_on_stderr(cli, world, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "enrollments.csv", replace("s-lake,u-s-05,student", "s-lake,u-s-99,student"))
    line = line_of(package, "enrollments.csv", "u-s-99")

    result = cli("import", "oneroster", str(package))

    assert result.code == 1
    assert result.out == ""
    assert result.err.splitlines() == [
        "Nothing was imported: 1 problem(s).",
        f"  enrollments.csv:{line}: userSourcedId: 'u-s-99' is not a user in the package or in "
        "Proficio.",
    ]


def test_every_problem_is_reported_at_once(cli, world, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "classes.csv", replace("scheduled,Room 204", "lecture,Room 204"))
    edit(package, "academicSessions.csv", replace("2025-10-17", "17/10/2025"))
    edit(package, "enrollments.csv", replace("u-s-05,student", "u-s-99,student"))

    problems = refused(cli, package)

    assert [(p["file"], p["field"]) for p in problems] == [
        ("academicSessions.csv", "endDate"),
        ("classes.csv", "classType"),
        ("enrollments.csv", "userSourcedId"),
    ]


def test_a_path_that_does_not_exist(cli, world, tmp_path):
    problems = refused(cli, tmp_path / "nowhere.zip")

    assert problems == [
        {
            "file": str(tmp_path / "nowhere.zip"),
            "line": None,
            "field": None,
            "message": "does not exist.",
        }
    ]
