"""Students' results as a OneRoster 1.1 or 1.2 gradebook package, for the student information
system (ADR 0042).

One line item per (class, competency): a class's competencies are its course's targets, or,
for a class without a course, those its students have been rated in. A student's result is
how far along the competency's trajectory they are under the policies in force — the number
of its stages below the stage they work at (every stage, once all are mastered), out of the
trajectory's stages — dated by their latest rating; its words name the stage. Each line item
is tied to the competency's CASE identifier, the very identifier the CASE export gives it
(lineItemLearningObjectiveIds and resultLearningObjectiveIds in 1.2, an extension column in
1.1). Classes, students, schools and terms are named by the sourcedIds their roster gave them,
else by Proficio's uuids; the package's own records by identifiers derived from the uuids they
stand for, so exporting again gives the same sourcedIds and an SIS imports it idempotently.

The package is written as it is read: one section at a time (four queries each, whatever
its size), the results streamed into the zip; only the line items are held until the end.
"""

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone

from proficio.audit import api as audit
from proficio.frameworks.api import Competency, competency_case_identifiers
from proficio.frameworks.api import course_target_competency_ids as course_targets
from proficio.interop.case.export import derived
from proficio.interop.oneroster.spec import (
    GRADEBOOK_COLUMNS,
    LEARNING_OBJECTIVE_EXTENSION,
    MANIFEST_FILES,
    VERSIONS,
)
from proficio.lib.errors import InvalidInput
from proficio.mastery.api import WorkingPlace, working_places
from proficio.people.api import District, Person, Section, school_year_start

SOURCE = "case"  # where a learning objective's identifier comes from (1.2's vocabulary)
SYSTEM_NAME = "Proficio"


@dataclass(frozen=True)
class ResultsScope:
    """What one export holds: `sections` (from a scoped selector) of `district`, each
    section's students through `students_of` (scoped too), the district's `competencies`,
    and who exports (None: the operator at the command line)."""

    district: District
    sections: QuerySet[Section]
    students_of: Callable[[Section], QuerySet[Person]]
    competencies: QuerySet[Competency]
    actor: Person | None
    via: str


@dataclass
class ResultsCounts:
    classes: int = 0
    line_items: int = 0
    results: int = 0
    students: set[int] = field(default_factory=set)
    categories: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "classes": self.classes,
            "line_items": self.line_items,
            "results": self.results,
            "students": len(self.students),
            "categories": self.categories,
        }


@dataclass(frozen=True)
class _Objective:
    """A competency as a line item reads it: its CASE identifier and its live stages."""

    competency: Competency
    case_identifier: str
    stages: tuple[tuple[int, str], ...]  # (ordinal, label), retired stages left out

    def score(self, place: WorkingPlace) -> int:
        if place.completed:
            return len(self.stages)
        return sum(1 for ordinal, _label in self.stages if ordinal < (place.ordinal or 0))

    def words(self, place: WorkingPlace) -> str:
        if place.completed:
            return f"Every stage mastered ({len(self.stages)} of {len(self.stages)})"
        label = dict(self.stages).get(place.ordinal or 0, "")
        return f"Working at stage {place.ordinal} of {len(self.stages)}: {label}".rstrip(": ")


@dataclass(frozen=True)
class _Session:
    sourced_id: str
    starts_on: date
    ends_on: date


def _sourced(record) -> str:
    return record.sourced_id or str(record.uuid)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def line_item_sourced_id(section: Section, competency: Competency) -> str:
    return str(derived("oneroster-lineItem", section.uuid, competency.uuid))


def result_sourced_id(section: Section, competency: Competency, student: Person) -> str:
    return str(derived("oneroster-result", section.uuid, competency.uuid, student.uuid))


class _Csv:
    """A CSV file's rows, by column name, in the version's column order."""

    def __init__(self, stream: IO[str], columns: Sequence[str]):
        self.columns = columns
        self.writer = csv.writer(stream)
        self.writer.writerow(columns)

    def row(self, **values: object) -> None:
        self.writer.writerow(["" if values.get(c) is None else values[c] for c in self.columns])


class ResultsPackage:
    def __init__(self, scope: ResultsScope, version: str, *, now: datetime | None = None):
        if version not in VERSIONS:
            raise InvalidInput({"version": f"OneRoster {version} is not one Proficio writes."})
        self.scope = scope
        self.version = version
        self.columns = GRADEBOOK_COLUMNS[version]
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.counts = ResultsCounts()
        self.line_items: list[dict] = []
        self.categories: dict[int, dict] = {}
        self.school_year: _Session | None = None  # named by Proficio, for classes without a term
        self._targets: dict[int, set[int]] = {}

    # ---- reading ---------------------------------------------------------------------------

    def objectives(self) -> dict[int, _Objective]:
        competencies = list(
            self.scope.competencies.select_related("framework").prefetch_related("stages")
        )
        identifiers = competency_case_identifiers(c.pk for c in competencies)
        return {
            c.pk: _Objective(
                competency=c,
                case_identifier=identifiers.get(c.pk, str(c.uuid)),
                stages=tuple((s.ordinal, s.label) for s in c.stages.all() if not s.retired),
            )
            for c in competencies
        }

    def session_of(self, section: Section) -> _Session:
        """The section's term today (else its latest) from the roster; without one, the
        school year, as a session Proficio names."""
        terms = sorted(section.terms.all(), key=lambda t: (t.starts_on, t.sourced_id))
        current = [t for t in terms if t.starts_on <= self.today <= t.ends_on]
        if term := (current or terms[-1:] or [None])[0]:
            return _Session(term.sourced_id, term.starts_on, term.ends_on)
        if self.school_year is None:
            start = school_year_start(district_id=self.scope.district.pk, on=self.today)
            end = start.replace(year=start.year + 1) - timedelta(days=1)
            sourced_id = str(derived("oneroster-schoolYear", self.scope.district.uuid, start))
            self.school_year = _Session(sourced_id, start, end)
        return self.school_year

    def targets_of(self, section: Section) -> set[int] | None:
        """The competencies of the section's course (read once per course); None without."""
        if section.course_id is None:
            return None
        if section.course_id not in self._targets:
            self._targets[section.course_id] = course_targets(section.course_id)
        return self._targets[section.course_id]

    # ---- writing ---------------------------------------------------------------------------

    def write(self, out: IO[bytes]) -> ResultsCounts:
        """Write the zip to `out`, record who was exported in the audit trail, and count."""
        objectives = self.objectives()
        sections = self.scope.sections.prefetch_related("terms").order_by(
            "school__name", "name", "pk"
        )
        with (
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package,
            tempfile.SpooledTemporaryFile(
                max_size=4 << 20, mode="w+", encoding="utf-8", newline=""
            ) as objective_results,
        ):
            with package.open("results.csv", "w") as raw:
                results = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = _Csv(results, self.columns["results"])
                by_result = None
                if self.version == "1.2":
                    by_result = _Csv(objective_results, self.columns["resultLearningObjectiveIds"])
                for section in sections:
                    self.write_section(section, objectives, writer, by_result)
                results.flush()
                results.detach()
            self.write_line_items(package)
            self.write_small(package, "categories", list(self.categories.values()))
            if by_result is not None:
                objective_results.seek(0)
                with package.open("resultLearningObjectiveIds.csv", "w") as raw:
                    target = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    shutil.copyfileobj(objective_results, target)
                    target.flush()
                    target.detach()
            if self.school_year is not None:
                self.write_school_year(package, self.school_year)
            package.writestr("manifest.csv", self.manifest())
        self.counts.categories = len(self.categories)
        return self.counts

    def write_section(
        self,
        section: Section,
        objectives: dict[int, _Objective],
        results: _Csv,
        by_result: _Csv | None,
    ) -> None:
        students = list(self.scope.students_of(section))
        targets = self.targets_of(section)
        places = working_places(
            students=[s.pk for s in students],
            competency_ids=list(objectives) if targets is None else targets,
        )
        # A class without a course reports the competencies its students were rated in.
        wanted = targets if targets is not None else {pair[1] for pair in places}
        chosen = [objective for pk, objective in objectives.items() if pk in wanted]
        if not chosen:
            return
        self.counts.classes += 1
        session = self.session_of(section)
        class_id = _sourced(section)
        exported: list[Person] = []
        for objective in chosen:
            self.add_line_item(section, objective, session)
        for student in students:
            wrote = False
            for objective in chosen:
                place = places.get((student.pk, objective.competency.pk))
                if place is None:
                    continue  # never rated in it: nothing to report
                self.write_result(section, class_id, student, objective, place, results, by_result)
                wrote = True
            if wrote:
                exported.append(student)
        self.counts.students.update(s.pk for s in exported)
        audit.record_views(
            actor=self.scope.actor,
            action=audit.STUDENTS_LISTED,
            students=exported,
            data={
                "export": "oneroster_results",
                "version": self.version,
                "section": str(section.uuid),
                "via": self.scope.via,
            },
        )

    def add_line_item(self, section: Section, objective: _Objective, session: _Session) -> None:
        competency = objective.competency
        framework = competency.framework
        category_id = str(derived("oneroster-category", framework.uuid))
        self.categories.setdefault(
            framework.pk, {"sourcedId": category_id, "title": framework.title}
        )
        count = len(objective.stages)
        self.line_items.append(
            {
                "sourcedId": line_item_sourced_id(section, competency),
                "title": f"{competency.code} {competency.title}"[:255],
                "description": (
                    f"Stages of the {competency.code} trajectory mastered (0 to {count}) under "
                    "the mastery policy in force; the result's words name the stage the student "
                    "works at."
                ),
                "assignDate": session.starts_on.isoformat(),
                "dueDate": session.ends_on.isoformat(),
                "classSourcedId": _sourced(section),
                "categorySourcedId": category_id,
                "gradingPeriodSourcedId": session.sourced_id,
                "academicSessionSourcedId": session.sourced_id,
                "resultValueMin": "0",
                "resultValueMax": str(count),
                "schoolSourcedId": _sourced(section.school),
                LEARNING_OBJECTIVE_EXTENSION: objective.case_identifier,
                "_objective": objective.case_identifier,
            }
        )
        self.counts.line_items += 1

    def write_result(
        self,
        section: Section,
        class_id: str,
        student: Person,
        objective: _Objective,
        place: WorkingPlace,
        results: _Csv,
        by_result: _Csv | None,
    ) -> None:
        competency = objective.competency
        sourced_id = result_sourced_id(section, competency, student)
        score = str(objective.score(place))
        words = objective.words(place)
        scored_on = place.latest_observed_at
        values = {
            "sourcedId": sourced_id,
            "lineItemSourcedId": line_item_sourced_id(section, competency),
            "studentSourcedId": _sourced(student),
            "scoreStatus": "fully graded",
            "score": score,
            "scoreDate": (timezone.localdate(scored_on) if scored_on else self.today).isoformat(),
            "comment": words,
        }
        if self.version == "1.2":
            values |= {"textScore": words, "classSourcedId": class_id}
        results.row(**values)
        if by_result is not None:
            by_result.row(
                sourcedId=str(derived("oneroster-resultObjective", sourced_id, SOURCE)),
                resultSourcedId=sourced_id,
                source=SOURCE,
                learningObjectiveId=objective.case_identifier,
                score=score,
                textScore=words,
            )
        self.counts.results += 1

    def write_line_items(self, package: zipfile.ZipFile) -> None:
        columns = self.columns["lineItems"]
        self.write_small(
            package,
            "lineItems",
            [{k: v for k, v in row.items() if k in columns} for row in self.line_items],
        )
        if self.version == "1.2":
            self.write_small(
                package,
                "lineItemLearningObjectiveIds",
                [
                    {
                        "sourcedId": str(
                            derived("oneroster-lineItemObjective", row["sourcedId"], SOURCE)
                        ),
                        "lineItemSourcedId": row["sourcedId"],
                        "source": SOURCE,
                        "learningObjectiveId": row["_objective"],
                    }
                    for row in self.line_items
                ],
            )

    def write_school_year(self, package: zipfile.ZipFile, session: _Session) -> None:
        year = {
            "sourcedId": session.sourced_id,
            "status": "active",
            "dateLastModified": _stamp(self.now),
            "title": f"{session.starts_on.year}-{session.ends_on.year}",
            "type": "schoolYear",
            "startDate": session.starts_on.isoformat(),
            "endDate": session.ends_on.isoformat(),
            "schoolYear": str(session.ends_on.year),
        }
        self.write_small(package, "academicSessions", [year])

    def write_small(self, package: zipfile.ZipFile, name: str, rows: list[dict]) -> None:
        buffer = io.StringIO(newline="")
        writer = _Csv(buffer, self.columns[name])
        for row in rows:
            writer.row(**row)
        package.writestr(f"{name}.csv", buffer.getvalue().encode("utf-8"))

    def manifest(self) -> bytes:
        written = {"categories", "lineItems", "results"}
        if self.version == "1.2":
            written |= {"lineItemLearningObjectiveIds", "resultLearningObjectiveIds"}
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(("propertyName", "value"))
        writer.writerow(("manifest.version", "1.0"))
        writer.writerow(("oneroster.version", self.version))
        for name in MANIFEST_FILES[self.version]:
            mode = "bulk" if name in written else "absent"
            if name == "academicSessions" and self.school_year is not None:
                mode = "delta"  # adds the school year it names; removes none of the SIS's
            writer.writerow((f"file.{name}", mode))
        writer.writerow(("source.systemName", SYSTEM_NAME))
        writer.writerow(("source.systemCode", str(self.scope.district.uuid)))
        return buffer.getvalue().encode("utf-8")


def results_package(
    *, scope: ResultsScope, version: str, out: IO[bytes], now: datetime | None = None
) -> ResultsCounts:
    """Write the scope's results as a OneRoster `version` package (a zip) to `out`."""
    return ResultsPackage(scope, version, now=now).write(out)
