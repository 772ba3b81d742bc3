"""The design choices page and the implementation plan (issue 16, item 6): who opens them, that
they show the values in force and who chose them, and that the plan counts the district's
work as it grows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.calibration.api import (
    ConsentBasis,
    PieceSpec,
    RatingSpec,
    exemplar_confirm,
    exemplar_propose,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.engine.pace import DEFAULT_STALL_RATINGS, DEFAULT_STALL_WEEKS
from proficio.evidence.api import EvidenceSource
from proficio.frameworks.services.authoring import DEFAULT_LEVELS
from proficio.mastery.api import PolicyDraft, evidence_record
from proficio.mastery.models import PaceExpectation
from proficio.mastery.services import policy_change
from proficio.pathways.api import gate_of, gate_set, group_sizes_set
from proficio.people.api import Role, district_create, family_visibility_set
from proficio.reports import design
from proficio.reports.transcripts import transcript_format_set
from proficio.work.api import Alignment, task_create
from tests.factories import make_competency, make_person

DESIGN = reverse("reports:design")
IMPLEMENTATION = reverse("reports:implementation")
PAGES = (DESIGN, IMPLEMENTATION)


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def text_of(response) -> str:
    return response.content.decode()


# ---- who opens the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("district_admin", 200),
        ("school_admin", 200),
        ("teacher", 200),
        ("other_district_teacher", 200),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_staff_read_the_pages_students_and_guardians_find_nothing(world, page, role, status):
    response = client_for(getattr(world, role)).get(page)
    assert response.status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(db, page):
    response = Client().get(page)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_take_no_post(world, page):
    assert client_for(world.district_admin).post(page).status_code == 405


def test_each_reader_sees_their_own_district(world):
    mine = text_of(client_for(world.teacher).get(DESIGN))
    theirs = text_of(client_for(world.other_district_teacher).get(DESIGN))
    assert "Riverside" in mine and "Elsewhere" not in mine
    assert "Elsewhere" in theirs and "Riverside" not in theirs


@pytest.mark.parametrize("page", PAGES)
def test_a_district_with_nothing_yet_reads_as_its_defaults(db, page):
    district = district_create(name="Brand new")
    admin = make_person(district, "newadmin", Role.DISTRICT_ADMIN, None)
    response = client_for(admin).get(page)
    assert response.status_code == 200
    steps = {step.key: step for step in design.plan(design.viewer_of(admin)).steps}
    assert steps["trajectories"].percent == 0
    assert steps["trajectories"].state == "not_started"


def test_a_school_is_chosen_among_the_readers_own(world):
    admin, teacher = client_for(world.district_admin), client_for(world.teacher)
    assert admin.get(DESIGN, {"school": world.other_school.uuid}).status_code == 200
    # A teacher of North reads North; South, another district's school or nonsense: nothing.
    assert teacher.get(DESIGN, {"school": world.school.uuid}).status_code == 200
    assert teacher.get(DESIGN, {"school": world.other_school.uuid}).status_code == 404
    assert teacher.get(DESIGN, {"school": "not-a-school"}).status_code == 404
    elsewhere = world.other_district_teacher.roles.first().school
    assert admin.get(DESIGN, {"school": elsewhere.uuid}).status_code == 404


def test_ten_decisions_with_a_trade_off_and_a_default_each(world):
    decided = design.decisions(design.viewer_of(world.district_admin))
    assert [d.key for d in decided] == list(design.ORDER)
    assert len(decided) == 10
    for decision in decided:
        assert decision.trade_off and decision.default and decision.current
    page = text_of(client_for(world.teacher).get(DESIGN))
    for title in ("Rating scale", "Minimum evidence", "Advancement gate", "Transcript format"):
        assert title in page


def test_every_decision_has_a_setting_at_its_default_in_a_new_district(world):
    decided = design.decisions(design.viewer_of(world.district_admin))
    for decision in decided:
        assert decision.has_setting, decision.key
        assert decision.place is not None, decision.key
    fresh = {d.key: d for d in decided}
    for key in ("family", "grouping", "transcript"):
        assert fresh[key].is_default and fresh[key].changed is None
        assert fresh[key].current[0].note == "Proficio's default"
    page = text_of(client_for(world.district_admin).get(DESIGN))
    assert "No setting yet" not in page
    assert "No setting in Proficio yet" not in page


def test_admins_get_links_to_the_settings_teachers_only_their_names(world):
    admin_page = text_of(client_for(world.district_admin).get(DESIGN))
    teacher_page = text_of(client_for(world.teacher).get(DESIGN))
    for url in (
        reverse("mastery:policies"),
        reverse("pathways:gate"),
        reverse("frameworks:scales"),
        reverse("agency:family_settings"),
        reverse("pathways:gate") + "#groups",
        reverse("reports:transcript_format"),
    ):
        href = f'href="{url}"'
        assert href in admin_page
        assert href not in teacher_page
    assert "Set by the district&#x27;s admins" in teacher_page


# ---- the values in force and who chose them ---------------------------------------------------


def test_a_changed_policy_shows_its_new_value_and_who_changed_it(world):
    before = {d.key: d for d in design.decisions(design.viewer_of(world.district_admin))}
    assert before["method"].is_default and before["method"].changed is None
    assert before["minimum"].current[0].value == "At least 2 ratings"

    policy_change(
        actor=world.district_admin,
        draft=PolicyDraft(
            district=world.district,
            method="latest",
            parameters={},
            minimum_evidence=3,
            threshold=Decimal(3),
        ),
    )

    after = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}
    assert after["method"].current[0].value.startswith("Most recent")
    assert after["minimum"].current[0].value == "At least 3 ratings"
    for key in ("method", "minimum"):
        assert not after[key].is_default
        assert after[key].changed.who == world.district_admin.display_name
    # Self-assessment use did not change: still Proficio's default.
    assert after["self"].is_default and after["self"].changed is None

    page = text_of(client_for(world.teacher).get(DESIGN))
    assert "Most recent" in page
    assert world.district_admin.display_name in page
    assert "Your choice" in page


def test_each_setting_names_the_version_that_chose_its_value(world):
    def change(minimum: int, method: str = "latest") -> None:
        policy_change(
            actor=world.district_admin,
            draft=PolicyDraft(
                district=world.district,
                method=method,
                parameters={},
                minimum_evidence=minimum,
                threshold=Decimal(3),
            ),
        )

    change(2)  # version 2: the method
    change(4)  # version 3: the minimum evidence only
    decided = {d.key: d for d in design.decisions(design.viewer_of(world.district_admin))}
    assert decided["method"].changed.what.startswith("Version 2")
    assert decided["minimum"].changed.what.startswith("Version 3")


def test_a_schools_own_policy_stands_beside_the_districts(world):
    policy_change(
        actor=world.school_admin,
        draft=PolicyDraft(
            district=world.district,
            school=world.school,
            method="mean",
            parameters={},
            minimum_evidence=2,
            threshold=Decimal(3),
            include_self_assessment=True,
        ),
    )
    decided = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}
    district_line, school_line = decided["method"].current
    assert district_line.value.startswith("Decaying average")
    assert school_line.scope == "North" and school_line.value.startswith("Mean")
    assert school_line.note == "Its own policy"
    assert decided["self"].current[1].value.startswith("Counted toward mastery")
    assert decided["self"].changed.who == world.school_admin.display_name

    # South follows the district.
    viewer = design.viewer_of(world.district_admin, str(world.other_school.uuid))
    south = {d.key: d for d in design.decisions(viewer)}["method"].current[1]
    assert south.value == "Follows the district's policy"


def test_a_competencys_own_policy_is_listed_as_an_exception(world):
    policy_change(
        actor=world.district_admin,
        draft=PolicyDraft(
            district=world.district,
            competency=world.competency,
            method="highest",
            parameters={},
            minimum_evidence=2,
            threshold=Decimal(3),
        ),
    )
    method = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["method"]
    assert [line.scope for line in method.exceptions] == ["W1 Competency W1"]
    assert not method.is_default


def test_the_gate_shows_its_mode_and_who_set_it(world):
    gate_set(
        actor=world.district_admin,
        district_id=world.district.pk,
        mode="required",
        threshold=Decimal(3),
    )
    gate = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["gate"]
    assert gate.current[0].value.startswith("Required")
    assert "a result at level 3 or above" in gate.current[0].value
    assert gate.changed.who == world.district_admin.display_name
    assert not gate.is_default


def test_the_group_sizes_show_their_value_and_who_set_them_when(world):
    group_sizes_set(actor=world.district_admin, district_id=world.district.pk, minimum=2, maximum=4)
    grouping = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["grouping"]
    assert grouping.current[0].value == "Groups of 2 to 4 students."
    assert grouping.current[0].note == ""
    assert not grouping.is_default
    assert grouping.changed.who == world.district_admin.display_name
    assert grouping.changed.at.date() == timezone.localdate()
    page = text_of(client_for(world.teacher).get(DESIGN))
    assert "Groups of 2 to 4 students." in page
    # Back to Proficio's sizes: the default again, and still who chose it, and when.
    group_sizes_set(actor=world.district_admin, district_id=world.district.pk, minimum=3, maximum=6)
    grouping = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["grouping"]
    assert grouping.is_default and grouping.changed is not None


def test_family_visibility_shows_its_value_and_who_chose_it_when(world):
    family_visibility_set(
        actor=world.district_admin, district=world.district, visibility="progress"
    )
    family = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["family"]
    assert "Teachers' written feedback stays between the student" in family.current[0].value
    assert not family.is_default
    assert family.changed.who == world.district_admin.display_name
    assert family.changed.at.date() == timezone.localdate()
    page = text_of(client_for(world.teacher).get(DESIGN))
    assert "written feedback stays between the student and their teachers" in page
    assert f"{world.district_admin.display_name}, {timezone.localdate():%-d %b %Y}" in page


def test_the_transcript_format_shows_its_value_and_who_set_it_when(world):
    transcript_format_set(
        actor=world.district_admin, district=world.district, appendix=False, typical_stage=True
    )
    transcript = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["transcript"]
    value = transcript.current[0].value
    assert "without the appendix of evidence" in value
    assert "the stage typical for the student's age-grade beside each competency" in value
    assert not transcript.is_default
    assert transcript.changed.who == world.district_admin.display_name
    assert "with an appendix of the evidence" in transcript.default
    page = text_of(client_for(world.district_admin).get(DESIGN))
    assert "without the appendix of evidence" in page
    assert "3 of the ten differ" not in page and "1 of the ten differs" in page


def test_another_districts_settings_are_not_ours(world):
    elsewhere_admin = make_person(
        world.other_district_teacher.district, "elsewhereadmin", Role.DISTRICT_ADMIN, None
    )
    family_visibility_set(
        actor=elsewhere_admin, district=elsewhere_admin.district, visibility="progress"
    )
    group_sizes_set(
        actor=elsewhere_admin, district_id=elsewhere_admin.district_id, minimum=2, maximum=2
    )
    transcript_format_set(
        actor=elsewhere_admin,
        district=elsewhere_admin.district,
        appendix=False,
        typical_stage=False,
    )
    ours = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}
    theirs = {d.key: d for d in design.decisions(design.viewer_of(world.other_district_teacher))}
    for key in ("family", "grouping", "transcript"):
        assert ours[key].is_default and ours[key].changed is None
        assert not theirs[key].is_default
        assert theirs[key].changed.who == elsewhere_admin.display_name


def test_pace_expectations_of_the_district_and_the_school(world):
    PaceExpectation.objects.create(district=world.district, stall_weeks=4, stall_ratings=3)
    PaceExpectation.objects.create(
        district=world.district, school=world.school, stall_weeks=8, stages_below_on_pace=1
    )
    pacing = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["pacing"]
    district_line, school_line = pacing.current
    assert "4 weeks" in district_line.value and "3 ratings" in district_line.value
    assert "8 weeks" in school_line.value and "1 stage below" in school_line.value
    assert school_line.note == "Its own expectations"
    assert not pacing.is_default
    assert pacing.changed is not None  # saved outside the admin site: the day, not the person


def test_revision_policies_are_counted_over_the_districts_tasks(world):
    for policy, limit in (("unlimited", None), ("max", 2), ("max", 1)):
        task_create(
            author=world.teacher,
            title=f"Task {policy} {limit}",
            alignments=[Alignment(competency=world.competency, stage=1)],
            revision_policy=policy,
            max_revisions=limit,
        )
    revision = {d.key: d for d in design.decisions(design.viewer_of(world.teacher))}["revision"]
    assert [(line.scope, line.value) for line in revision.current] == [
        ("Revise as often as needed", "1 task"),
        ("At most a number of revisions", "2 tasks"),
    ]
    assert not revision.is_default


def test_the_pages_defaults_are_the_apps_own(world):
    """The defaults the page states where the owning app keeps them on a model."""
    fresh = district_create(name="Fresh")
    gate = gate_of(fresh.pk)
    assert (gate.group_size_min, gate.group_size_max) == design.DEFAULT_GROUP_SIZES
    assert gate.mode == "none"
    assert (
        tuple((Decimal(level.value), level.is_mastery) for level in DEFAULT_LEVELS)
        == design.DEFAULT_SCALE
    )
    pace = PaceExpectation(district=fresh)
    assert (pace.stall_weeks, pace.stall_ratings, pace.stages_below_on_pace) == (
        DEFAULT_STALL_WEEKS,
        DEFAULT_STALL_RATINGS,
        design.DEFAULT_STAGES_BELOW_ON_PACE,
    )


# ---- the implementation plan ------------------------------------------------------------------


def _steps(person) -> dict:
    return {step.key: step for step in design.plan(design.viewer_of(person)).steps}


def _measure(step, label_start: str):
    return next(m for m in step.measures if m.label.startswith(label_start))


def _published_exemplar(world, stage: int, level: int):
    exemplar = exemplar_propose(
        actor=world.teacher,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        title=f"Stage {stage} at {level}",
        text=f"A piece of work at stage {stage}.",
        annotation="It shows the stage's statements.",
        consent=ConsentBasis.POLICY,
        student=world.student,
    )
    return exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)


def test_exemplars_and_sessions_count_toward_the_plan(world):
    steps = _steps(world.district_admin)
    assert _measure(steps["big_ideas"], "Exemplars").count == 0
    assert _measure(steps["pilot"], "Calibration sessions").count == 0

    exemplars = [_published_exemplar(world, stage, 3) for stage in (1, 2, 3)]
    steps = _steps(world.district_admin)
    assert _measure(steps["big_ideas"], "Exemplars").count == 3
    assert _measure(steps["big_ideas"], "Exemplars").done

    session = session_open(
        actor=world.teacher,
        title="Reading the same work",
        school=world.school,
        pieces=[
            PieceSpec(competency=world.competency, stage=e.stage.ordinal, exemplar=e)
            for e in exemplars
        ],
        raters=[world.teacher, world.other_teacher],
    )
    assert _measure(_steps(world.district_admin)["pilot"], "Calibration sessions").count == 0
    for rater in (world.teacher, world.other_teacher):
        ratings_submit(
            actor=rater,
            session=session,
            ratings={
                piece: RatingSpec(level=Decimal(3), rationale="Shows it.")
                for piece in session.pieces.all()
            },
        )
    session_reveal(actor=world.teacher, session=session)
    held = _measure(_steps(world.district_admin)["pilot"], "Calibration sessions")
    assert held.count == 1 and held.done

    page = text_of(client_for(world.teacher).get(IMPLEMENTATION))
    assert "Calibration sessions held" in page
    assert "1 (goal 1)" in page


def test_trajectories_tasks_and_evidence_count_toward_the_plan(world):
    steps = _steps(world.teacher)
    assert _measure(steps["big_ideas"], "Competencies written").count == 1
    assert _measure(steps["trajectories"], "Stages with evidence statements").total == 3
    assert _measure(steps["tasks"], "Performance tasks aligned").count == 0
    assert _measure(steps["pilot"], "Competencies with evidence").count == 0

    second = make_competency(world.framework, "W2", stages=4)
    task_create(
        author=world.teacher,
        title="An argument",
        alignments=[Alignment(competency=second, stage=2)],
    )
    day = timezone.now() - timedelta(days=3)
    for competency in (world.competency, second):
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=competency,
            stage=1,
            level=Decimal(3),
            observed_at=day,
            source=EvidenceSource.TASK,
        )
    # A student's own rating is no evidence of the pilot.
    evidence_record(
        assessor=world.student,
        student=world.student,
        competency=second,
        stage=1,
        level=Decimal(4),
        observed_at=day,
        source=EvidenceSource.SELF,
    )

    plan = design.plan(design.viewer_of(world.teacher))
    steps = {step.key: step for step in plan.steps}
    assert _measure(steps["big_ideas"], "Competencies written").count == 2
    assert _measure(steps["trajectories"], "Stages with evidence statements").total == 7
    assert _measure(steps["tasks"], "Performance tasks aligned").count == 1
    assert _measure(steps["tasks"], "Stages with at least one aligned task").count == 1
    piloted = _measure(steps["pilot"], "Competencies with evidence")
    assert piloted.count == 2 and piloted.done
    assert [(c.code, c.evidence, c.from_tasks) for c in plan.pilot] == [("W1", 1, 1), ("W2", 1, 1)]
    teachers = _measure(steps["scale_up"], "Teachers recording evidence")
    assert (teachers.count, teachers.total) == (1, 2)
    assert 0 < steps["scale_up"].percent < 100


def test_the_plan_names_no_student(world):
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now(),
        source=EvidenceSource.OBSERVATION,
    )
    for page in PAGES:
        text = text_of(client_for(world.district_admin).get(page))
        assert world.student.display_name not in text
