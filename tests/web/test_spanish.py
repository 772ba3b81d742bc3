"""Every student and family page reads in Spanish: each is rendered in English and in
Spanish, and a piece of text that comes out the same in both and reads as English (it holds
a common English word) is a string nobody translated. The data the pages show is written
so as not to read as English; a person's language choice outlives their browser's.

Covered: the family page; every page of goals, portfolios and conferences; the progress
pages with the explanations of how mastery was worked out (stored in English, worded anew
for a Spanish reader) and each competency's progress over time; next steps, the progress
report and transcript, the student's tasks and work, examples of quality work, the account
and sign-in pages; for the student and the guardian."""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.conferences import conference_draft, conference_record, conference_share
from proficio.agency.services import check_in_record, goal_write, piece_add
from proficio.mastery.services import evidence_record
from proficio.people.api import mentorship_begin
from proficio.reports.credentials import record_link_create
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db

# Words of English that no Spanish sentence holds: a text with one of them is English.
ENGLISH = re.compile(
    r"\b(the|your|and|of|to|is|on|with|for|you|my|what|has|at|it|this|from|be|are|will|"
    r"or|by|an|in|they|their|how|when|here|there|yet|all|more|see|add|set|read|who|which|"
    r"goal|goals|work|step|steps|next|back|save|share|page|week)\b",
    re.IGNORECASE,
)
SKIPPED = {"script", "style"}


class _Texts(HTMLParser):
    """The text a reader meets: text nodes, and the words of labels, titles and placeholders."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skip += 1
        for name, value in attrs:
            if name in {"aria-label", "placeholder", "title", "alt"} and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def untranslated(client: Client, url: str) -> list[str]:
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert english.status_code == spanish.status_code == 200, (url, spanish.status_code)
    assert 'lang="es"' in spanish.content.decode() or url.endswith("/present")
    same = set(texts(english.content.decode()))
    return sorted(
        text for text in texts(spanish.content.decode()) if text in same and ENGLISH.search(text)
    )


@pytest.fixture
def lived(world):
    """A term's worth of the student's agency, with data that does not read as English."""
    policy(world, "latest", minimum_evidence=1)
    rating = evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(4),
        observed_at=timezone.now() - timedelta(days=2),
        source="observation",
        feedback_next="Citar una fuente.",
    )
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    goal = goal_write(
        actor=world.student,
        student=world.student,
        title="Argumentar con evidencia",
        competency=world.competency,
        stage=2,
        steps=["Leer dos textos", "Escribir tres razones"],
    )
    check_in_record(
        mentor=world.other_teacher,
        student=world.student,
        happened_on=timezone.localdate(),
        notes="Hablamos.",
        actions="Buscar fuentes.",
        goals=[goal],
    )
    piece = piece_add(
        student=world.student,
        title="Mi cartel",
        reflection="Colores.",
        competencies=[world.competency],
        upload=SimpleUploadedFile("cartel.pdf", b"%PDF-1.7\n%cartel\n"),
        shared_with_family=True,
        baseline=True,
    )
    piece_add(student=world.student, title="Calificado", evidence=rating, shared_with_family=True)
    conference = conference_draft(student=world.student)
    conference_share(student=world.student, conference=conference)
    conference_record(
        actor=world.other_teacher, conference=conference, notes="Bien.", next_steps=["Leer más"]
    )
    return world, goal, piece, conference


def as_user(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_family_pages_read_in_spanish(lived):
    world, goal, piece, conference = lived
    guardian = as_user(world.guardian)
    student = world.student.uuid
    for url in (
        reverse("guardian_home"),
        reverse("agency:student_goals", args=[student]),
        reverse("agency:goal", args=[goal.uuid]),
        reverse("agency:student_portfolio", args=[student]),
        reverse("agency:piece", args=[piece.uuid]),
        reverse("agency:student_conferences", args=[student]),
        reverse("agency:conference", args=[conference.uuid]),
        reverse("agency:conference_present", args=[conference.uuid]),
    ):
        assert untranslated(guardian, url) == [], url


def test_the_students_agency_pages_read_in_spanish(lived):
    world, goal, piece, conference = lived
    student = as_user(world.student)
    for url in (
        reverse("agency:goals"),
        reverse("agency:goal_new"),
        reverse("agency:goal", args=[goal.uuid]),
        reverse("agency:goal_edit", args=[goal.uuid]),
        reverse("agency:portfolio"),
        reverse("agency:piece_new"),
        reverse("agency:piece", args=[piece.uuid]),
        reverse("agency:conferences"),
        reverse("agency:conference", args=[conference.uuid]),
        reverse("agency:conference_script", args=[conference.uuid]),
        reverse("agency:conference_present", args=[conference.uuid]),
    ):
        assert untranslated(student, url) == [], url


def test_a_persons_choice_outlives_their_browsers_language(world):
    client = as_user(world.guardian)
    page = reverse("guardian_home")
    assert 'lang="en"' in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    switched = client.post(reverse("language"), {"language": "es", "next": page})
    assert switched.status_code == 302 and switched["Location"] == page
    world.guardian.refresh_from_db()
    assert world.guardian.language == "es"
    fresh = as_user(world.guardian)  # another device, an English browser
    shown = fresh.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="es"' in shown and "Mis hijos" in shown
    away = client.post(reverse("language"), {"language": "es", "next": "https://evil.example/"})
    assert away["Location"] == "/"


@pytest.fixture
def studied(lived):
    """The student's work on a task, reviewed, and a playlist of their stage; the framework's
    words in Spanish, as a Spanish-speaking district would write them."""
    from proficio.frameworks.models import EvidenceStatement, Stage
    from proficio.pathways.data import ItemDraft, StageRef
    from proficio.pathways.services import playlist_create
    from proficio.work.data import Alignment, WorkRating
    from proficio.work.services import review_record, revision_save, task_assign, task_create

    world, _goal, _piece, _conference = lived
    EvidenceStatement.objects.update(text="Puede hacerlo.")
    Stage.objects.filter(competency=world.competency).update(label="Etapa")
    task = task_create(
        author=world.teacher,
        title="Razones",
        instructions="Escribe tres razones.",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision = revision_save(student=world.student, task=task, text="Porque sí.", submit=True)
    review_record(
        reviewer=world.teacher,
        revision=revision,
        decision="revise",
        ratings=[
            WorkRating(
                competency=world.competency,
                stage=2,
                level=Decimal(2),
                feedback_next="Agrega evidencia.",
            )
        ],
    )
    playlist_create(
        author=world.teacher,
        stage=StageRef(world.competency, 2),
        title="Lecturas",
        items=[
            ItemDraft(kind="reading", title="Leer", minutes=10),
            ItemDraft(kind="practice", title="Practicar", unlock="after_previous"),
        ],
    )
    return world, task, revision


def test_the_students_work_and_next_steps_read_in_spanish(studied):
    world, task, revision = studied
    student = as_user(world.student)
    for url in (
        reverse("mastery:student", args=[world.student.uuid]),
        reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid]),
        reverse("mastery:student_trajectory", args=[world.student.uuid, world.competency.uuid]),
        reverse("pathways:next_steps"),
        reverse("reports:progress", args=[world.student.uuid]),
        reverse("reports:transcript", args=[world.student.uuid]),
        reverse("work:home"),
        reverse("work:my_work", args=[task.uuid]),
        reverse("work:submission", args=[revision.submission.uuid]),
        reverse("account"),
    ):
        assert untranslated(student, url) == [], url
    guardian = as_user(world.guardian)
    for url in (
        reverse("mastery:student", args=[world.student.uuid]),
        reverse("mastery:student_trajectory", args=[world.student.uuid, world.competency.uuid]),
        reverse("pathways:student_next_steps", args=[world.student.uuid]),
        reverse("reports:progress", args=[world.student.uuid]),
        reverse("reports:transcript", args=[world.student.uuid]),
        reverse("work:submission", args=[revision.submission.uuid]),
        reverse("account"),
    ):
        assert untranslated(guardian, url) == [], url


def test_a_students_examples_of_quality_read_in_spanish(studied):
    from proficio.calibration.api import exemplar_confirm, exemplar_propose

    world, _task, _revision = studied
    exemplar = exemplar_propose(
        actor=world.teacher,
        student=world.classmate,
        text="Un texto con tres razones.",
        competency=world.competency,
        stage=2,
        level=Decimal(3),
        title="Tres razones",
        annotation="Da tres razones claras.",
        missing="Una fuente citada.",
        consent="policy",
    )
    exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)
    student = as_user(world.student)
    for url in (
        reverse("calibration:examples"),
        reverse("calibration:exemplar", args=[exemplar.uuid]),
    ):
        assert untranslated(student, url) == [], url


def test_signing_in_reads_in_spanish(client):
    assert untranslated(client, reverse("login")) == []


def test_a_form_sent_back_says_what_is_wrong_in_spanish(world):
    client = as_user(world.student)
    response = client.post(
        reverse("agency:goal_new"),
        {"title": "Leer más", "competency": str(world.competency.uuid), "stage": "9"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 422
    assert "W1 no tiene etapa 9." in response.content.decode()


def test_explanations_are_kept_in_english_and_worded_for_each_reader(world):
    from proficio.mastery.models import MasteryRecord

    policy(world, "latest", minimum_evidence=1)
    teacher = as_user(world.teacher)
    url = reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    form = {
        "stage": "1",
        "level": "3",
        "observed_on": timezone.localdate().isoformat(),
        "source": "observation",
    }
    assert teacher.post(url, form, HTTP_ACCEPT_LANGUAGE="es").status_code == 302
    stored = MasteryRecord.objects.get(student=world.student, stage__ordinal=1).explanation
    assert stored.startswith("Method: Most recent rating.")
    student = as_user(world.student)
    spanish = student.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Método: Calificación más reciente." in spanish
    english = student.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Method: Most recent rating." in english


def test_the_engines_words_follow_the_readers_language():
    from django.utils import translation

    from proficio.engine import evaluate
    from proficio.engine.pace import StageGrade, classify

    def reason():
        return classify(
            stages=[StageGrade(1, 3), StageGrade(2, 4)],
            age_grade=4,
            working_stage=1,
            completed=False,
        ).reason

    assert reason() == "Working at stage 1; stage 2 is typical for grade 4 — behind."
    with translation.override("es"):
        assert reason() == "Trabaja en la etapa 1; la etapa 2 es la típica de grado 4: atrasado."
        explained = evaluate(
            method="latest",
            scores=[2.0],
            observed=[timezone.localdate()],
            threshold=3,
            minimum_evidence=2,
        ).explanation
    assert explained.startswith("Todavía no hay evidencia suficiente: 1 de las 2 calificaciones")


def test_a_domains_rollup_reads_in_spanish():
    from django.utils import translation

    from proficio.engine.rules import ChildResult, rollup_points

    parts = [ChildResult("W1", 3.0, True, points=2, required=True), ChildResult("W2", 2.0, False)]
    with translation.override("es"):
        explained = rollup_points(parts, base=3).explanation
    assert explained.startswith("Regla: el dominio requiere todas las partes obligatorias")
    assert "Todavía no dominada: todavía necesita 1 punto más." in explained


def test_the_advancement_record_and_the_password_pages_read_in_spanish(world):
    from proficio.frameworks.services import course_create
    from proficio.pathways.advancement import advancement_accelerate, advancement_decide

    course = course_create(
        district=world.district, code="E-A", title="Escritura", targets=[(world.competency, 1)]
    )
    world.section.course = course
    world.section.save()
    advancement = advancement_accelerate(
        actor=world.teacher, student=world.student, note="Listo antes de tiempo."
    )
    advancement_decide(
        actor=world.teacher,
        advancement=advancement,
        decision="not_yet",
        rationale="Todavía no.",
        next_steps="Seguir leyendo.",
    )
    for person in (world.student, world.guardian):
        client = as_user(person)
        for url in (
            reverse("pathways:advancement", args=[advancement.uuid]),
            reverse("password_change"),
            reverse("password_reset"),
        ):
            assert untranslated(client, url) == [], (person, url)


def test_numbers_in_sentences_take_the_readers_decimal_mark():
    from django.utils import translation

    from proficio.lib.numbers import localized_decimals

    sentence = "(2 + 3) ÷ 2 = 2.5 on 6 Dec 2026; stage 3."
    assert localized_decimals(sentence) == sentence
    with translation.override("es"):
        assert localized_decimals(sentence) == "(2 + 3) ÷ 2 = 2,5 on 6 Dec 2026; stage 3."


def test_a_refused_file_says_why_in_spanish(studied):
    world, task, _revision = studied
    response = as_user(world.student).post(
        reverse("work:my_work", args=[task.uuid]),
        {
            "text": "Otra versión",
            "files": SimpleUploadedFile("notas.txt", b"\x00\x01binario"),
            "action": "draft",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "notas.txt no es un tipo de archivo que Proficio guarde." in response.content.decode()


def test_the_learner_record_page_reads_in_spanish(world):
    record_link_create(actor=world.student, student=world.student)
    url = reverse("records:record", args=[world.student.uuid])
    assert untranslated(as_user(world.student), url) == []
    assert untranslated(as_user(world.guardian), url) == []
