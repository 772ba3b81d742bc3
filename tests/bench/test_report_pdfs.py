"""The batch progress-report benchmark at a tiny size: the demo's smallest district, each
school's reports written (by the immediate backend here; `make bench` runs a real worker)
and counted. No time is judged here."""

import pytest

from bench import report_pdfs
from proficio.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_tiny_demo_district_writes_every_students_report() -> None:
    load_demo(students=12)

    figures = report_pdfs.figures(worker=False)

    assert figures["pdfs"] == figures["students"] >= 12
    assert figures["failed"] == 0
    assert [batch["state"] for batch in figures["batches"]] == ["done", "done"]
    assert figures["pdfs_per_second"] > 0
