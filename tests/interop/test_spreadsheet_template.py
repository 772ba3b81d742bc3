"""Proficio's template: competencies with stages and evidence statements from CSV or XLSX,
re-imports that create nothing, updates in place, and stages that are never deleted."""

import io

import pytest

from proficio.frameworks.data import CompetencySpec, StageSpec
from proficio.frameworks.models import Competency, CompetencyKind, Framework, Stage
from proficio.frameworks.services import framework_sync_trajectories
from proficio.interop.spreadsheet.template import template_csv, template_xlsx
from proficio.lib.errors import NotVisible
from tests.interop.conftest import row_counts
from tests.interop.spreadsheet_support import (
    COLLABORATION,
    HEADERS,
    cells,
    csv_bytes,
    import_file,
    template_csv_with,
    template_xlsx_with,
    write,
)

pytestmark = pytest.mark.django_db

EXAMPLE_EVIDENCE = [
    "I can ask a question to check that I understood.",
    "I can connect what I say to what someone else said.",
    "I can explain my idea with a reason or an example.",
]


def stages_of(code: str) -> list[Stage]:
    return list(Competency.objects.get(code=code).stages.order_by("ordinal"))


def texts(stage: Stage) -> list[str]:
    return [statement.text for statement in stage.evidence_statements.all()]


def assert_imported_with_trajectories(report) -> None:
    assert report.created == {
        "frameworks": 1,
        "competencies": 2,
        "stages": 5,
        "evidence_statements": 13,
    }
    framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
    assert (framework.code, framework.title) == ("COMM-K5", "Communication K–5")
    speaking = framework.competencies.get(code="SL1")
    assert (speaking.title, speaking.kind, speaking.subject) == (
        "Speaking and listening",
        CompetencyKind.ACADEMIC,
        "English language arts",
    )
    stages = stages_of("SL1")
    assert [(s.ordinal, s.label, s.typical_grade) for s in stages] == [
        (1, "Takes turns in a conversation", 1),
        (2, "Builds on what others say", 3),
        (3, "Leads a focused discussion", 5),
    ]
    assert texts(stages[1]) == EXAMPLE_EVIDENCE
    assert stages[2].descriptor.startswith("The student comes prepared")
    collaboration = framework.competencies.get(code="COL1")
    assert collaboration.kind == CompetencyKind.SKILL
    assert collaboration.statement == "Work with others toward a shared goal."
    first, second = stages_of("COL1")
    assert (first.typical_grade, second.typical_grade) == (0, 2)
    assert texts(first) == ["I can share materials.", "I can take turns in a game."]
    assert second.descriptor == "The student takes on a role and finishes their part."


def test_the_csv_template_imports_competencies_with_stages_and_evidence(world):
    report = import_file(world, template_csv_with(COLLABORATION), "ours.csv")
    assert report.extra["format"] == "template"
    assert_imported_with_trajectories(report)


def test_the_xlsx_template_imports_competencies_with_stages_and_evidence(world):
    report = import_file(world, template_xlsx_with(COLLABORATION), "ours.xlsx")
    assert report.extra["format"] == "template"
    assert_imported_with_trajectories(report)


@pytest.mark.parametrize(
    ("name", "build"), [("ours.csv", template_csv_with), ("ours.xlsx", template_xlsx_with)]
)
def test_a_second_import_of_the_same_file_creates_nothing(world, name, build):
    data = build(COLLABORATION)
    first = import_file(world, data, name)
    before = row_counts()
    second = import_file(world, data, name)
    assert sum(second.created.values()) == 0 and sum(second.updated.values()) == 0
    assert second.unchanged == {
        "frameworks": 1,
        "competencies": 2,
        "stages": 5,
        "evidence_statements": 13,
    }
    assert second.extra["framework"] == first.extra["framework"]
    assert second.extra["notes"] == []
    assert row_counts() == before


def test_the_downloadable_templates_import_as_they_are(world):
    csv_report = import_file(world, template_csv(), "template.csv")
    xlsx_report = import_file(world, template_xlsx(), "template.xlsx")
    assert csv_report.created["stages"] == 3 and csv_report.created["evidence_statements"] == 9
    assert xlsx_report.unchanged["stages"] == 3 and sum(xlsx_report.created.values()) == 0


def test_changed_descriptors_update_in_place(world):
    import_file(world, template_csv_with(COLLABORATION))
    stage_ids = [stage.uuid for stage in stages_of("COL1")]
    changed = [dict(row) for row in COLLABORATION]
    changed[1]["descriptor"] = "The student takes on a role, finishes it and helps others."
    changed[0]["title"] = "Collaboration and teamwork"
    changed[0]["evidence"] = "I can share materials fairly. | I can take turns in a game."
    report = import_file(world, template_csv_with(changed))
    assert sum(report.created.values()) == 0
    assert report.updated == {"competencies": 1, "stages": 2, "evidence_statements": 1}
    assert [stage.uuid for stage in stages_of("COL1")] == stage_ids
    assert stages_of("COL1")[1].descriptor.endswith("helps others.")
    assert Competency.objects.get(code="COL1").title == "Collaboration and teamwork"
    assert texts(stages_of("COL1")[0])[0] == "I can share materials fairly."


def test_a_stage_the_file_no_longer_lists_is_kept_and_reported(world):
    import_file(world, template_csv_with(COLLABORATION))
    shorter = [dict(COLLABORATION[0], evidence="I can share materials.")]
    report = import_file(world, template_csv_with(shorter))
    assert len(stages_of("COL1")) == 2
    assert report.extra["notes"] == [
        "Kept stage 2 of COL1 (“Plays a role in a group task”), which the file no longer "
        "lists: an import never deletes a stage. Remove it by hand if it is no longer wanted.",
        "Removed 1 evidence statement from stage 1 of COL1: the file lists fewer.",
    ]
    assert texts(stages_of("COL1")[0]) == ["I can share materials."]


def test_a_missing_subject_column_keeps_the_subjects_already_there(world):
    import_file(world, template_csv())
    values = cells(
        {
            "code": "SL1",
            "title": "Speaking and listening",
            "kind": "academic",
            "ordinal": "1",
            "label": "Takes turns in a conversation",
            "grade": "1",
            "evidence": "\n".join(texts(stages_of("SL1")[0])),
            "framework_code": "COMM-K5",
        }
    )
    row = dict(zip(HEADERS, values, strict=True))
    del row["Subject"]
    report = import_file(world, csv_bytes([list(row.values())], list(row)))
    speaking = Competency.objects.get(code="SL1")
    assert speaking.subject == "English language arts"
    assert speaking.statement == ""  # the statement column is there, and empty
    assert report.updated == {"competencies": 1, "stages": 1}  # the statement and descriptor
    assert [note[:20] for note in report.extra["notes"]] == [
        "Kept stage 2 of SL1 ",
        "Kept stage 3 of SL1 ",
    ]


def test_title_and_code_come_from_the_option_the_columns_or_the_file_name(world):
    plain = [
        {k: v for k, v in row.items() if not k.startswith("framework")} for row in COLLABORATION
    ]
    named = import_file(world, csv_bytes([cells(row) for row in plain]), "team-skills.csv")
    assert named.extra["framework"]["title"] == "team skills"
    assert named.extra["framework"]["code"] == "TEAM-SKILLS"
    assert "took it from the file's name" in named.fixed[0]
    again = import_file(world, csv_bytes([cells(row) for row in plain]), "team-skills.csv")
    assert sum(again.created.values()) == 0

    titled = import_file(world, template_csv(), "x.csv", title="Speaking K–5")
    assert titled.extra["framework"] == {
        "id": titled.extra["framework"]["id"],
        "code": "COMM-K5",
        "title": "Speaking K–5",
    }


def test_separators_line_breaks_bullets_and_semicolons_are_read(world):
    rows = [
        cells(
            {
                "code": "SD1",
                "title": "Self-direction",
                "kind": "Skill or disposition",
                "ordinal": "1",
                "label": "Plans a task",
                "grade": "PK",
                "evidence": "• I can say what I will do first.\r\n• I can gather what I need.",
            }
        )
    ]
    text = csv_bytes(rows).decode().replace(",", ";")
    report = import_file(world, text.encode("utf-8"), "semicolons.csv")
    [stage] = stages_of("SD1")
    assert stage.typical_grade == -1
    assert texts(stage) == ["I can say what I will do first.", "I can gather what I need."]
    assert Competency.objects.get(code="SD1").kind == CompetencyKind.SKILL
    assert "Read the columns as separated by semicolons" in report.fixed
    assert "Removed bullet marks before evidence statements" in report.fixed


def test_utf16_text_from_excel_is_read(world):
    data = csv_bytes([cells(COLLABORATION[0])]).decode()
    report = import_file(world, b"\xff\xfe" + data.encode("utf-16-le"), "unicode.csv")
    assert report.created["competencies"] == 1
    assert "Read the file as UTF-16 text (its byte-order mark says so)" in report.fixed


def test_a_dry_run_counts_everything_and_writes_nothing(world):
    before = row_counts()
    report = import_file(world, template_xlsx_with(COLLABORATION), "ours.xlsx", dry_run=True)
    assert report.dry_run and report.created["evidence_statements"] == 13
    assert report.extra["framework"]["id"] is None
    assert row_counts() == before


def test_the_command_imports_an_xlsx_and_prints_json(world, cli, tmp_path):
    path = write(tmp_path, "ours.xlsx", template_xlsx_with(COLLABORATION))
    result = cli("import", "framework", str(path), "--json", "--district", "Riverside")
    assert result.code == 0, result.err
    summary = result.json()
    framework = Framework.objects.get(code="COMM-K5")
    assert summary["framework"] == {
        "id": str(framework.uuid),
        "code": "COMM-K5",
        "title": "Communication K–5",
    }
    assert summary["created"]["stages"] == 5 and summary["format"] == "template"
    again = cli("import", "framework", str(path), "--district", "Riverside")
    assert again.code == 0
    assert "Imported 'Communication K–5' as framework COMM-K5." in again.out
    assert "created" not in again.out


def test_only_a_district_admin_or_the_operator_syncs_trajectories(world):
    spec = CompetencySpec(
        code="X1", title="X", kind=CompetencyKind.ACADEMIC, stages=[StageSpec(label="One")]
    )
    with pytest.raises(NotVisible):
        framework_sync_trajectories(
            actor=world.teacher, district=world.district, title="T", competencies=[spec]
        )
    result = framework_sync_trajectories(
        actor=world.district_admin, district=world.district, title="T", competencies=[spec]
    )
    assert result.created["stages"] == 1


def test_the_template_workbook_offers_kinds_and_a_guide(world):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames == ["Trajectories", "How to fill it in"]
    sheet = workbook["Trajectories"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == 4 and sheet.freeze_panes == "A2"
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"academic,skill"' in formulas
