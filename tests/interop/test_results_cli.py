"""`proficio import results PATH [--district ID] [--dry-run] [--json]` as an operator uses it."""

import pytest

from proficio.evidence.models import Evidence, EvidenceSource
from proficio.lib.errors import ProficioError
from tests.interop.conftest import row_counts
from tests.interop.results_support import days_ago, mapped, write_results

pytestmark = pytest.mark.django_db

__all__ = ["mapped"]  # the fixture


@pytest.fixture
def good(tmp_path, mapped):
    return write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"classmate,State Reading,{days_ago(20)},,Below",
        name="spring.csv",
    )


def test_the_results_become_evidence_of_the_named_district(cli, good, mapped):
    result = cli("import", "results", str(good), "--district", "Riverside")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Recorded 3 standardized ratings from 2 results of 2 students in Riverside; 0 were "
        "already recorded.",
        "  State Reading: 2 results, 3 new ratings, 0 already recorded",
    ]
    assert Evidence.objects.filter(source=EvidenceSource.STANDARDIZED).count() == 3
    again = cli("import", "results", str(good), "--district", "Riverside", "--json").json()
    assert again["created"] == {"ratings": 0} and again["unchanged"] == {"ratings": 3}


def test_a_bad_file_prints_each_problem_with_file_line_and_column_and_writes_nothing(
    cli, tmp_path, mapped
):
    path = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        "classmate,State Reading,yesterday,,Below",
        name="spring.csv",
    )
    before = row_counts()

    result = cli("import", "results", str(path), "--district", "Riverside")

    assert result.code == 1
    assert result.err.splitlines() == [
        "Nothing was imported: 1 problem(s).",
        "  spring.csv:3: date: “yesterday” is not a date: write it as year-month-day, "
        "e.g. 2025-03-04.",
    ]
    assert row_counts() == before
    as_json = cli("import", "results", str(path), "--district", "Riverside", "--json").json()
    assert as_json["problems"] == [
        {
            "file": "spring.csv",
            "line": 3,
            "field": "date",
            "message": "“yesterday” is not a date: write it as year-month-day, e.g. 2025-03-04.",
        }
    ]


def test_a_dry_run_counts_and_writes_nothing(cli, good):
    before = row_counts()

    result = cli("import", "results", str(good), "--district", "Riverside", "--dry-run")

    assert result.code == 0
    assert result.out.startswith("Would record 3 standardized ratings")
    assert result.out.rstrip().endswith("Dry run: nothing was written.")
    assert row_counts() == before


def test_with_several_districts_the_district_must_be_named(cli, good):
    with pytest.raises(ProficioError, match="Name the district with --district"):
        cli("import", "results", str(good))


def test_another_district_reads_its_own_mapping_and_students(cli, good):
    result = cli("import", "results", str(good), "--district", "Elsewhere")

    assert result.code == 1
    assert "Elsewhere has no mapping of standardized results yet" in result.err


def test_a_missing_file_is_said_plainly(cli, tmp_path, mapped):
    with pytest.raises(ProficioError, match="there is no such file"):
        cli("import", "results", str(tmp_path / "none.csv"), "--district", "Riverside")
