"""When work can have been done: never more than ten years ago, and not before the student's
first enrolment or the district's first school year, whichever the roster tells is earlier."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from proficio.evidence.api import EvidenceDraft, evidence_append, evidence_append_many
from proficio.evidence.models import Evidence
from proficio.lib.errors import InvalidInput
from proficio.people.api import earliest_work_days
from proficio.people.models import AcademicSession, Enrollment

pytestmark = pytest.mark.django_db


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def append(world, day: date) -> Evidence:
    return evidence_append(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=3,
        observed_at=noon(day),
        source="task",
    )


@pytest.fixture
def enrolled_two_years_ago(world) -> date:
    day = timezone.localdate() - timedelta(days=730)
    Enrollment.objects.filter(student=world.student).update(enrolled_on=day)
    return day


def test_work_before_the_first_enrolment_is_refused_with_the_day(world, enrolled_two_years_ago):
    with pytest.raises(InvalidInput) as refused:
        append(world, enrolled_two_years_ago - timedelta(days=1))
    message = refused.value.errors["observed_at"]
    assert f"before {enrolled_two_years_ago:%-d %b %Y}" in message
    assert append(world, enrolled_two_years_ago).pk


def test_an_earlier_school_year_of_the_district_allows_earlier_work(world, enrolled_two_years_ago):
    session_start = enrolled_two_years_ago - timedelta(days=365)
    AcademicSession.objects.create(
        district=world.district,
        sourced_id="y1",
        title="Year one",
        kind="schoolYear",
        starts_on=session_start,
        ends_on=session_start + timedelta(days=300),
    )
    assert earliest_work_days([world.student.pk]) == {world.student.pk: session_start}
    assert append(world, session_start).pk
    with pytest.raises(InvalidInput):
        append(world, session_start - timedelta(days=1))


def test_without_roster_dates_only_the_ten_year_rule_holds(world):
    assert earliest_work_days([world.student.pk]) == {}
    assert append(world, timezone.localdate() - timedelta(days=3000)).pk


def test_a_bulk_import_checks_every_row_against_its_students_first_day(
    world, enrolled_two_years_ago
):
    too_early = EvidenceDraft(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=3,
        observed_at=noon(enrolled_two_years_ago - timedelta(days=10)),
        source="task",
    )
    with pytest.raises(InvalidInput) as refused:
        evidence_append_many(actor=None, district_id=world.district.pk, drafts=[too_early])
    assert set(refused.value.errors) == {"0.observed_at"}
    assert not Evidence.objects.exists()
