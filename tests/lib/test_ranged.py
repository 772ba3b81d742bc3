"""Reading a Range header: one range of a file, or the whole file for anything else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proficio.lib.http.ranged import Unsatisfiable, requested_range


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("", 100, None),
        ("bytes=0-0", 100, (0, 0)),
        ("bytes=0-", 100, (0, 99)),
        ("bytes=10-19", 100, (10, 19)),
        ("bytes=90-500", 100, (90, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=-500", 100, (0, 99)),
        ("bytes=5-2", 100, None),  # invalid: ignored, the whole file
        ("bytes=0-1,5-6", 100, None),  # several ranges: the whole file
        ("bytes=" + "9" * 5000 + "-", 100, None),  # not a size
        ("bytes=١-٢", 100, None),  # not ASCII digits
        ("items=0-1", 100, None),
    ],
)
def test_ranges(header, size, expected):
    assert requested_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0)]
)
def test_ranges_outside_the_file_are_unsatisfiable(header, size):
    with pytest.raises(Unsatisfiable):
        requested_range(header, size)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_satisfiable_range_lies_inside_the_file(first, last, size):
    try:
        found = requested_range(f"bytes={first}-{last}", size)
    except Unsatisfiable:
        assert first >= size
        return
    if found is not None:
        start, end = found
        assert 0 <= start <= end < size
