"""The portfolio: pieces the student chooses (work on a task, a rating, a file of their own),
their reflections, what their family sees, growth from the first piece of the year to the
latest, the baseline prompt, and the zip."""

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.models import PortfolioPiece
from proficio.agency.permissions import pieces_visible_to
from proficio.agency.selectors import baseline_due, growth_pairs, portfolio_of
from proficio.agency.services import piece_add, piece_change, piece_remove
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.people.api import school_year_start
from proficio.work.data import Alignment
from proficio.work.services import revision_save, task_assign, task_create

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def revision(world):
    task = task_create(
        author=world.teacher,
        title="Reasons",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return revision_save(
        student=world.student,
        task=task,
        text="Because **reasons**.",
        submit=True,
        files=[SimpleUploadedFile("draft.pdf", b"%PDF-1.7\n%draft\n")],
    )


def rating(world, student=None):
    return evidence_record(
        assessor=world.teacher,
        student=student or world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=1),
        source="observation",
        feedback_next="Quote a source.",
    )


def test_a_piece_is_one_of_the_students_own_things(world, revision):
    from_task = piece_add(
        student=world.student,
        title="My first opinion piece",
        reflection="I learned to give reasons.",
        competencies=[world.competency],
        revision=revision,
    )
    from_rating = piece_add(student=world.student, title="Rated 3", evidence=rating(world))
    upload = piece_add(
        student=world.student,
        title="My poster",
        upload=SimpleUploadedFile("poster.png", PNG),
        shared_with_family=True,
    )
    assert [p.kind for p in (from_task, from_rating, upload)] == ["revision", "evidence", "upload"]
    assert upload.content_type == "image/png" and upload.file_name == "poster.png"
    with pytest.raises(InvalidInput) as none:
        piece_add(student=world.student, title="Nothing")
    assert "piece" in none.value.errors
    with pytest.raises(InvalidInput) as theirs:
        piece_add(student=world.student, title="Not mine", evidence=rating(world, world.classmate))
    assert "evidence" in theirs.value.errors
    with pytest.raises(InvalidInput) as bad_file:
        piece_add(
            student=world.student,
            title="A lie",
            upload=SimpleUploadedFile("poster.png", b"MZ\x90\x00 not an image"),
        )
    assert "upload" in bad_file.value.errors
    with pytest.raises(NotVisible):
        piece_add(student=world.teacher, title="Mine", evidence=rating(world))


def test_who_sees_which_piece(world, revision):
    private = piece_add(student=world.student, title="Private", revision=revision)
    shared = piece_add(
        student=world.student, title="Shared", evidence=rating(world), shared_with_family=True
    )

    def seen(person):
        return set(pieces_visible_to(person).values_list("title", flat=True))

    assert seen(world.student) == seen(world.teacher) == {"Private", "Shared"}
    assert seen(world.guardian) == {"Shared"}
    assert seen(world.classmate) == seen(world.other_district_teacher) == set()
    piece_change(
        student=world.student, piece=private, reflection="Now shared", shared_with_family=True
    )
    assert seen(world.guardian) == {"Private", "Shared"}
    piece_remove(student=world.student, piece=shared)
    assert seen(world.student) == {"Private"}
    assert PortfolioPiece.objects.filter(pk=shared.pk).exists()  # kept, out of the portfolio
    with pytest.raises(NotVisible):
        piece_change(student=world.teacher, piece=private, reflection="x", shared_with_family=False)


def test_growth_sets_the_first_piece_of_the_year_beside_the_latest(world):
    start = timezone.localdate() - timedelta(days=200)
    made = []
    for days, title in ((400, "Last year"), (120, "September"), (60, "October"), (5, "Now")):
        made.append(
            piece_add(
                student=world.student,
                title=title,
                evidence=rating(world),
                competencies=[world.competency],
                at=timezone.now() - timedelta(days=days),
            )
        )
    pieces = portfolio_of(user=world.student, student=world.student)
    [pair] = growth_pairs(pieces, year_start=start)
    assert (pair.first.title, pair.latest.title) == ("September", "Now")
    assert baseline_due(pieces, year_start=start)
    piece_add(student=world.student, title="Baseline", evidence=rating(world), baseline=True)
    assert not baseline_due(
        portfolio_of(user=world.student, student=world.student), year_start=start
    )


def test_the_school_year_starts_in_august_unless_the_roster_says(world):
    assert school_year_start(district_id=world.district.pk, on=date(2026, 12, 6)) == date(
        2026, 8, 1
    )
    assert school_year_start(district_id=world.district.pk, on=date(2027, 3, 1)) == date(2026, 8, 1)


def test_pages_and_the_zip(world, revision):
    student = Client()
    student.force_login(world.student)
    page = student.get(reverse("agency:portfolio")).content.decode()
    assert "Where do you start this year?" in page
    response = student.post(
        reverse("agency:piece_new"),
        {
            "source": "upload",
            "upload": SimpleUploadedFile("poster.png", PNG),
            "title": "My poster",
            "reflection": "Colours for each reason.",
            "competencies": [str(world.competency.uuid)],
            "shared_with_family": "on",
            "baseline": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    student.post(
        reverse("agency:piece_new"),
        {"source": "revision", "revision": str(revision.uuid), "title": "Opinion piece"},
    )
    page = student.get(reverse("agency:portfolio")).content.decode()
    assert "My poster" in page and "Opinion piece" in page and "Where do you start" not in page
    poster = PortfolioPiece.objects.get(title="My poster")
    image = student.get(reverse("agency:piece_file", args=[poster.uuid]))
    assert image["Content-Type"] == "image/png" and b"".join(image.streaming_content) == PNG
    download = student.get(reverse("agency:portfolio_download", args=[world.student.uuid]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert "index.txt" in names
    assert any(name.endswith("/poster.png") for name in names)
    assert any(name.endswith("/draft.pdf") for name in names)
    about = next(n for n in names if n.endswith("about.txt") and "poster" in n)
    assert "Colours for each reason." in archive.read(about).decode()

    guardian = Client()
    guardian.force_login(world.guardian)
    seen = guardian.get(reverse("agency:student_portfolio", args=[world.student.uuid]))
    assert "My poster" in seen.content.decode() and "Opinion piece" not in seen.content.decode()
    hidden = PortfolioPiece.objects.get(title="Opinion piece")
    assert guardian.get(reverse("agency:piece", args=[hidden.uuid])).status_code == 404
