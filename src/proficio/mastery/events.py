"""`stage.mastered`: a student's stage mastered now that was not before, on every path that
writes mastery (a rating, a refresh, the bulk recompute), told to the district's listeners
once the change commits (lib.events)."""

from collections.abc import Iterable

from django.utils import timezone

from proficio.lib.events import STAGE_MASTERED, Event, publish, wanted


def stages_mastered_publish(district_id: int | None, pairs: Iterable[tuple[int, int]]) -> None:
    """`pairs`: (student id, stage id) of each stage newly mastered."""
    pairs = list(pairs)
    if district_id is None or not pairs or not wanted(district_id, STAGE_MASTERED):
        return
    at = timezone.now().isoformat()
    publish(
        Event(
            STAGE_MASTERED,
            district_id,
            {"student_id": student, "stage_id": stage, "masteredAt": at},
        )
        for student, stage in pairs
    )
