"""The results import page on the shared upload → preview → confirm flow (lib.imports): a CSV of
standardized results into the district the admin maps results for."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from proficio.interop.permissions import results_district_of
from proficio.interop.report import ImportRefused, ImportReport
from proficio.interop.results.mapping import result_mappings_of
from proficio.interop.results.writer import import_results
from proficio.lib.errors import NotVisible
from proficio.lib.imports import (
    Importer,
    Link,
    Notes,
    Refused,
    Steps,
    Summary,
    Upload,
    UploadShelf,
    count_table,
)
from proficio.people.api import District, Person

COLUMNS = {"created": gettext_lazy("New"), "unchanged": gettext_lazy("Already recorded")}
KINDS = {"ratings": gettext_lazy("Standardized ratings")}


def _district(user: Person) -> District:
    district = results_district_of(user)
    if district is None:
        raise NotVisible("No results import here.")
    return district


class ResultsImporter(Importer):
    key = "results"
    title = gettext_lazy("Import standardized results")
    guidance = (
        gettext_lazy(
            "Use a CSV with one result per row and the columns student (the student's "
            "sourcedId from the roster, or their username), assessment, date (year-month-day), "
            "score (may be empty) and band."
        ),
        gettext_lazy(
            "Each result becomes evidence — a rating with the source “standardized” — of the "
            "competency, stage and level the mapping gives its assessment and band; the "
            "students' mastery is brought up to date with it."
        ),
        gettext_lazy(
            "You see what the file would add before anything is saved. A file with any problem "
            "is refused whole, with each problem's line and column. Results already imported "
            "are left out, so importing a file again adds nothing."
        ),
    )
    parents = ((gettext_lazy("Standardized results"), "interop:results_mapping"),)
    links = ((gettext_lazy("The mapping"), "interop:results_mapping"),)
    urls = Steps(upload="interop:results_import", confirm="interop:results_confirm")
    shelf = UploadShelf(folder="uploads/results", suffix=".upload")
    file_label = gettext_lazy("Results (.csv)")
    file_help = gettext_lazy("Read as UTF-8 (in Excel: “CSV UTF-8”).")
    accept = ".csv,text/csv"
    max_mb = 50
    field_label = gettext_lazy("column")
    problems_hint = gettext_lazy(
        "Mend these in the file, or add what the mapping lacks on the mapping page, then "
        "upload the file again."
    )
    details_template = "interop/_results_details.html"

    def may_use(self, user: Person) -> bool:
        return results_district_of(user) is not None

    def scope(self, user: Person) -> int:
        return _district(user).pk

    def introduce(self, user: Person) -> str:
        district = _district(user)
        assessments = result_mappings_of(district).values("assessment_key").distinct().count()
        if not assessments:
            return _(
                "%(name)s has no mapping yet: first say which competency, stage and level each "
                "band of each assessment is evidence of."
            ) % {"name": district.name}
        return ngettext(
            "Bring the results of standardized assessments into %(name)s as evidence, through "
            "its mapping of %(n)s assessment.",
            "Bring the results of standardized assessments into %(name)s as evidence, through "
            "its mapping of %(n)s assessments.",
            assessments,
        ) % {"name": district.name, "n": assessments}

    def write(self, upload: Upload, user: Person, *, dry_run: bool) -> ImportReport:
        try:
            return import_results(
                path=upload.path,
                source=upload.name,
                district=_district(user),
                actor=user,
                dry_run=dry_run,
            )
        except ImportRefused as refused:
            raise Refused(refused.problems) from refused

    def preview(self, upload: Upload, user: Person) -> ImportReport:
        return self.write(upload, user, dry_run=True)

    def confirm(self, upload: Upload, user: Person) -> ImportReport:
        return self.write(upload, user, dry_run=False)

    def summary(self, report: ImportReport, *, done: bool) -> Summary:
        extra = report.extra
        counts = count_table(
            {"created": report.created, "unchanged": report.unchanged},
            COLUMNS,
            KINDS,
            always=tuple(COLUMNS),
            every_kind=True,
        )
        notes = [Notes(_("Read past on the way in"), report.fixed)] if report.fixed else []
        facts = {"results": extra["results"], "students": extra["students"]}
        new = report.created["ratings"]
        if done:
            return Summary(
                heading=_("Results imported into %(name)s") % {"name": extra["district"]["name"]},
                lead=_(
                    "%(new)s ratings are recorded from %(results)s results of %(students)s "
                    "students, and their mastery is up to date."
                )
                % {"new": new, **facts},
                format=_("Standardized results (CSV)"),
                counts=counts,
                notes=notes,
                links=[Link(_("Back to the mapping"), reverse("interop:results_mapping"))],
            )
        return Summary(
            heading=_("Preview: results for %(name)s") % {"name": extra["district"]["name"]},
            lead=_("The file holds %(results)s results of %(students)s students.") % facts,
            format=_("Standardized results (CSV)"),
            confirm=_("Record %(n)s ratings") % {"n": new} if new else _("Import it"),
            notices=[]
            if new
            else [_("Every result in this file is already recorded: importing adds nothing.")],
            counts=counts,
            notes=notes,
        )


RESULTS = ResultsImporter()
