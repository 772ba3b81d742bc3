"""A signed receipt of the preview an admin saw, carried by the save that follows it: the
save goes ahead only for the very proposal that was previewed, and one that removes mastery
from anyone only when the admin has confirmed those counts."""

import hashlib
import json
from dataclasses import dataclass

from django.core import signing

from proficio.mastery.models import MasteryPolicy
from proficio.mastery.preview import proposal_json
from proficio.mastery.selectors import PolicyPreview
from proficio.people.api import Person

_SALT = "proficio.mastery.preview-receipt"
# A preview older than this is read again before saving: the evidence has moved on.
MAX_AGE_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class Receipt:
    stages_losing_mastery: int
    students_losing_mastery: int


def _fingerprint(proposed: MasteryPolicy, user: Person) -> str:
    # The version number is part of it: a change someone saved in the meantime needs a new look.
    text = json.dumps({**proposal_json(proposed), "user": user.pk}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def receipt_for(preview: PolicyPreview, *, user: Person) -> str:
    """The signed receipt of a preview the user is shown."""
    return signing.dumps(
        {
            "proposal": _fingerprint(preview.proposed, user),
            "stages": preview.no_longer_mastered,
            "students": preview.students_losing_mastery,
        },
        salt=_SALT,
    )


def receipt_read(token: str, *, proposed: MasteryPolicy, user: Person) -> Receipt | None:
    """What the preview of exactly this proposal said, or None when there was none (no
    receipt, a forged or stale one, or one of another proposal)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("proposal") != _fingerprint(proposed, user):
        return None
    return Receipt(stages_losing_mastery=data["stages"], students_losing_mastery=data["students"])
