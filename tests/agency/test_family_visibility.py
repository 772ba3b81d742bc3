"""What families see, surface by surface (a design choice, issue 16 item 6): a district admin
chooses on its page; with `progress`, a guardian reads no teacher's written feedback — not on
the family page, the work, next steps, the progress report, in the weekly email or through the
API — while the student reads all of it; with `full` (the default) the family reads it."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdfium2
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.digest import digests_send
from proficio.mastery.services import evidence_record
from proficio.people.api import FamilyVisibility, family_visibility_of, family_visibility_set
from proficio.people.models import Person, Role
from proficio.work.data import Alignment, WorkRating
from proficio.work.models import Submission
from proficio.work.services import (
    comment_add,
    review_record,
    revision_save,
    task_assign,
    task_create,
)
from tests.api.client import Api, token_for
from tests.factories import make_person
from tests.mastery.varied import policy
from tests.web.test_spanish import untranslated

pytestmark = pytest.mark.django_db

SETTINGS = reverse("agency:family_settings")
RATING_WORDS = ("Names two causes clearly.", "Quote a source for each reason.")
REVIEW_WORDS = ("A strong opening paragraph.", "Add a counterclaim.")
THREAD_WORDS = "Look again at your second paragraph."
EVERY_WORD = (*RATING_WORDS, *REVIEW_WORDS, THREAD_WORDS)


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def work(world) -> Submission:
    """A rating with both kinds of words, reviewed work with both and a teacher's message."""
    Person.objects.filter(pk=world.guardian.pk).update(email="grace@example.org")
    world.guardian.refresh_from_db()
    policy(world, "latest", minimum_evidence=1)
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=2),
        source="observation",
        feedback_present=RATING_WORDS[0],
        feedback_next=RATING_WORDS[1],
    )
    task = task_create(
        author=world.teacher,
        title="Inundaciones",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision = revision_save(student=world.student, task=task, text="Mi ensayo", submit=True)
    review_record(
        reviewer=world.teacher,
        revision=revision,
        decision="revise",
        ratings=[
            WorkRating(
                competency=world.competency,
                stage=2,
                level=Decimal(2),
                feedback_present=REVIEW_WORDS[0],
                feedback_next=REVIEW_WORDS[1],
            )
        ],
    )
    submission = Submission.objects.get()
    comment_add(author=world.teacher, submission=submission, text=THREAD_WORDS)
    return submission


def withhold(world) -> None:
    family_visibility_set(
        actor=world.district_admin, district=world.district, visibility="progress"
    )


def page(person, url_name: str, *args) -> str:
    response = client_for(person).get(reverse(url_name, args=args))
    assert response.status_code == 200, (url_name, response.status_code)
    return response.content.decode()


def shown(text: str) -> set[str]:
    return {words for words in EVERY_WORD if words in text}


# ---- the setting's page ----------------------------------------------------------------------


def test_the_district_admin_chooses_on_the_page(world):
    admin = client_for(world.district_admin)
    text = admin.get(SETTINGS).content.decode()
    assert "What do families see of their children" in text
    assert 'value="full"' in text and 'value="progress"' in text
    response = admin.post(SETTINGS, {"visibility": "progress"})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    assert family_visibility_of(world.district.pk) == FamilyVisibility.PROGRESS
    assert "Saved what families see." in admin.get(SETTINGS).content.decode()


@pytest.mark.parametrize("data", [{}, {"visibility": "everything"}])
def test_a_choice_not_offered_is_refused(world, data):
    response = client_for(world.district_admin).post(SETTINGS, data)
    assert response.status_code == 422
    assert "Choose one of the two." in response.content.decode()
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL


@pytest.mark.parametrize(
    "who", ["school_admin", "teacher", "student", "guardian", "other_district_teacher"]
)
def test_everyone_else_finds_no_such_page(world, who):
    client = client_for(getattr(world, who))
    assert client.get(SETTINGS).status_code == 404
    assert client.post(SETTINGS, {"visibility": "progress"}).status_code == 404
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL


def test_another_districts_admin_sets_only_their_own(world):
    elsewhere = world.other_district_teacher.district
    their_admin = make_person(elsewhere, "elsewhereadmin", Role.DISTRICT_ADMIN, None)
    assert client_for(their_admin).post(SETTINGS, {"visibility": "progress"}).status_code == 302
    assert family_visibility_of(elsewhere.pk) == FamilyVisibility.PROGRESS
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL


def test_the_signed_out_sign_in_first(db):
    response = Client().get(SETTINGS)
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---- each surface ----------------------------------------------------------------------------


def test_the_family_page(world, work):
    text = page(world.guardian, "guardian_home")
    assert shown(text)  # the teacher's newest words
    assert "their teachers' newest words" in text
    withhold(world)
    text = page(world.guardian, "guardian_home")
    assert not shown(text)
    assert "The school keeps teachers' written feedback between" in text
    assert "their teachers' newest words" not in text  # nor does the weekly email


def test_the_work_and_its_conversation(world, work):
    url = ("work:submission", work.uuid)
    assert shown(page(world.guardian, *url)) == {*REVIEW_WORDS, THREAD_WORDS}
    withhold(world)
    text = page(world.guardian, *url)
    assert not shown(text)
    assert "between the student and their teachers" in text
    assert "Mi ensayo" in text and "Returned for revision" in text  # the work itself stays
    assert shown(page(world.student, *url)) == {*REVIEW_WORDS, THREAD_WORDS}
    assert shown(page(world.teacher, *url)) == {*REVIEW_WORDS, THREAD_WORDS}


def test_next_steps(world, work):
    url = ("pathways:student_next_steps", world.student.uuid)
    assert shown(page(world.guardian, *url))
    withhold(world)
    assert not shown(page(world.guardian, *url))
    assert shown(page(world.student, "pathways:next_steps"))
    assert shown(page(world.teacher, *url))


def test_the_progress_report_and_its_pdf(world, work):
    url = ("reports:progress", world.student.uuid)
    assert shown(page(world.guardian, *url))
    withhold(world)
    assert not shown(page(world.guardian, *url))
    assert shown(page(world.student, *url))
    pdf = client_for(world.guardian).get(reverse("reports:progress_pdf", args=[world.student.uuid]))
    assert pdf.status_code == 200
    document = pypdfium2.PdfDocument(io.BytesIO(pdf.content).getvalue())
    words = " ".join(" ".join(p.get_textpage().get_text_range() for p in document).split())
    assert not shown(words)


def test_the_weekly_email(world, work):
    withhold(world)
    assert digests_send() == (1, 1)  # the mastered stage is still news
    [message] = mail.outbox
    assert not shown(message.body) and not shown(message.alternatives[0][0])
    assert "From the teachers" not in message.body
    assert "Competency W1 (W1), stage 1" in message.body


def test_the_weekly_email_by_default_carries_the_teachers_words(world, work):
    assert digests_send() == (1, 1)
    [message] = mail.outbox
    assert "From the teachers" in message.body
    assert shown(message.body)


def test_the_api_a_guardian_calls_carries_no_teachers_words(world, work):
    withhold(world)
    api = Api(token_for(world.guardian.username))
    for path in (
        f"/students/{world.student.uuid}/mastery",
        f"/submissions/{work.uuid}",
        f"/students/{world.student.uuid}/goals",
        f"/students/{world.student.uuid}/playlists",
        f"/students/{world.student.uuid}/advancements",
    ):
        response = api.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert not shown(response.content.decode()), path


def test_what_a_family_reads_of_it_reads_in_spanish(world, work):
    withhold(world)
    guardian = client_for(world.guardian)
    assert untranslated(guardian, reverse("guardian_home")) == []
    home = guardian.get(reverse("guardian_home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "La escuela reserva los comentarios escritos de los maestros para" in home
    work_page = guardian.get(
        reverse("work:submission", args=[work.uuid]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "—en cada calificación y en la conversación sobre el trabajo—" in work_page
    assert "The school keeps" not in work_page


def test_the_familys_student_page_in_full_and_a_competencys_evidence(world, work):
    guardian = client_for(world.guardian)
    urls = (
        reverse("mastery:student", args=[world.student.uuid]),
        reverse("mastery:student", args=[world.student.uuid]) + "?full=1",
        reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid]),
    )
    for url in urls:
        assert shown(guardian.get(url).content.decode()), url
    withhold(world)
    for url in urls:
        response = guardian.get(url)
        assert response.status_code == 200
        assert not shown(response.content.decode()), url
    student = client_for(world.student)
    assert shown(student.get(urls[0]).content.decode())
    assert shown(student.get(urls[2]).content.decode())
