"""The import works in bulk: queries grow with batches of rows, never with rows.
(The district-sized package, 5,000 users and 20,000 enrollments, is timed by bench/oneroster.)"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.oneroster import write_package
from proficio.interop.oneroster.writer import import_oneroster

pytestmark = pytest.mark.django_db


def queries_to_import(folder, **sizes) -> int:
    folder.mkdir()
    write_package(folder, schools=2, teachers=4, classes_per_school=2, passwords=1, **sizes)
    with transaction.atomic():  # each package meets an empty database
        with CaptureQueriesContext(connection) as queries:
            report = import_oneroster(folder)
        transaction.set_rollback(True)
    assert report.created["users"] == 1 + 2 + 4 + sizes["students"] + sizes["guardians"]
    return len(queries)


def test_ten_times_the_roster_costs_a_few_more_queries_not_ten_times_as_many(tmp_path):
    small = queries_to_import(tmp_path / "small", students=30, guardians=10, students_per_class=5)
    large = queries_to_import(
        tmp_path / "large", students=300, guardians=100, students_per_class=50
    )

    # Three of them write the sync's one audit entry: savepoint, insert, release.
    assert small < 23
    assert large < 33, "about 800 more rows: a few more INSERT batches, not 800 queries"
