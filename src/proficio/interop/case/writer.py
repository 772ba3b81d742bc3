"""Write a validated framework plan in one transaction and report what it did.

A dry run performs the very same writes and rolls them back, so its counts are exact.
"""

from collections.abc import Collection

from django.db import transaction

from proficio.frameworks.api import framework_sync_case
from proficio.interop.case.plan import FrameworkPlan, plan_problems
from proficio.interop.case.reader import read_case
from proficio.interop.report import ImportRefused, ImportReport
from proficio.lib.progress import Progress, quiet
from proficio.people.api import District, Person

STEPS = 3


def import_plan(
    *,
    plan: FrameworkPlan,
    actor: Person | None,
    district: District,
    dry_run: bool = False,
    competency_types: Collection[str] = (),
    progress: Progress = quiet,
) -> ImportReport:
    """Check the whole plan, then write it (or try it and roll back, for a dry run)."""
    progress("checking", 1, STEPS)
    problems = plan_problems(plan)
    if problems:
        raise ImportRefused(problems)
    progress("writing", 2, STEPS)
    with transaction.atomic():
        result = framework_sync_case(
            actor=actor,
            district=district,
            document=plan.document,
            standards=plan.items,
            associations=plan.associations,
            scales=plan.scales,
            competency_types=competency_types,
        )
        if dry_run:
            transaction.set_rollback(True)
    progress("done", 3, STEPS)
    report = ImportReport(dry_run=dry_run)
    report.created.update(result.created)
    report.updated.update(result.updated)
    report.unchanged.update(result.unchanged)
    report.skipped.update(plan.skipped)
    report.fixed = list(plan.fixed)
    for kind, count in result.kept.items():
        if count:
            report.fixed.append(
                f"Kept {count} {kind} of the framework that this file no longer holds"
            )
    framework = result.framework
    created = bool(result.created["frameworks"])
    report.extra["framework"] = {
        "id": None if dry_run and created else str(framework.uuid),
        "code": framework.code,
        "title": framework.title,
    }
    return report


def import_case(
    *,
    data: bytes,
    source: str,
    actor: Person | None,
    district: District,
    dry_run: bool = False,
    competency_types: Collection[str] = (),
    progress: Progress = quiet,
) -> ImportReport:
    """Read one CFPackage file and import it; ImportRefused when anything is wrong with it."""
    progress("reading", 0, STEPS)
    plan = read_case(data, source)
    return import_plan(
        plan=plan,
        actor=actor,
        district=district,
        dry_run=dry_run,
        competency_types=competency_types,
        progress=progress,
    )
