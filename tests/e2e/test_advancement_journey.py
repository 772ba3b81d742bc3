"""Advancement upon mastery, in Chromium: the teacher rates the last target of a student's
course → Proficio proposes advancement on the teacher's Today page → the teacher and the
student confirm → with the district's gate required, advancing waits until a standardized
result at the threshold is imported → the teacher places the student in a section of the
next course → the student and their guardian read the record."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from proficio.frameworks.services import course_create
from proficio.interop.results.mapping import result_mapping_add
from proficio.interop.results.writer import import_results
from proficio.mastery.services import evidence_record
from proficio.pathways.advancement import gate_set
from proficio.pathways.models import Advancement
from proficio.people.models import Enrollment
from proficio.people.services import section_create
from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()


@pytest.fixture
def school(transactional_db):
    world = build_world()
    onward_course = course_create(
        district=world.district, code="W-B", title="Writing B", targets=[]
    )
    course = course_create(
        district=world.district, code="W-A", title="Writing A", targets=[(world.competency, 1)]
    )
    course.next_course = onward_course
    course.save()
    world.section.course = course
    world.section.save()
    onward = section_create(
        school=world.school, name="Studio North", course=onward_course, teachers=[world.teacher]
    )
    for days in (3, 2):  # two ratings at mastery already: the third completes the course
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(3),
            observed_at=timezone.now() - timedelta(days=days),
            source="observation",
        )
    gate_set(
        actor=world.district_admin,
        district_id=world.district.pk,
        mode="required",
        threshold=Decimal(3),
    )
    result_mapping_add(
        actor=world.district_admin,
        district=world.district,
        assessment="State Writing",
        band="Meets",
        competency=world.competency,
        stage=1,
        level=Decimal(3),
    )
    return world, onward


def test_a_student_advances_upon_mastery(school, new_page, screenshot, tmp_path):
    world, onward = school
    student = world.student

    teacher = new_page()
    sign_in(teacher, "teacher")
    teacher.goto(f"/students/{student.uuid}/competencies/{world.competency.uuid}/")
    teacher.locator("label.level-option").filter(has_text="Proficient").click()
    teacher.get_by_role("button", name="Save rating").click()
    expect(teacher.locator(".evidence-list .evidence")).to_have_count(3)

    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    proposal = teacher.get_by_role("link", name=f"{student.display_name} — Writing A")
    expect(proposal).to_be_visible()
    screenshot(teacher, "today")
    proposal.click()
    teacher.get_by_role("button", name="Confirm the student is ready").click()
    expect(teacher.get_by_text(re.compile("Confirmed by"))).to_be_visible()

    pupil = new_page(width=390, height=844)
    sign_in(pupil, "student")
    pupil.get_by_role("link", name="Next steps").click()
    expect(pupil.get_by_text("Ready to move on from Writing A?")).to_be_visible()
    screenshot(pupil, "next-steps")
    pupil.get_by_role("link", name="See the record").click()
    pupil.get_by_role("button", name="I am ready").click()
    expect(pupil.get_by_text(re.compile("said “I am ready”"))).to_be_visible()

    teacher.reload()
    expect(
        teacher.get_by_text(re.compile("asks for a standardized result of at least 3"))
    ).to_be_visible()
    decide = teacher.locator("section").filter(has=teacher.get_by_role("heading", name="Decide"))
    decide.get_by_label("Advance").check()
    decide.get_by_label("Section of the next course").select_option(str(onward.uuid))
    decide.get_by_label(re.compile("Why")).fill(
        "Every target of Writing A is mastered, and the recent work is strong."
    )
    decide.get_by_role("button", name="Record the decision").click()
    refused = teacher.get_by_role("status").get_by_text(re.compile("none is recorded yet"))
    expect(refused).to_be_visible()
    assert not Enrollment.objects.filter(section=onward, student=student).exists()

    results = tmp_path / "results.csv"
    day = timezone.localdate().isoformat()
    results.write_text(
        f"student,assessment,date,score,band\nstudent,State Writing,{day},241,Meets\n"
    )
    import_results(path=results, source="results.csv", district=world.district, actor=None)

    teacher.goto(f"/pathways/advancements/{Advancement.objects.get(student=student).uuid}")
    decide = teacher.locator("section").filter(has=teacher.get_by_role("heading", name="Decide"))
    decide.get_by_label("Advance").check()
    decide.get_by_label("Section of the next course").select_option(str(onward.uuid))
    decide.get_by_label(re.compile("Why")).fill(
        "Every target of Writing A is mastered, and the state result confirms it."
    )
    decide.get_by_role("button", name="Record the decision").click()
    expect(teacher.get_by_text("The decision is recorded.")).to_be_visible()
    expect(teacher.get_by_text("Now in Studio North.")).to_be_visible()
    screenshot(teacher, "advancement-record")
    assert Enrollment.objects.get(section=onward, student=student).active

    pupil.get_by_role("link", name="Next steps").click()
    expect(pupil.get_by_text("Advanced from Writing A")).to_be_visible()
    family = new_page(width=390, height=844)
    sign_in(family, "guardian")
    family.goto(f"/pathways/students/{student.uuid}/next/")
    expect(family.get_by_text("Advanced from Writing A")).to_be_visible()
    family.get_by_role("link", name="See the record").click()
    expect(family.get_by_text("Now in Studio North.")).to_be_visible()
