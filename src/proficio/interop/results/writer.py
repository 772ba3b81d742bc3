"""Importing a CSV of standardized results into a district: every row checked before anything
is written, then each result recorded as evidence with the source "standardized" through
mastery (so the students' mastery moves in the same transaction), in one transaction.

The file is read twice, as a stream: once to check it whole (a preview, a dry run, and the
first step of an import), once to write it, checked again as it goes. A result already
recorded by an earlier import of the same results is left out, so importing a file again
adds nothing.
"""

from array import array
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction

from proficio.audit import api as audit
from proficio.evidence.api import EvidenceDraft
from proficio.interop.report import ImportRefused, ImportReport, Problem
from proficio.interop.results.checking import Counts, ResultsCheck
from proficio.interop.results.mapping import Mapping
from proficio.interop.results.reader import ResultsCsv
from proficio.lib.errors import InvalidInput
from proficio.mastery.api import evidence_record_many
from proficio.people.api import District, Person

AUDIT_BATCH = 1_000  # students named in one insert into the audit trail
# An evidence field as the file's column that gave it.
COLUMN_OF = {"observed_at": "date", "student": "student", "level": "band", "stage": "band"}


def import_results(
    *,
    path: Path,
    source: str,
    district: District,
    actor: Person | None,
    dry_run: bool = False,
) -> ImportReport:
    """Check the results file at `path` (named `source`) and, unless `dry_run`, record its
    results as evidence of `district`'s students; ImportRefused with every problem (file,
    line, column) when any row is wrong, and then nothing is written."""
    table = ResultsCsv(path, source)
    with transaction.atomic():
        mapping = Mapping.of(district)
        if not mapping.assessments:
            raise ImportRefused(
                [
                    Problem(
                        source,
                        f"{district.name} has no mapping of standardized results yet: say on "
                        "the mapping page which competency, stage and level each band of each "
                        "assessment is evidence of, then import the file.",
                    )
                ]
            )
        check = ResultsCheck(table, district=district, mapping=mapping, actor=actor)
        for _result in check.results():
            pass
        if check.problems:
            raise check.problems.refusal()
        if not dry_run:
            _write(table, district=district, mapping=mapping, actor=actor)
        return _report(check.counts, table, district=district, dry_run=dry_run)


def _write(table: ResultsCsv, *, district: District, mapping: Mapping, actor: Person | None):
    check = ResultsCheck(table, district=district, mapping=mapping, actor=actor)
    lines = array("q")  # each draft's line, to place what evidence refuses
    to_audit: list[Person] = []
    audited: set[int] = set()

    def drafts() -> Iterator[EvidenceDraft]:
        for checked in check.results():
            if checked.drafts and checked.student.pk not in audited:
                audited.add(checked.student.pk)
                to_audit.append(checked.student)
                if len(to_audit) >= AUDIT_BATCH:
                    _audit_students(actor, to_audit, table.source)
            for draft in checked.drafts:
                lines.append(checked.line)
                yield draft

    try:
        evidence_record_many(actor=actor, district_id=district.pk, drafts=drafts())
    except InvalidInput as refused:
        raise ImportRefused(_placed(refused.errors, lines, table)) from refused
    if check.problems:  # the district changed since the first reading
        raise check.problems.refusal()
    _audit_students(actor, to_audit, table.source)
    counts = check.counts
    audit.record(
        actor=actor,
        action=audit.RESULTS_IMPORTED,
        district_id=district.pk,
        data={
            "file": table.source,
            "results": counts.rows,
            "ratings": counts.new,
            "already_recorded": counts.unchanged,
            "students": len(counts.students),
            "assessments": sorted(counts.assessments),
        },
    )


def _audit_students(actor: Person | None, students: list[Person], source: str) -> None:
    """One entry per student whose record the import adds to; the list is emptied."""
    if students:
        audit.record_views(
            actor=actor, action=audit.RESULTS_IMPORTED, students=students, data={"file": source}
        )
        students.clear()


def _placed(errors: dict[str, str], lines: array, table: ResultsCsv) -> list[Problem]:
    """Evidence's "<index>.<field>" refusals, at the line and column that gave them."""
    problems = []
    for key, message in errors.items():
        index, _dot, name = key.partition(".")
        line = lines[int(index)] if index.isdigit() and int(index) < len(lines) else None
        column = COLUMN_OF.get(name)
        problems.append(
            Problem(
                table.source,
                message,
                line=line,
                field=table.header(column) if column else None,
            )
        )
    return problems


def _report(counts: Counts, table: ResultsCsv, *, district: District, dry_run: bool):
    report = ImportReport(dry_run=dry_run)
    report.created["ratings"] = counts.new
    report.unchanged["ratings"] = counts.unchanged
    if table.ignored:
        report.fixed.append(
            "Read past the columns "
            + ", ".join(f"“{header}”" for header in table.ignored)
            + ": they are not needed."
        )
    report.extra.update(
        {
            "district": {"id": district.pk, "name": district.name},
            "results": counts.rows,
            "students": len(counts.students),
            "assessments": [
                {
                    "name": name,
                    "results": per.rows,
                    "ratings": per.new,
                    "already_recorded": per.unchanged,
                    "bands": dict(per.bands),
                }
                for name, per in sorted(counts.assessments.items())
            ],
        }
    )
    return report
