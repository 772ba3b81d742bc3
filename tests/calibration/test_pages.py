"""The calibration pages, for every role: who opens each, the blind rule on the session
page itself, opening a session and rating from the forms, the reveal, consensus and
promotion, the library and its second person, a student's examples, practice and drift."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.calibration.models import CalibrationSession, ConsentBasis, Exemplar, PracticeRound
from proficio.calibration.services import exemplar_confirm, exemplar_propose
from tests.calibration.conftest import agree, rate

pytestmark = pytest.mark.django_db

ROLES = ("student", "guardian", "teacher", "school_admin", "district_admin")


def client_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def statuses(world, url, people=ROLES, method="get"):
    return {
        role: getattr(client_of(getattr(world, role)), method)(url).status_code for role in people
    }


@pytest.mark.parametrize(
    ("name", "opens_for"),
    [
        ("calibration:home", {"teacher", "school_admin", "district_admin"}),
        ("calibration:library", {"teacher", "school_admin", "district_admin"}),
        ("calibration:session_new", {"teacher", "school_admin", "district_admin"}),
        ("calibration:exemplar_new", {"teacher", "school_admin", "district_admin"}),
        ("calibration:drift", {"teacher", "school_admin", "district_admin"}),
        ("calibration:everyone_drift", {"school_admin", "district_admin"}),
        ("calibration:examples", {"student"}),
    ],
)
def test_who_opens_each_page(world, name, opens_for):
    url = reverse(name)
    found = statuses(world, url)
    assert found == {role: 200 if role in opens_for else 404 for role in ROLES}
    assert Client().get(url).status_code == 302  # to sign in


def test_a_session_page_opens_for_its_people_and_admins(world, session, third_teacher):
    url = reverse("calibration:session", args=[session.uuid])
    assert statuses(world, url) == {
        "student": 404,
        "guardian": 404,
        "teacher": 200,
        "school_admin": 200,
        "district_admin": 200,
    }
    assert client_of(world.other_district_teacher).get(url).status_code == 404
    assert client_of(world.classmate).get(url).status_code == 404


def test_the_session_page_is_blind_until_the_teacher_submits(world, session, third_teacher):
    rate(session, world.other_teacher, [3, 3, 1], why="Otherteacher thinks")
    url = reverse("calibration:session", args=[session.uuid])
    teacher = client_of(world.teacher)

    before = teacher.get(url).content.decode()
    assert "Otherteacher thinks" not in before
    assert "Submit my ratings" in before and "blind" in before
    admin_before = client_of(world.school_admin).get(url).content.decode()
    assert "Otherteacher thinks" not in admin_before

    pieces = list(session.pieces.order_by("position"))
    refused = teacher.post(
        reverse("calibration:session_rate", args=[session.uuid]),
        {f"level-{pieces[0].uuid}": "3", f"rationale-{pieces[0].uuid}": "Claim and reasons."},
    )
    assert refused.status_code == 422
    assert "Rate every piece before you submit." in refused.content.decode()
    assert "Claim and reasons." in refused.content.decode()  # what was typed stays

    data = {}
    for piece, level in zip(pieces, (3, 2, 1), strict=True):
        data[f"level-{piece.uuid}"] = str(level)
        data[f"rationale-{piece.uuid}"] = f"Teacher reads {level}"
    done = teacher.post(reverse("calibration:session_rate", args=[session.uuid]), data)
    assert done.status_code == 302
    after = teacher.get(url).content.decode()
    assert "Otherteacher thinks" in after and "Exact agreement" in after


def test_reveal_consensus_and_promotion_from_the_page(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    teacher = client_of(world.teacher)
    reveal = reverse("calibration:session_reveal", args=[session.uuid])
    teacher.post(reveal)
    session.refresh_from_db()
    assert session.revealed_at is None  # one rater is not enough
    rate(session, third_teacher, [4, 2, 1])
    assert client_of(third_teacher).post(reveal).status_code == 404  # a rater, not the runner
    teacher.post(reveal)
    session.refresh_from_db()
    assert session.revealed_at is not None

    piece = session.pieces.get(position=1)
    teacher.post(
        reverse("calibration:consensus", args=[piece.uuid]),
        {f"{piece.uuid}-level": "3", f"{piece.uuid}-rationale": "Two reasons, no counterclaim."},
    )
    piece.refresh_from_db()
    assert piece.consensus_level == Decimal(3)
    page = teacher.get(reverse("calibration:session", args=[session.uuid])).content.decode()
    assert "Two reasons, no counterclaim." in page and "Krippendorff" in page

    promoted = teacher.post(
        reverse("calibration:promote", args=[piece.uuid]),
        {f"promote-{piece.uuid}-consent": "author", f"promote-{piece.uuid}-annotation": ""},
    )
    exemplar = Exemplar.objects.get()
    assert promoted.url == reverse("calibration:exemplar", args=[exemplar.uuid])
    assert exemplar.annotation == "Two reasons, no counterclaim."
    assert (
        client_of(world.school_admin)
        .post(reverse("calibration:consensus", args=[piece.uuid]), {})
        .status_code
        == 302
    )  # an admin of the school runs it too: the form is refused, kindly


def test_opening_a_session_from_the_form(world, work, third_teacher):
    teacher = client_of(world.teacher)
    page = teacher.get(reverse("calibration:session_new")).content.decode()
    assert "An argument" in page and "Amara" not in page
    data = {
        "title": "Arguments at stage 2",
        "school": str(world.school.uuid),
        "piece": [f"r:{r.uuid}" for r in work],
        "raters": [str(world.teacher.uuid), str(third_teacher.uuid)],
        **{f"against-r:{r.uuid}": f"{world.competency.uuid}:2" for r in work},
    }
    opened = teacher.post(reverse("calibration:session_new"), data)
    session = CalibrationSession.objects.get()
    assert opened.url == reverse("calibration:session", args=[session.uuid])
    assert session.pieces.count() == 3 and session.raters.count() == 2

    too_few = teacher.post(reverse("calibration:session_new"), {**data, "piece": data["piece"][:1]})
    assert too_few.status_code == 422
    assert "Choose from 3 to 10 pieces." in too_few.content.decode()
    assert too_few.content.decode().count("checked") >= 3  # the choices stay: 1 piece, 2 raters


def test_the_library_and_the_second_person(world, work, amara):
    teacher = client_of(world.teacher)
    form = teacher.get(reverse("calibration:exemplar_new") + f"?revision={work[0].uuid}")
    assert "Amara" not in form.content.decode() and "[student]" in form.content.decode()
    assert AuditEntry.objects.filter(action="student.viewed", student=amara).exists()
    proposed = teacher.post(
        reverse("calibration:exemplar_new") + f"?revision={work[0].uuid}",
        {
            "competency": str(world.competency.uuid),
            "stage": "2",
            "level": "3",
            "title": "A river argument",
            "annotation": "Claim with two reasons.",
            "consent": "author",
        },
    )
    exemplar = Exemplar.objects.get()
    assert proposed.url == reverse("calibration:exemplar", args=[exemplar.uuid])
    confirm = reverse("calibration:exemplar_confirm", args=[exemplar.uuid])
    assert teacher.post(confirm, {"anonymised": "on"}).status_code == 422
    other = client_of(world.other_teacher)
    unticked = other.post(confirm, {})
    assert unticked.status_code == 422 and "open each file" in unticked.content.decode()
    other.post(confirm, {"anonymised": "on"})
    exemplar.refresh_from_db()
    assert exemplar.published

    library = teacher.get(reverse("calibration:library")).content.decode()
    assert "A river argument" in library
    file_url = reverse("calibration:exemplar_file", args=[exemplar.files.get().uuid])
    assert teacher.get(file_url).status_code == 200
    assert client_of(world.guardian).get(file_url).status_code == 404


def test_a_student_sees_exemplars_of_their_stages_only(world):
    def placed(stage):
        exemplar = exemplar_propose(
            actor=world.teacher,
            student=world.classmate,
            text="Work.",
            competency=world.competency,
            stage=stage,
            level=Decimal(3),
            title=f"At stage {stage}",
            annotation="Why.",
            consent=ConsentBasis.POLICY,
        )
        return exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)

    near, far = placed(2), placed(3)
    student = client_of(world.student)
    page = student.get(reverse("calibration:examples")).content.decode()
    assert "At stage 2" in page and "At stage 3" not in page and "The next stage" in page
    assert student.get(reverse("calibration:exemplar", args=[near.uuid])).status_code == 200
    assert student.get(reverse("calibration:exemplar", args=[far.uuid])).status_code == 404


def test_practice_and_drift_pages(world, session, third_teacher):
    exemplar = exemplar_propose(
        actor=world.teacher,
        student=world.classmate,
        text="Work.",
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        title="Practice piece",
        annotation="Why.",
        consent=ConsentBasis.POLICY,
    )
    exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)
    other = client_of(world.other_teacher)
    url = reverse("calibration:practice", args=[world.competency.uuid])
    assert "Practice piece" not in other.get(url).content.decode()  # untitled while rating
    result = other.post(url, {f"level-{exemplar.uuid}": "2"})
    assert "0 of 1 exactly, 1 within one level." in result.content.decode()
    assert PracticeRound.objects.get().adjacent == 1

    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    rate(session, third_teacher, [4, 3, 2])
    agree(session, world.teacher, [3, 2, 1])
    drift = client_of(third_teacher).get(reverse("calibration:drift")).content.decode()
    assert "more lenient than the group" in drift
    everyone = client_of(world.district_admin).get(reverse("calibration:everyone_drift"))
    assert "Thirdteacher" in everyone.content.decode()
    settings = reverse("calibration:settings")
    assert client_of(world.school_admin).post(settings, {}).status_code == 404
    saved = client_of(world.district_admin).post(
        settings, {"drift_threshold": "0.5", "drift_minimum": "3", "calibrate_first": "on"}
    )
    assert saved.status_code == 302
    home = client_of(world.other_teacher).get(reverse("calibration:home")).content.decode()
    assert "Calibrate before you rate" not in home  # they practised already
    home = client_of(world.teacher).get(reverse("calibration:home")).content.decode()
    assert "Calibrate before you rate" in home
