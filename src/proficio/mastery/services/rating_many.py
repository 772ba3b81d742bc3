"""Recording many ratings at once, an import's, with mastery brought up to date in the same
transaction."""

from collections.abc import Iterable
from itertools import islice

from django.db import transaction

from proficio.evidence.api import EvidenceDraft, evidence_append_many
from proficio.frameworks.api import Competency
from proficio.lib.errors import InvalidInput
from proficio.mastery.data import Scope
from proficio.mastery.recompute import recompute
from proficio.mastery.services.rating import mastery_refresh
from proficio.people.api import Person

BATCH = 2_000  # drafts appended per call: one batched insert, one audit entry
# Up to this many (student, competency) pairs are refreshed one by one; past it, each
# competency touched is recomputed on the bulk path, which writes only what changed.
REFRESH_ONE_BY_ONE = 300


@transaction.atomic
def evidence_record_many(
    *, actor: Person | None, district_id: int, drafts: Iterable[EvidenceDraft]
) -> int:
    """Append many ratings of one district's students and bring their mastery up to date,
    all or none; the number appended. For an import already authorised: permission is the
    caller's job (`actor`, None for the operator, is who the audit names).

    `drafts` may be a generator: it is read in batches, so an import need not hold them all.
    Every rating is checked as `evidence_record` checks it; InvalidInput keys its problems
    "<index>.<field>", the index counted from the first draft.
    """
    drafts = iter(drafts)
    appended = 0
    pairs: dict[tuple[int, int], tuple[Person, Competency]] = {}
    competency_ids: set[int] = set()
    while batch := list(islice(drafts, BATCH)):
        try:
            evidence_append_many(actor=actor, district_id=district_id, drafts=batch)
        except InvalidInput as bad:
            raise InvalidInput(_counted_from(appended, bad.errors)) from None
        appended += len(batch)
        for draft in batch:
            competency_ids.add(draft.competency.pk)
            if len(pairs) <= REFRESH_ONE_BY_ONE:
                pairs[draft.student.pk, draft.competency.pk] = (draft.student, draft.competency)
    if len(pairs) <= REFRESH_ONE_BY_ONE:
        for student, competency in pairs.values():
            mastery_refresh(student=student, competency=competency)
    else:
        for competency_id in sorted(competency_ids):
            recompute(scope=Scope(district_id=district_id, competency_id=competency_id))
    return appended


def _counted_from(offset: int, errors: dict[str, str]) -> dict[str, str]:
    """A batch's "<index>.<field>" keys counted from the first draft of all."""
    renumbered = {}
    for key, message in errors.items():
        index, dot, field = key.partition(".")
        renumbered[f"{int(index) + offset}.{field}" if dot and index.isdigit() else key] = message
    return renumbered
