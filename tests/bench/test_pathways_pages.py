"""The Today and next-steps benchmark at a tiny size: the demo's smallest district, both pages
served and measured, the playlists it writes when the demo has none, and how two sizes are
judged. No time is judged here: `make bench` reports them."""

import pytest

from bench import pathways_pages
from proficio.demo import load_demo

pytestmark = pytest.mark.django_db


def test_a_tiny_demo_district_measures_both_pages() -> None:
    load_demo(students=12)

    figures = pathways_pages.figures(runs=1)

    assert figures["teacher_students"] > 0
    assert figures["playlists"] > 0
    for name in pathways_pages.PAGES:
        assert figures[name]["ms"] > 0
        assert figures[name]["queries"] > 0
    # A second run finds the playlists written and writes none.
    assert pathways_pages.figures(runs=1)["playlists"] == figures["playlists"]


def test_each_page_is_judged_against_the_demo() -> None:
    def size(students: int, today_ms: float, next_ms: float) -> dict:
        return {
            "students": students,
            "evidence": students * 50,
            "teacher_students": students // 10,
            "today": {"ms": today_ms, "queries": 20, "kb": 6.0},
            "next_steps": {"ms": next_ms, "queries": 30, "kb": 20.0},
        }

    judged = pathways_pages.judged(size(200, 40.0, 120.0), size(5000, 100.0, 150.0))

    assert judged["today"]["ratio"] == 2.5
    assert judged["today"]["under_100_ms_on_demo"] and not judged["today"]["ratio_within_2"]
    assert judged["next_steps"]["ratio"] == 1.25
    assert judged["next_steps"]["ratio_within_2"]
    assert not judged["next_steps"]["under_100_ms_on_demo"]
    assert not judged["passed"]
