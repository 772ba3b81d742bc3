"""How the knowledge-tracing benchmark reads the ASSISTments files: who each student is, their
sequences per skill, and what a teacher knew of them before each sequence."""

from pathlib import Path

import numpy as np
import pytest

from bench.bkt import COHORT_LEVELS, Cohorts, Responses, Sequences, load, students_of


def test_each_student_is_the_next_user_id_rows() -> None:
    # Two students in a row with two responses each share one run of user_id 2.
    counts = np.array([3, 3, 3, 2, 2, 2, 2, 1])
    assert students_of(counts).tolist() == [0, 0, 0, 1, 1, 2, 2, 3]


@pytest.mark.parametrize(
    ("counts", "line"),
    [
        ([3, 3], 2),  # the file ends inside a student
        ([2, 2, 3, 3, 2], 4),  # a student's rows disagree on their count
        ([0], 2),  # no student has no responses
    ],
)
def test_a_column_that_is_not_response_counts_is_refused_with_its_line(
    counts: list[int], line: int
) -> None:
    with pytest.raises(ValueError, match=f"responses.csv: line {line}: expected"):
        students_of(np.array(counts), "responses.csv")


def _by_skill_and_first_row(sequences: Sequences, values: list) -> dict:
    """Each sequence's value, keyed by its skill and the row it starts on."""
    keys = [(int(s), int(r[0])) for s, r in zip(sequences.skills, sequences.rows, strict=True)]
    return dict(zip(keys, values, strict=True))


def test_sequences_keep_file_order_and_know_the_students_earlier_responses() -> None:
    responses = Responses(
        students=np.array([0, 0, 0, 0, 0, 1, 1]),
        skills=np.array([7, 7, 9, 9, 7, 9, 9]),
        correct=np.array([1, 0, 1, 1, 0, 0, 1]),
    )
    sequences = Sequences.of(responses)
    described = [
        (rows.tolist(), observations.tolist(), int(right), int(answered))
        for rows, observations, right, answered in zip(
            sequences.rows,
            sequences.observations,
            sequences.right_before,
            sequences.answered_before,
            strict=True,
        )
    ]
    assert _by_skill_and_first_row(sequences, described) == {
        # student 0, skill 7: rows 0, 1 and 4, with skill 9 between.
        (7, 0): ([0, 1, 4], [1, 0, 0], 0, 0),
        # student 0, skill 9: before it, one right answer of two.
        (9, 2): ([2, 3], [1, 1], 1, 2),
        # student 1 starts afresh: nothing known of them.
        (9, 5): ([5, 6], [0, 1], 0, 0),
    }


def test_cohorts_split_at_the_median_and_keep_students_with_no_history_apart() -> None:
    responses = Responses(
        students=np.array([0, 0, 1, 1, 2, 2, 3]),
        skills=np.array([1, 2, 1, 2, 1, 2, 2]),
        correct=np.array([1, 1, 0, 1, 1, 0, 1]),
    )
    sequences = Sequences.of(responses)
    levels = _by_skill_and_first_row(sequences, Cohorts.of(sequences).levels(sequences).tolist())
    # Skill 2 of students 0, 1 and 2 comes after one skill-1 answer: right, wrong, right.
    assert levels[(2, 1)] == levels[(2, 5)] == COHORT_LEVELS - 1
    assert levels[(2, 3)] == 0
    # Every first sequence of a student, and student 3's only one, has no history.
    assert {levels[(1, 0)], levels[(1, 2)], levels[(1, 4)], levels[(2, 6)]} == {COHORT_LEVELS}


def test_the_real_files_are_whole_students(testdata: Path) -> None:
    directory = testdata / "responses"
    train = load(directory / "assistments-builder-train.csv")
    test = load(directory / "assistments-builder-test.csv")
    assert (len(train.students), train.student_count) == (407_967, 3_361)
    assert (len(test.students), test.student_count) == (117_567, 856)
    for split in (train, test):
        # Students are contiguous and numbered in file order …
        assert set(np.diff(split.students).tolist()) == {0, 1}
        # … and list their responses skill after skill: nothing lies between two responses
        # of one student on one skill (so forgetting per tick is not benchmarked).
        rows = Sequences.of(split).rows
        assert all((np.diff(r) == 1).all() for r in rows)
