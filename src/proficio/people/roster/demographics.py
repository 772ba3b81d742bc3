"""The step of a roster run for students' demographics: one row per student, replaced whole
by what the roster states (a value it leaves blank is no longer held), and deleted — never
kept stale — when the source deletes it or a bulk file no longer lists the student."""

from dataclasses import asdict

from proficio.people.models import Demographics, District, Person
from proficio.people.roster.data import DemographicsSpec
from proficio.people.roster.writes import BATCH, RosterWrites

# The columns a spec sets, in the model's names.
FIELDS = tuple(name for name in DemographicsSpec.__dataclass_fields__ if name != "person")


class DemographicsStep(RosterWrites):
    """Demographics, as `RosterSync` runs them after people."""

    def _demographics(self, district: District, people: dict[str, Person]) -> None:
        roster = self.roster
        existing = {
            row.person_id: row
            for row in self._existing(Demographics.objects.filter(person__district_id=district.pk))
        }
        new, changed, same = [], [], 0
        wanted: set[int] = set()
        for spec in roster.demographics:
            person = self._ref(people, "people", spec.person)
            if person.pk in wanted:
                continue  # the planner refuses a person listed twice; the first one stands
            wanted.add(person.pk)
            values = {name: value for name, value in asdict(spec).items() if name in FIELDS}
            row = existing.get(person.pk)
            if row is None:
                new.append(Demographics(person_id=person.pk, **values))
            elif _replace(row, values):
                changed.append(row)
            else:
                same += 1
        self._count("demographics", len(new), len(changed), same)
        removed_people = {people[sid].pk for sid in roster.removed["demographics"] if sid in people}
        ending = [
            row
            for person_id, row in existing.items()
            if person_id not in wanted
            and (person_id in removed_people or roster.complete_demographics)
        ]
        held = {sid for sid, person in people.items() if person.pk in existing}
        self.changes.skipped["demographics"] += len(roster.removed["demographics"] - held)
        if ending:
            self.changes.removed["demographics"] += len(ending)
        self._create("demographics", Demographics, new)
        self._update(Demographics, changed, FIELDS)
        if not self.dry_run:
            for start in range(0, len(ending), BATCH):
                gone = [row.pk for row in ending[start : start + BATCH]]
                Demographics.objects.filter(pk__in=gone).delete()


def _replace(row: Demographics, values: dict) -> bool:
    """Set every value, None included (not reported replaces what was held); whether
    anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
