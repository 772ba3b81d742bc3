"""Checking each result of a file against the district: its student, its assessment and band
in the mapping, its date and score; and what ratings it makes, leaving out those already
recorded by an earlier import of the same results.

Rows are checked in batches, a few queries each (the batch's students, their first days,
their ratings already recorded), so a file of any length is checked in bounded memory: what
is kept across batches is one small key per result, to find a result given twice.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.utils import timezone

from proficio.evidence.api import EvidenceDraft, EvidenceSource, ratings_counted_for
from proficio.interop.results.mapping import Mapping, Rule, name_key
from proficio.interop.results.reader import Problems, ResultRow, ResultsCsv
from proficio.people.api import District, Person, district_students_named, earliest_work_days

BATCH = 1_000  # rows checked together
OLDEST = timedelta(days=3653)  # as evidence refuses work more than ten years old


@dataclass
class AssessmentCounts:
    rows: int = 0
    new: int = 0
    unchanged: int = 0
    bands: Counter = field(default_factory=Counter)


@dataclass
class Counts:
    """What a file holds and would make, as it is checked."""

    rows: int = 0
    new: int = 0  # ratings to record
    unchanged: int = 0  # ratings already recorded
    students: set[int] = field(default_factory=set)
    assessments: dict[str, AssessmentCounts] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """One good result: its student and the ratings it makes that are not recorded yet."""

    line: int
    student: Person
    drafts: list[EvidenceDraft]


@dataclass(frozen=True)
class _Parsed:
    row: ResultRow
    student: Person
    day: date
    score: Decimal | None
    rules: list[Rule]


def observed_at(day: date) -> datetime:
    """A result dated `day` is work observed at the start of that day, here."""
    return timezone.make_aware(datetime.combine(day, time.min))


def parse_day(value: str) -> date | None:
    """An ISO date (2025-03-04), or the date of an ISO date and time; None otherwise."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        if len(value) > 10 and value[10] in "T ":
            return datetime.fromisoformat(value).date()
    except ValueError:
        return None
    return None


class ResultsCheck:
    """Checks one file's results for one district against its mapping. `results` yields
    the good ones; every problem goes to `problems`, and `counts` adds up as they pass."""

    def __init__(
        self, table: ResultsCsv, *, district: District, mapping: Mapping, actor: Person | None
    ) -> None:
        self.table = table
        self.district = district
        self.mapping = mapping
        self.actor = actor
        self.problems = Problems(table.source)
        self.counts = Counts()
        self._seen: dict[tuple[int, str, date], int] = {}  # (student, assessment, day) → line

    def results(self) -> Iterator[Checked]:
        rows = self.table.rows(self.problems)
        while batch := list(islice(rows, BATCH)):
            yield from self._batch(batch)

    def _problem(self, row: ResultRow, column: str, message: str) -> None:
        self.problems.add(message, line=row.line, field=self.table.header(column))

    def _batch(self, batch: list[ResultRow]) -> Iterator[Checked]:
        named = district_students_named(
            district_id=self.district.pk, identifiers={row.student for row in batch}
        )
        parsed = [found for row in batch if (found := self._parse(row, named.get(row.student, [])))]
        first_days = earliest_work_days({found.student.pk for found in parsed})
        recorded = self._recorded(parsed)
        today = timezone.localdate()
        for found in parsed:
            row, student = found.row, found.student
            if not self._dated_well(found, first_days.get(student.pk), today):
                continue
            key = (student.pk, name_key(row.assessment), found.day)
            if key in self._seen:
                self._problem(
                    row,
                    "date",
                    f"Line {self._seen[key]} already gives this student's {row.assessment} "
                    f"result of {found.day:%Y-%m-%d}: keep one of them.",
                )
                continue
            self._seen[key] = row.line
            yield self._checked(found, recorded)

    def _parse(self, row: ResultRow, students: list[Person]) -> _Parsed | None:
        """The row's values read and checked on their own; None when one is wrong."""
        ok = True
        if not row.student:
            self._problem(row, "student", "Give the student's sourcedId or username.")
            ok = False
        elif not students:
            self._problem(
                row,
                "student",
                f"No student of {self.district.name} has the sourcedId or username "
                f"“{row.student}”.",
            )
            ok = False
        elif len(students) > 1:
            self._problem(
                row,
                "student",
                f"“{row.student}” is the sourcedId of one student and the username of another: "
                "give the sourcedId of the one meant.",
            )
            ok = False
        rules = self._rules(row)
        ok = ok and rules is not None
        day = parse_day(row.date)
        if day is None:
            message = (
                "Give the date the assessment was taken."
                if not row.date
                else f"“{row.date}” is not a date: write it as year-month-day, e.g. 2025-03-04."
            )
            self._problem(row, "date", message)
            ok = False
        score = None
        if row.score:
            try:
                score = Decimal(row.score)
            except InvalidOperation:
                score = None
            if score is None or not score.is_finite():
                self._problem(
                    row,
                    "score",
                    f"“{row.score}” is not a number: give the score as a number, or leave "
                    "it empty.",
                )
                ok = False
        if not ok:
            return None
        assert rules is not None and day is not None
        return _Parsed(row=row, student=students[0], day=day, score=score, rules=rules)

    def _rules(self, row: ResultRow) -> list[Rule] | None:
        """The rules the row's assessment and band map to; None (with a problem) if none."""
        if not row.assessment:
            self._problem(row, "assessment", "Name the assessment.")
            return None
        assessment = self.mapping.assessments.get(name_key(row.assessment))
        if assessment is None:
            known = ", ".join(f"“{name}”" for name in self.mapping.names()[:8]) or "none yet"
            self._problem(
                row,
                "assessment",
                f"The mapping has no assessment “{row.assessment}”: add its bands on the "
                f"mapping page, or check the name (mapped: {known}).",
            )
            return None
        if not row.band:
            self._problem(row, "band", "Give the band of the result.")
            return None
        rules = assessment.bands.get(name_key(row.band))
        if rules is None:
            bands = ", ".join(f"“{band}”" for band in assessment.band_names)
            self._problem(
                row,
                "band",
                f"The mapping has no band “{row.band}” for {assessment.name} (its bands: {bands}).",
            )
            return None
        broken = [rule for rule in rules if rule.problem]
        for rule in broken:
            self._problem(
                row,
                "band",
                f"The mapping sends “{rule.band}” of {rule.assessment} to stage {rule.stage} "
                f"of {rule.competency.code} at level {rule.level.normalize()}, which cannot be "
                f"used: {rule.problem} Change the mapping.",
            )
        return None if broken else rules

    def _dated_well(self, found: _Parsed, first_day: date | None, today: date) -> bool:
        day, message = found.day, ""
        if day > today:
            message = f"{day:%Y-%m-%d} is in the future."
        elif day < today - OLDEST:
            message = f"{day:%Y-%m-%d} is more than ten years ago: check the date."
        elif first_day is not None and day < first_day:
            message = (
                f"{day:%Y-%m-%d} is before {first_day:%Y-%m-%d}, when the student's first "
                "enrolment or the district's first school year began: check the date."
            )
        if message:
            self._problem(found.row, "date", message)
        return not message

    def _recorded(self, parsed: list[_Parsed]) -> set[tuple[int, int, int, Decimal, datetime]]:
        """The standardized ratings of the batch's students already recorded on the batch's
        days: (student, competency, stage, level, observed at)."""
        if not parsed:
            return set()
        competencies = {rule.competency.pk: rule.competency for p in parsed for rule in p.rules}
        rows = ratings_counted_for(
            students=list({p.student.pk: p.student for p in parsed}.values()),
            competencies=list(competencies.values()),
        ).filter(
            source=EvidenceSource.STANDARDIZED,
            observed_at__in={observed_at(p.day) for p in parsed},
        )
        return {
            (student, competency, stage, level, when)
            for student, competency, stage, level, when in rows.values_list(
                "student_id", "competency_id", "stage__ordinal", "level", "observed_at"
            )
        }

    def _checked(self, found: _Parsed, recorded: set) -> Checked:
        row, student = found.row, found.student
        when = observed_at(found.day)
        counts = self.counts
        per = counts.assessments.setdefault(found.rules[0].assessment, AssessmentCounts())
        counts.rows += 1
        per.rows += 1
        per.bands[found.rules[0].band] += 1
        counts.students.add(student.pk)
        drafts = []
        for rule in found.rules:
            if (student.pk, rule.competency.pk, rule.stage, rule.level, when) in recorded:
                counts.unchanged += 1
                per.unchanged += 1
                continue
            counts.new += 1
            per.new += 1
            drafts.append(
                EvidenceDraft(
                    assessor=self.actor,
                    student=student,
                    competency=rule.competency,
                    stage=rule.stage,
                    level=rule.level,
                    observed_at=when,
                    source=EvidenceSource.STANDARDIZED,
                    feedback_present=_feedback(rule, found),
                )
            )
        return Checked(line=row.line, student=student, drafts=drafts)


def _feedback(rule: Rule, found: _Parsed) -> str:
    """What the rating says of the result: "MAP Reading, 2025-03-04: Proficient (score 215)"."""
    score = f" (score {found.score.normalize():f})" if found.score is not None else ""
    return f"{rule.assessment}, {found.day:%Y-%m-%d}: {rule.band}{score}"
