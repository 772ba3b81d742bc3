"""The ratings a user may correct or withdraw."""

from proficio.evidence.api import Evidence, evidence_standing
from proficio.lib.visibility import visible_get
from proficio.mastery.permissions import correctable_evidence_q
from proficio.people.api import Person


def evidence_correctable_get(*, user: Person, evidence_id: object) -> Evidence:
    """One current rating this user may correct or withdraw; NotVisible for any other (one
    already replaced, a withdrawal, or another person's judgement)."""
    ratings = (
        evidence_standing()
        .filter(correctable_evidence_q(user))
        .select_related("student", "competency", "stage", "assessor")
    )
    return visible_get(ratings, evidence_id, "rating")


def evidence_correctable_ids(*, user: Person, evidence: list[Evidence]) -> set[int]:
    """Which of these ratings (of one student) this user may correct or withdraw now."""
    shown = [row.pk for row in evidence]
    correctable = evidence_standing().filter(correctable_evidence_q(user), pk__in=shown)
    return set(correctable.values_list("pk", flat=True))
