"""The import pages as importers on the shared upload → preview → confirm flow (lib.imports):
a CASE package or a framework spreadsheet into the district admin's district, and a OneRoster
roster. Each says who may use it, how to preview and to import a file with the interop
readers and writers, and what its pages show; `urls.py` gives each its pages."""

from abc import abstractmethod
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proficio.frameworks.api import CompetencyKind, Framework, framework_competencies, framework_get
from proficio.interop.case.writer import import_case
from proficio.interop.oneroster.plan import ForeignRoster
from proficio.interop.oneroster.writer import import_oneroster
from proficio.interop.permissions import may_import_frameworks
from proficio.interop.report import ImportRefused, ImportReport, Problem
from proficio.interop.spreadsheet.table import read_sheet
from proficio.interop.spreadsheet.trajectories import read_trajectories
from proficio.interop.spreadsheet.writer import OPENSALT, TEMPLATE, import_framework_file
from proficio.lib.errors import NotVisible
from proficio.lib.imports import (
    CountTable,
    Importer,
    Link,
    Notes,
    Refused,
    Remedy,
    Steps,
    Summary,
    Upload,
    UploadShelf,
    count_table,
)
from proficio.people.api import Person, district_person_ids, roster_import_district

# An import report's counters, as the columns of its table; the first three always show.
COLUMNS = {
    "created": gettext_lazy("New"),
    "updated": gettext_lazy("Changed"),
    "unchanged": gettext_lazy("Unchanged"),
    "deactivated": gettext_lazy("Deactivated"),
    "removed": gettext_lazy("Removed"),
    "skipped": gettext_lazy("Left out"),
}


def _counts(report: dict, kinds: Mapping[str, str], *, every_kind: bool = False) -> CountTable:
    counters = {column: report.get(column, {}) for column in COLUMNS}
    always = ("created", "updated", "unchanged")
    return count_table(counters, COLUMNS, kinds, always=always, every_kind=every_kind)


@contextmanager
def _refusals():
    """The interop writers' refusals, as the flow's."""
    try:
        yield
    except ImportRefused as refused:
        raise Refused(refused.problems) from refused


class FrameworkImporter(Importer):
    """A file that makes (or updates) one framework of the district admin's own district."""

    parents = ((gettext_lazy("Frameworks"), "interop:frameworks"),)
    writer: ClassVar[Callable[..., ImportReport]]  # import_case or import_framework_file
    kinds: ClassVar[Mapping[str, str]]
    updates: ClassVar[str] = gettext_lazy("This updates the framework %(code)s.")

    def may_use(self, user: Person) -> bool:
        return may_import_frameworks(user)

    @abstractmethod
    def options(self, upload: Upload) -> dict:
        """The writer's own keyword arguments, from the upload form's other fields."""

    def write(self, upload: Upload, user: Person, *, dry_run: bool) -> ImportReport:
        with _refusals():
            return self.writer(
                data=upload.path.read_bytes(),
                source=upload.name,
                actor=user,
                district=user.district,
                dry_run=dry_run,
                **self.options(upload),
            )

    def preview(self, upload: Upload, user: Person) -> ImportReport:
        return self.write(upload, user, dry_run=True)

    def confirm(self, upload: Upload, user: Person) -> ImportReport:
        return self.write(upload, user, dry_run=False)

    @abstractmethod
    def notes(self, report: ImportReport) -> list[Notes]:
        """The note lists its preview and result pages show of `report`."""

    def shows_standards(self, report: ImportReport) -> bool:
        return True

    def format(self, report: ImportReport) -> str:
        return ""

    def summary(self, report: ImportReport, *, done: bool) -> Summary:
        framework = report.extra["framework"]
        code, title = framework["code"], framework["title"]
        counts, notes = _counts(report.as_dict(), self.kinds), self.notes(report)
        if not done:
            makes = _("This makes a new framework, %(code)s.")
            return Summary(
                heading=_("Preview: %(title)s") % {"title": title},
                format=self.format(report),
                lead=(self.updates if framework["id"] else makes) % {"code": code},
                counts=counts,
                notes=notes,
            )
        url = reverse("interop:framework", args=[framework["id"]])
        return Summary(
            heading=_("Imported %(title)s") % {"title": title},
            format=self.format(report),
            lead=_("The framework %(code)s is saved.") % {"code": code},
            counts=counts,
            notes=notes,
            links=[Link(_("Open its standards"), url)] if self.shows_standards(report) else [],
        )


class CaseForm(forms.Form):
    competency_types = forms.CharField(
        label=gettext_lazy("Item types that become competencies"),
        required=False,
        help_text=gettext_lazy(
            "Optional, separated by commas, e.g. “Competency”. Items of these types also "
            "become competencies aligned to them; every item is kept as a standard."
        ),
    )


class CaseImporter(FrameworkImporter):
    key = "case"
    title = gettext_lazy("Import a CASE framework")
    intro = gettext_lazy(
        "Choose a CASE package (CFPackage JSON) from your state or publisher. You will see what "
        "it contains, and what would be repaired, before anything is saved. Importing the same "
        "document again updates its framework instead of adding a second one."
    )
    urls = Steps(upload="interop:case_import", confirm="interop:case_confirm")
    shelf = UploadShelf(folder="uploads/case", suffix=".upload")
    file_label = gettext_lazy("CASE package (JSON)")
    file_help = gettext_lazy("A CFPackage exported from a CASE server, version 1.0 or 1.1.")
    accept = ".json,application/json"
    form_class = CaseForm
    writer = staticmethod(import_case)
    kinds = {
        "frameworks": gettext_lazy("Framework"),
        "items": gettext_lazy("Standards"),
        "associations": gettext_lazy("Associations"),
        "scales": gettext_lazy("Scales from rubrics"),
        "competencies": gettext_lazy("Competencies"),
    }
    updates = gettext_lazy("This document is already the framework %(code)s: importing updates it.")

    def options(self, upload: Upload) -> dict:
        types = [part.strip() for part in upload.fields["competency_types"].split(",")]
        return {"competency_types": [kind for kind in types if kind]}

    def notes(self, report: ImportReport) -> list[Notes]:
        hint = _(
            "Real CASE exports are often untidy. These repairs have one obvious answer; "
            "nothing else was changed."
        )
        return [Notes(_("Repaired on the way in"), report.fixed, hint)] if report.fixed else []


LAYOUTS = (
    ("", gettext_lazy("Decide from the header row")),
    (TEMPLATE, gettext_lazy("Proficio's template: competencies with trajectories")),
    (OPENSALT, gettext_lazy("OpenSALT CSV of CASE items")),
)
FORMATS = {TEMPLATE: gettext_lazy("Proficio's template"), OPENSALT: gettext_lazy("OpenSALT CSV")}


class SpreadsheetForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Framework title"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Optional. A spreadsheet names no framework: without a title here (or in the "
            "template's Framework title column) the file's name is used."
        ),
    )
    layout = forms.ChoiceField(label=gettext_lazy("Layout"), choices=LAYOUTS, required=False)


@dataclass(frozen=True)
class TrajectoryStageRow:
    ordinal: int
    label: str
    grade: int | None
    statements: list[str]


@dataclass(frozen=True)
class TrajectoryRow:
    code: str
    title: str
    kind: str
    stages: list[TrajectoryStageRow]


def _planned(upload: Upload) -> list[TrajectoryRow]:
    """The trajectories a (checked) template file holds, for its preview."""
    sheet = read_sheet(upload.path.read_bytes(), upload.name)
    plan = read_trajectories(sheet, title=upload.fields["title"])
    return [
        TrajectoryRow(
            code=spec.code,
            title=spec.title,
            kind=str(CompetencyKind(spec.kind).label),
            stages=[
                TrajectoryStageRow(
                    ordinal, stage.label, stage.typical_grade, list(stage.evidence_statements)
                )
                for ordinal, stage in enumerate(spec.stages, start=1)
            ],
        )
        for spec in plan.competencies
    ]


def _saved(framework: Framework) -> list[TrajectoryRow]:
    return [
        TrajectoryRow(
            code=competency.code,
            title=competency.title,
            kind=competency.get_kind_display(),
            stages=[
                TrajectoryStageRow(
                    stage.ordinal,
                    stage.label,
                    stage.typical_grade,
                    [statement.text for statement in stage.evidence_statements.all()],
                )
                for stage in competency.stages.all()
            ],
        )
        for competency in framework_competencies(framework)
    ]


class SpreadsheetImporter(FrameworkImporter):
    """Proficio's template filled in (competencies with trajectories), or an OpenSALT CSV. A
    template's competencies are listed on the pages (report.extra["competencies"])."""

    key = "spreadsheet"
    title = gettext_lazy("Import a spreadsheet")
    intro = gettext_lazy(
        "Choose Proficio's template filled in with your competencies and their stages, or a CSV "
        "of CASE items exported from OpenSALT. You will see what it contains, and what would "
        "change, before anything is saved."
    )
    links = ((gettext_lazy("Get the template"), "interop:framework_template"),)
    urls = Steps(upload="interop:spreadsheet_import", confirm="interop:spreadsheet_confirm")
    shelf = UploadShelf(folder="uploads/spreadsheet", suffix=".upload")
    file_label = gettext_lazy("Spreadsheet (.xlsx or .csv)")
    file_help = gettext_lazy(
        "Proficio's template filled in, or a CSV exported from OpenSALT. CSV files are read as "
        "UTF-8 (in Excel: “CSV UTF-8”)."
    )
    accept = ".xlsx,.csv,text/csv"
    form_class = SpreadsheetForm
    writer = staticmethod(import_framework_file)
    field_label = gettext_lazy("column")
    details_template = "interop/_spreadsheet_details.html"
    kinds = {
        "frameworks": gettext_lazy("Framework"),
        "items": gettext_lazy("Standards"),
        "competencies": gettext_lazy("Competencies"),
        "stages": gettext_lazy("Stages"),
        "evidence_statements": gettext_lazy("Evidence statements"),
    }

    def options(self, upload: Upload) -> dict:
        return {"title": upload.fields["title"], "layout": upload.fields["layout"] or None}

    def preview(self, upload: Upload, user: Person) -> ImportReport:
        report = super().preview(upload, user)
        if report.extra["format"] == TEMPLATE:
            report.extra["competencies"] = _planned(upload)
        return report

    def confirm(self, upload: Upload, user: Person) -> ImportReport:
        report = super().confirm(upload, user)
        if report.extra["format"] == TEMPLATE:
            framework = framework_get(user=user, framework_id=report.extra["framework"]["id"])
            report.extra["competencies"] = _saved(framework)
        return report

    def shows_standards(self, report: ImportReport) -> bool:
        return report.extra["format"] != TEMPLATE

    def format(self, report: ImportReport) -> str:
        return str(FORMATS[report.extra["format"]])

    def notes(self, report: ImportReport) -> list[Notes]:
        notes = []
        if report.extra.get("notes"):  # a template's stages and statements kept or removed
            notes.append(Notes(_("Left as they were, or removed"), report.extra["notes"]))
        if report.fixed:
            hint = _("Each of these has one obvious answer; nothing else was changed.")
            notes.append(Notes(_("Decided or repaired on the way in"), report.fixed, hint))
        return notes


# A roster changing more than this share of a district's people is worth a second look.
MANY_PEOPLE = 0.10


class RosterChoices(forms.Form):
    """How a roster may be imported, chosen on its preview page."""

    rename_district = forms.BooleanField(required=False)
    new_district = forms.BooleanField(required=False)


class RosterImporter(Importer):
    """A OneRoster zip into the district the person administers (or, for a site admin while
    there is none, into the district it creates). Its reports are `ImportReport.as_dict()`:
    the result page keeps them in the session."""

    key = "oneroster"
    title = gettext_lazy("Import a roster")
    guidance = (
        gettext_lazy(
            "Use the OneRoster CSV zip (version 1.1 or 1.2) that your student information "
            "system exports."
        ),
        gettext_lazy(
            "You see what the roster would change before anything is saved. A file with any "
            "problem is refused whole, with each problem's file, line and column."
        ),
        gettext_lazy(
            "People and classes are matched by their sourcedId: importing the same roster "
            "again changes nothing, and rows marked tobedeleted are deactivated, never deleted."
        ),
        gettext_lazy(
            "Students' demographics (demographics.csv, if the zip has it) are kept only for "
            "equity reports, which never show a group of fewer than ten students; a student "
            "the roster no longer lists loses theirs."
        ),
    )
    urls = Steps(
        upload="interop:oneroster_upload",
        preview="interop:oneroster_preview",
        confirm="interop:oneroster_confirm",
        result="interop:oneroster_result",
    )
    shelf = UploadShelf(folder="imports", suffix=".zip")
    file_field = "package"
    file_label = gettext_lazy("OneRoster package (.zip)")
    file_help = gettext_lazy(
        "The zip your student information system exports: manifest.csv, orgs.csv, users.csv "
        "and the rest, OneRoster 1.1 or 1.2."
    )
    accept = ".zip,application/zip"
    max_mb = 100
    noun = gettext_lazy("roster")
    field_label = gettext_lazy("column")
    problems_hint = gettext_lazy(
        "Fix these in your student information system's export (or in the files), then upload "
        "it again."
    )
    details_template = "interop/_roster_details.html"
    choices_form = RosterChoices
    kinds = {  # in the order of oneroster.writer.KINDS
        "orgs": gettext_lazy("District and schools"),
        "users": gettext_lazy("People"),
        "roles": gettext_lazy("Roles"),
        "guardian_links": gettext_lazy("Guardian links"),
        "classes": gettext_lazy("Classes (sections)"),
        "enrollments": gettext_lazy("Enrollments and teaching"),
        "academic_sessions": gettext_lazy("Academic sessions"),
        "demographics": gettext_lazy("Students' demographics"),
    }

    def may_use(self, user: Person) -> bool:
        try:
            roster_import_district(user)
        except NotVisible:
            return False
        return True

    def scope(self, user: Person) -> int | None:
        district = roster_import_district(user)
        return district.pk if district else None

    def introduce(self, user: Person) -> str:
        district = roster_import_district(user)
        if district is None:
            return _(
                "No district exists yet: this first roster creates it, with its schools, "
                "people, classes and enrollments."
            )
        return _(
            "Bring schools, people, classes and enrollments from your student information "
            "system into %(name)s."
        ) % {"name": district.name}

    def write(self, upload: Upload, user: Person, *, dry_run: bool) -> dict:
        district = roster_import_district(user)
        separate = bool(upload.choices.get("new_district"))
        if separate and not user.is_superuser:
            raise Refused([_only_site_admins()])
        try:
            report = import_oneroster(
                upload.path,
                dry_run=dry_run,
                into=district,
                actor=user,
                rename_district=bool(upload.choices.get("rename_district")),
                separate=separate,
            ).as_dict()
        except ForeignRoster as foreign:
            raise self.foreign(foreign, user) from foreign
        except ImportRefused as refused:
            raise Refused(refused.problems) from refused
        if district is not None and not separate:
            report["into"] = {
                "name": district.name,
                "sourced_id": district.sourced_id,
                "people": len(district_person_ids(district.pk)),
            }
        report["choices"] = dict(upload.choices)
        return report

    def foreign(self, refused: ForeignRoster, user: Person) -> Refused:
        """A roster for another district: a site admin may import it as a separate one."""
        if not user.is_superuser:
            return Refused([*refused.problems, _only_site_admins()])
        label = _("Import it as a separate district, %(name)s") % {"name": refused.name}
        return Refused(refused.problems, remedies=[Remedy(label, {"new_district": "on"})])

    def choice_form(self, report: dict, upload: Upload) -> forms.Form | None:
        form = RosterChoices(initial={name: True for name in upload.choices})
        into = report.get("into")
        if into and into["name"] != report["roster_district_name"]:
            form.fields["rename_district"].label = _(
                "Rename %(ours)s to “%(theirs)s”, as the roster calls it"
            ) % {"ours": into["name"], "theirs": report["roster_district_name"]}
        else:
            del form.fields["rename_district"]
        if upload.choices.get("new_district"):
            form.fields["new_district"].label = _("Import it as a separate district")
        else:
            del form.fields["new_district"]
        return form if form.fields else None

    def preview(self, upload: Upload, user: Person) -> dict:
        return self.write(upload, user, dry_run=True)

    def confirm(self, upload: Upload, user: Person) -> dict:
        return self.write(upload, user, dry_run=False)

    def summary(self, report: dict, *, done: bool) -> Summary:
        district = report["district"]
        kinds = dict(self.kinds)
        if "demographics.csv" not in report.get("files", {}):
            del kinds["demographics"]  # a roster without them imports as it always did
        counts = _counts(report, kinds, every_kind=True)
        notes = [Notes(_("Tidied or left out while reading"), report["fixed"])]
        notes = notes if report["fixed"] else []
        if done:
            return Summary(
                heading=_("Roster imported into %(name)s") % {"name": district["name"]},
                lead=_(
                    "The roster is in. Teachers see their classes and students the next time "
                    "they open Proficio."
                ),
                format=report["format"],
                counts=counts,
                notes=notes,
                links=[Link(_("Go to my home page"), reverse("home"))],
            )
        return Summary(
            heading=_("Preview: roster for %(name)s") % {"name": district["name"]},
            lead=_("The roster updates this district.")
            if district["id"]
            else _("The roster creates this district."),
            format=report["format"],
            notices=self.notices(report),
            warnings=self.warnings(report),
            confirm=self.confirm_label(report),
            counts=counts,
            notes=notes,
        )

    def warnings(self, report: dict) -> list[str]:
        """What importing would change that is hard to take back."""
        into, choices = report.get("into"), report.get("choices", {})
        warnings = []
        if into and choices.get("rename_district"):
            renamed = report["roster_district_name"]
            if renamed != into["name"]:
                warnings.append(
                    _("The district is renamed from %(ours)s to “%(theirs)s”.")
                    % {"ours": into["name"], "theirs": renamed}
                )
        if choices.get("new_district"):
            warnings.append(
                _("This makes a separate district, %(name)s, beside the ones there are.")
                % {"name": report["district"]["name"]}
            )
        for kind, n in report.get("deactivated", {}).items():
            if n and kind in self.kinds:
                warnings.append(
                    _("%(kind)s deactivated (kept, but no longer active): %(n)s.")
                    % {"n": n, "kind": self.kinds[kind]}
                )
        if removed := report.get("removed", {}).get("demographics"):
            warnings.append(
                _(
                    "Students' demographics deleted (the roster marks them tobedeleted or no "
                    "longer lists them): %(n)s."
                )
                % {"n": removed}
            )
        changed = _people_changed(report)
        if into and into["people"] and changed > MANY_PEOPLE * into["people"]:
            warnings.append(
                _(
                    "%(changed)s of the district's %(people)s people are added, changed or "
                    "deactivated: more than one in ten."
                )
                % {"changed": changed, "people": into["people"]}
            )
        return warnings

    def confirm_label(self, report: dict) -> str:
        """The import button, saying what it does."""
        people = _people_changed(report)
        choices = report.get("choices", {})
        renames = (
            choices.get("rename_district")
            and report.get("into", {}).get("name") != (report["roster_district_name"])
        )
        if choices.get("new_district") or not report["district"]["id"]:
            return _("Import %(n)s people as the new district %(name)s") % {
                "n": people,
                "name": report["district"]["name"],
            }
        if renames:
            return _("Import %(n)s people and rename the district") % {"n": people}
        return _("Import %(n)s people") % {"n": people} if people else _("Import it")

    def notices(self, report: dict) -> list[str]:
        """What importing changes about the district itself."""
        into, district = report.get("into"), report["district"]
        if into is None:
            return []
        notices = []
        renaming = report.get("choices", {}).get("rename_district")
        if into["name"] != report["roster_district_name"] and not renaming:
            notices.append(
                _("The roster calls this district “%(theirs)s”; it keeps its name, %(ours)s.")
                % {"ours": into["name"], "theirs": report["roster_district_name"]}
            )
        if not into["sourced_id"]:
            notices.append(
                _(
                    "From now on, rosters for this district are recognised by the district's "
                    "sourcedId, “%(sourced_id)s”."
                )
                % {"sourced_id": district["sourced_id"]}
            )
        return notices


def _only_site_admins() -> Problem:
    return Problem(
        "orgs.csv",
        _(
            "Only a site administrator can import it as a separate district (on this page, or "
            "with “proficio import oneroster FILE --new-district”)."
        ),
    )


def _people_changed(report: dict) -> int:
    """People the roster adds, changes or deactivates."""
    return sum(report.get(column, {}).get("users", 0) for column in ("created", "updated")) + (
        report.get("deactivated", {}).get("users", 0)
    )


CASE = CaseImporter()
SPREADSHEET = SpreadsheetImporter()
ROSTER = RosterImporter()
