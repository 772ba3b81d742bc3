"""Every page reads what it shows: its query count stays the same as a section grows from ten
students to hundreds, and the cell panel's as the student's competencies grow.

The students beyond the world's are inserted in bulk (the services would take minutes for
hundreds) and their mastery computed by the district's bulk recompute, as a district's
nightly roster sync and recompute would leave them.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.mastery.services import evidence_record, recompute_run_begin, recompute_run_execute
from proficio.people.models import Enrollment, GuardianLink, Person, Role, RoleAssignment
from proficio.people.services import guardian_link
from tests.api.client import Api, rating, token_for
from tests.factories import World, make_competency

SMALL, LARGE = 10, 200


def add_students(world: World, count: int) -> list[Person]:
    """`count` more students in the world's section, each with two ratings on every
    competency, their mastery brought up to date by the bulk recompute."""
    start = Person.objects.count()
    students = Person.objects.bulk_create(
        Person(
            username=f"bulk{start + n}",
            first_name="Bulk",
            last_name=f"Student {start + n:05d}",
            password="!",
            district=world.district,
            age_grade=n % 4,
            uuid=uuid.uuid4(),
        )
        for n in range(count)
    )
    students = list(Person.objects.filter(username__in=[s.username for s in students]))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(person=s, role=Role.STUDENT, district=world.district, school=world.school)
        for s in students
    )
    Enrollment.objects.bulk_create(Enrollment(section=world.section, student=s) for s in students)
    now = timezone.now()
    Evidence.objects.bulk_create(
        Evidence(
            student=student,
            competency=competency,
            stage=competency.stages.get(ordinal=1),
            level=Decimal(level),
            observed_at=now - timedelta(days=days_ago),
            source="observation",
            assessor=world.teacher,
        )
        for student in students
        for competency in world.framework.competencies.all()
        for level, days_ago in ((2, 60), (3, 30))
    )
    recompute_run_execute(run=recompute_run_begin(district=world.district))
    return students


@pytest.fixture
def grown(world: World) -> World:
    """The world with three competencies, its student rated on each by hand, and a section
    of SMALL students (those of the world included)."""
    make_competency(world.framework, "W2")
    make_competency(world.framework, "W3")
    for competency in world.framework.competencies.all():
        for level, days_ago in ((2, 20), (3, 10)):
            evidence_record(
                assessor=world.teacher,
                student=world.student,
                competency=competency,
                stage=1,
                level=level,
                observed_at=timezone.now() - timedelta(days=days_ago),
                source="observation",
            )
    add_students(world, SMALL - 2)
    return world


def queries(ask: Callable[[], object]) -> int:
    """How many queries one request makes, after one unmeasured request warms caches."""
    ask()
    with CaptureQueriesContext(connection) as captured:
        response = ask()
    assert response.status_code < 400, response.status_code
    return len(captured)


def signed_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def assert_flat(world: World, ask: Callable[[], object], *, budget: int) -> int:
    """The same count for SMALL and LARGE students, and no more than `budget`: what each page
    reads now that it reads what it shows (the counts before are in the comments)."""
    small = queries(ask)
    add_students(world, LARGE - SMALL)
    large = queries(ask)
    assert large == small, f"{small} queries with {SMALL} students, {large} with {LARGE}"
    assert small <= budget, f"{small} queries, more than the {budget} this page needs"
    return small


def cell_panel(world: World, client: Client, competency=None):
    competency = competency or world.competency
    url = reverse(
        "mastery:student_competency",
        kwargs={"student_id": world.student.uuid, "competency_id": competency.uuid},
    )
    return lambda: client.get(url, {"section": world.section.uuid}, HTTP_HX_REQUEST="true")


def test_cell_panel_reads_as_much_for_a_large_section(grown):
    # 55 before: every competency's status and pace, the student read five times.
    # One more since: which ratings shown the teacher may correct or withdraw; and one for
    # the files kept with the ratings, read for all of them at once.
    assert_flat(grown, cell_panel(grown, signed_in(grown.teacher)), budget=22)


def test_cell_panel_reads_one_competency_however_many_the_student_has(grown):
    client = signed_in(grown.teacher)
    three = queries(cell_panel(grown, client))
    for code in ("W4", "W5", "W6"):
        make_competency(grown.framework, code)
    assert queries(cell_panel(grown, client)) == three


def test_student_page_reads_as_much_for_a_large_section(grown):
    url = reverse("mastery:student", kwargs={"student_id": grown.student.uuid})
    client = signed_in(grown.teacher)
    # 35 before: the roles read for each rule, the student and competencies read again for pace.
    assert_flat(grown, lambda: client.get(url), budget=21)


def test_guardian_page_reads_as_much_for_more_children_and_a_large_section(grown):
    client = signed_in(grown.guardian)
    url = reverse("guardian_home")
    one_child = queries(lambda: client.get(url))
    for sibling in add_students(grown, 3):
        guardian_link(guardian=grown.guardian, student=sibling)
    assert GuardianLink.objects.filter(guardian=grown.guardian).count() == 4
    # 18 before for one child, 57 for four: each child's mastery read on its own. Since
    # the page says whether each child is on track, it reads pace (stored facts, policies,
    # expectations, schools), the teachers' latest work and each child's teachers, once
    # for all the children. 20 since the page is audited: one insert for every child, in
    # a savepoint of its own (so a failing audit write never breaks the page). 21 since it
    # lists the children's recent work: one query for all of them (more when there is work,
    # still the same for every number of children). 23 since it shows each child's goals and
    # their latest conference: one query for the goals, one for the conferences (more when
    # there are goals, still the same for every number of children). 24 since it says whether
    # the guardian gets the weekly email; 25 since it lists each child's newest shared pieces;
    # 26 since it asks, once for all the children, whose teachers' words the district keeps
    # from families.
    count = assert_flat(grown, lambda: client.get(url), budget=26)
    assert count == one_child


def test_teacher_home_reads_as_much_for_a_large_section(grown):
    client = signed_in(grown.teacher)
    # 23 before: the roles read for each rule. 17 read every student's pace; 19 rule out in
    # SQL who cannot be stalled (the expectations, the policies) and read the rest only.
    assert_flat(grown, lambda: client.get(reverse("home")), budget=19)


def test_mastery_api_reads_as_much_for_a_large_section(grown):
    api = Api(token_for("teacher"))
    # 13 before.
    assert_flat(grown, lambda: api.get(f"/students/{grown.student.uuid}/mastery"), budget=11)


def test_posting_evidence_reads_as_much_for_a_large_section(grown):
    api = Api(token_for("teacher"))
    # 28 before: the roles read for each rule, the stages read again to find the one rated.
    # One more since: the first day the student's work can date from (enrolment, sessions);
    # and one for the evidence statements the work shows, given back in the answer; and one
    # asking whether the district's webhooks want the rating (ADR 0047).
    assert_flat(grown, lambda: api.post("/evidence", rating(grown)), budget=25)


def test_rating_in_the_cell_panel_reads_as_much_for_a_large_section(grown):
    client = signed_in(grown.teacher)
    url = reverse(
        "mastery:student_competency",
        kwargs={"student_id": grown.student.uuid, "competency_id": grown.competency.uuid},
    )
    form = {
        "stage": 1,
        "level": "3",
        "observed_on": timezone.localdate().isoformat(),
        "source": "observation",
    }
    # 95 before: the whole section's gradebook read to redraw the one cell rated.
    # Two more since: the student's first day of work, and the ratings they may correct;
    # one more for the files kept with the ratings shown, read for all of them at once.
    assert_flat(
        grown,
        lambda: client.post(f"{url}?section={grown.section.uuid}", form, HTTP_HX_REQUEST="true"),
        budget=42,  # one asks whether the district's webhooks want the rating (ADR 0047)
    )
