"""Files kept with ratings, read by who may see the student's record."""

from uuid import UUID

from proficio.evidence.api import EvidenceFile, evidence_file_of
from proficio.people.api import Person, students_visible_to


def evidence_file_get(*, user: Person, file_id: UUID | str) -> EvidenceFile:
    """One file kept with a rating of a student `user` may see (the student, their
    guardians, their teachers and admins), or NotVisible."""
    return evidence_file_of(students=students_visible_to(user), file_id=file_id)
