"""The gradebook a page at a time: paging, sorting and filtering over the whole section in
SQL, addresses that keep them, an audit of the students shown, and a query count that does
not grow with the section."""

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Competency
from proficio.mastery.models import WorkingStage
from proficio.people.models import Enrollment, Person, Role, RoleAssignment
from tests.factories import World
from tests.mastery.test_pace import graded_competency

pytestmark = pytest.mark.django_db


def add_students(world: World, count: int, *, stage_of=None) -> list[Person]:
    """`count` students enrolled in the world's section, named "Paged 0000" upwards; with
    `stage_of(n)`, each gets that working stage on the world's competency (0: no record,
    None: completed). Inserted in bulk: the services would take minutes for hundreds."""
    made = Person.objects.bulk_create(
        Person(
            username=f"paged{n:04d}",
            first_name="Paged",
            last_name=f"{n:04d}",
            password="!",
            district=world.district,
            age_grade=3,
            uuid=uuid.uuid4(),
        )
        for n in range(count)
    )
    students = list(
        Person.objects.filter(username__in=[p.username for p in made]).order_by("last_name")
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(person=s, role=Role.STUDENT, district=world.district, school=world.school)
        for s in students
    )
    Enrollment.objects.bulk_create(Enrollment(section=world.section, student=s) for s in students)
    if stage_of is not None:
        now = timezone.now()
        WorkingStage.objects.bulk_create(
            WorkingStage(
                student=student,
                competency=world.competency,
                ordinal=stage_of(n),
                updated_at=now,
            )
            for n, student in enumerate(students)
            if stage_of(n) != 0
        )
    return students


def gradebook_url(world: World) -> str:
    return reverse("mastery:gradebook", args=[world.section.uuid])


def rows_of(html: str) -> list[str]:
    """The students' names in the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)


def paged_names(html: str) -> list[str]:
    return [name for name in rows_of(html) if name.startswith("Paged")]


def get(client, world, **query) -> str:
    client.force_login(world.teacher)
    response = client.get(gradebook_url(world), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def small_pages(settings):
    settings.PROFICIO_GRADEBOOK_PAGE_SIZE = 5


def test_a_page_shows_the_page_size_in_name_order_and_links_the_others(client, world, small_pages):
    add_students(world, 12)
    enrolled = Person.objects.filter(enrollment__section=world.section).count()
    first = get(client, world)
    assert len(rows_of(first)) == 5
    assert rows_of(first) == sorted(rows_of(first), key=lambda name: name.split()[-1])
    assert f"Showing 1–5 of {enrolled}." in first
    assert 'aria-current="page" aria-label="Page 1, current"' in first
    assert 'href="?page=2" aria-label="Page 2"' in first
    assert 'href="?page=2" rel="next"' in first
    last_page = -(-enrolled // 5)
    last = get(client, world, page=last_page)
    assert len(rows_of(last)) == enrolled - 5 * (last_page - 1)
    assert 'rel="next"' not in last
    # Every student appears on exactly one page.
    seen = [name for n in range(1, last_page + 1) for name in rows_of(get(client, world, page=n))]
    assert len(seen) == len(set(seen)) == enrolled


def test_a_page_beyond_the_last_or_not_a_number_shows_a_real_page(client, world, small_pages):
    add_students(world, 7)
    assert rows_of(get(client, world, page="abc")) == rows_of(get(client, world))
    assert rows_of(get(client, world, page=999)) == rows_of(get(client, world, page=3))


def test_sorting_by_name_descending_is_marked_on_the_header(client, world, small_pages):
    add_students(world, 12)
    content = get(client, world, sort="-name", q="Paged")
    assert rows_of(content) == [f"Paged {n:04d}" for n in (11, 10, 9, 8, 7)]
    assert 'class="gradebook__corner" aria-sort="descending"' in content
    # The page links keep the sort.
    assert 'href="?q=Paged&amp;sort=-name&amp;page=2" rel="next"' in content


def test_sorting_by_a_competencys_stage_orders_the_whole_section(client, world, small_pages):
    # Stage 3, 2, 1, completed, no record, repeating: the furthest along are spread out.
    stages = [3, 2, 1, None, 0]
    add_students(world, 10, stage_of=lambda n: stages[n % 5])
    competency = str(world.competency.uuid)
    content = get(client, world, sort="-stage", competency=competency, q="Paged")
    # Descending: the two who completed, then stage 3, then stage 2 (by name within a stage).
    assert paged_names(content) == [f"Paged {n:04d}" for n in (3, 8, 0, 5, 1)]
    assert 'aria-sort="descending"><a href="?q=Paged&amp;competency=' in content
    ascending = get(client, world, sort="stage", competency=competency, q="Paged")
    assert paged_names(ascending) == [f"Paged {n:04d}" for n in (4, 9, 2, 7, 1)]


def test_the_name_search_finds_students_beyond_the_first_page(client, world, small_pages):
    add_students(world, 30)
    content = get(client, world, q="0027")
    assert rows_of(content) == ["Paged 0027"]
    assert "1 student matches." in content


def test_the_stage_filter_keeps_the_students_at_that_stage(client, world, small_pages):
    stages = [3, 2, 1, None, 0]
    add_students(world, 10, stage_of=lambda n: stages[n % 5])
    competency = str(world.competency.uuid)
    assert paged_names(get(client, world, competency=competency, stage="2")) == [
        "Paged 0001",
        "Paged 0006",
    ]
    assert paged_names(get(client, world, competency=competency, stage="completed")) == [
        "Paged 0003",
        "Paged 0008",
    ]
    no_record = paged_names(get(client, world, competency=competency, stage="none", q="Paged"))
    assert no_record == ["Paged 0004", "Paged 0009"]
    # Without a competency the stage filter has nothing to read: everyone shows.
    assert "Paged 0000" in get(client, world, stage="2")


def test_cells_link_to_the_students_evidence_from_the_section(client, world, small_pages):
    students = add_students(world, 1, stage_of=lambda n: 2)
    content = get(client, world, q="Paged")
    url = reverse(
        "mastery:student_competency",
        kwargs={"student_id": students[0].uuid, "competency_id": world.competency.uuid},
    )
    href = f"{url}?section={world.section.uuid}"
    assert f'id="cell-{students[0].uuid}-{world.competency.uuid}"' in content
    assert f'href="{href}" hx-get="{href}"' in content


def test_the_audit_records_the_students_shown_on_the_page(client, world, small_pages):
    add_students(world, 12)
    content = get(client, world, page=2)
    shown = set(rows_of(content))
    listed = AuditEntry.objects.filter(action="students.listed", actor=world.teacher)
    assert {entry.student.display_name for entry in listed} == shown
    assert all(entry.data["page_number"] == 2 for entry in listed)


def test_page_links_keep_the_filters_in_the_address(client, world, small_pages):
    add_students(world, 12)
    content = get(client, world, q="Paged", sort="-name")
    next_href = re.search(r'href="([^"]+)" rel="next"', content).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_href).query) == {"q": ["Paged"], "sort": ["-name"], "page": ["2"]}


def queries_for(client, world, **query) -> int:
    client.force_login(world.teacher)
    client.get(gradebook_url(world), query)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(gradebook_url(world), query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query", [{}, {"sort": "-stage", "q": "Paged"}, {"page": "2", "stage": "2"}], ids=str
)
def test_the_gradebook_reads_as_much_for_500_students_as_for_10(client, world, query):
    stages = [3, 2, 1, None, 0]
    add_students(world, 10, stage_of=lambda n: stages[n % 5])
    if "stage" in query or "sort" in query:
        query = {**query, "competency": str(world.competency.uuid)}
    small = queries_for(client, world, **query)
    Enrollment.objects.filter(section=world.section, student__username__startswith="paged").delete()
    Person.objects.filter(username__startswith="paged").delete()
    add_students(world, 500, stage_of=lambda n: stages[n % 5])
    large = queries_for(client, world, **query)
    assert large == small


def heads_of(html: str) -> list[str]:
    """The competency codes of the table's columns, in order."""
    return re.findall(r'<span class="gradebook__code">([^<]+)</span>', html)


@pytest.fixture
def many_competencies(world, settings):
    """12 competencies more than the world's, five columns a page."""
    settings.PROFICIO_GRADEBOOK_COLUMNS = 5
    add_students(world, 12)
    return [graded_competency(world, f"Z{number:02d}") for number in range(12)]


def test_competencies_run_over_pages_of_columns_that_keep_the_students_page(
    client, world, many_competencies, small_pages
):
    first = get(client, world)
    every = heads_of(first)
    assert len(every) == 5
    total = len(Competency.objects.filter(framework__district=world.district))
    assert f"Competencies 1–5 of {total}" in first
    assert 'href="?cols=2" rel="next"' in first
    seen = []
    pages = -(-total // 5)
    for number in range(1, pages + 1):
        seen += heads_of(get(client, world, cols=number))
    assert len(seen) == len(set(seen)) == total
    # Beyond the last page of columns, or not a number: a real page.
    assert heads_of(get(client, world, cols=99)) == heads_of(get(client, world, cols=pages))
    assert heads_of(get(client, world, cols="x")) == every
    # The students' pages and the headers' sorts keep the columns; the filters keep them too.
    second = get(client, world, cols=2)
    assert 'href="?page=2&amp;cols=2" aria-label="Page 2"' in second
    assert '<input type="hidden" name="cols" value="2">' in second
    on_page_two = get(client, world, cols=2, page=2)
    assert 'href="?page=2" rel="prev"' in on_page_two and 'href="?page=2&amp;cols=3"' in on_page_two


def test_the_gradebook_reads_as_much_for_40_competencies_as_for_one_page_of_them(
    client, world, settings
):
    settings.PROFICIO_GRADEBOOK_COLUMNS = 5
    add_students(world, 30)
    few = queries_for(client, world)
    for number in range(40):
        graded_competency(world, f"Y{number:02d}")
    assert queries_for(client, world) == few
    assert queries_for(client, world, cols=4) == few
