"""What the steps of a roster run share: the run's state, the changes it counts, and writes
in bulk that a dry run only counts."""

import itertools
from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db.models import Model, QuerySet

from proficio.lib.errors import InvalidInput
from proficio.lib.progress import Progress
from proficio.people.models import District
from proficio.people.roster.data import Roster, RosterChanges

# Rows per INSERT or UPDATE statement: well inside SQLite's and PostgreSQL's parameter limits.
BATCH = 500

M = TypeVar("M", bound=Model)


class RosterWrites:
    """The state of one run of a roster, and the bulk writes each step of it makes."""

    def __init__(
        self,
        roster: Roster,
        *,
        into: District | None,
        dry_run: bool,
        progress: Progress | None,
        rename_district: bool = False,
    ):
        self.roster = roster
        self.into = into
        self.rename_district = rename_district
        self.dry_run = dry_run
        self.progress = progress
        self.changes = RosterChanges()
        self.district_is_new = False
        self._stand_in_keys = itertools.count(-1, -1)

    # ---- shared steps -------------------------------------------------------------------

    def _existing(self, queryset: QuerySet[M]) -> list[M]:
        """What the district already holds (filter by `district_id`: a new one has no key yet)."""
        return [] if self.district_is_new else list(queryset)

    def _count(self, kind: str, created: int, updated: int, unchanged: int) -> None:
        for counter, n in (
            (self.changes.created, created),
            (self.changes.updated, updated),
            (self.changes.unchanged, unchanged),
        ):
            if n:
                counter[kind] += n

    def _create(self, step: str, model: type[M], rows: Sequence[M]) -> None:
        """Insert in batches; both databases hand back the new keys (a dry run invents them)."""
        if self.dry_run:
            for row in rows:
                row.pk = next(self._stand_in_keys)
            return
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH])
            if self.progress:
                self.progress(step, min(start + BATCH, len(rows)), len(rows))

    def _update(self, model: type[M], rows: Iterable[M], fields: Sequence[str]) -> None:
        rows = list({row.pk: row for row in rows}.values())
        if rows and not self.dry_run:
            model.objects.bulk_update(rows, fields, batch_size=BATCH)

    def _deactivate(self, kind: str, rows: Iterable[M], flag: str = "active") -> list[M]:
        """Turn `flag` off on the rows that have it on; returns them, still to be saved."""
        ended = []
        for row in {row.pk: row for row in rows}.values():
            if getattr(row, flag):
                setattr(row, flag, False)
                ended.append(row)
        if ended:
            self.changes.deactivated[kind] += len(ended)
        return ended

    @staticmethod
    def _assign(row: Model, values: dict) -> bool:
        """Set every value that is not None; whether anything changed."""
        changed = False
        for name, value in values.items():
            if value is not None and getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        return changed

    @staticmethod
    def _taken(kind: str, sourced_id: str, field_name: str, message: str) -> InvalidInput:
        return InvalidInput({f"{kind}:{sourced_id}:{field_name}": message})

    @staticmethod
    def _ref(known: dict[str, M], kind: str, sourced_id: str) -> M:
        """The record a roster refers to, which it holds or the district already has."""
        try:
            return known[sourced_id]
        except KeyError:
            raise InvalidInput({f"{kind}:{sourced_id}": "Unknown sourced id."}) from None
