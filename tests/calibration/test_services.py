"""Exemplars are anonymised and published by a second person; sessions are rated blind (the
service refuses to show others' ratings before one's own are in), revealed, agreed and
promoted; agreement and drift come out of the ratings as worked by hand."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.calibration.models import ConsentBasis, Exemplar, SessionPiece
from proficio.calibration.selectors import (
    drift_of_all,
    drift_of_self,
    exemplar_library,
    exemplars_visible_to,
    ratings_of,
)
from proficio.calibration.services import (
    PieceSpec,
    RatingSpec,
    calibration_settings_set,
    consensus_record,
    exemplar_confirm,
    exemplar_propose,
    piece_promote,
    practice_submit,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.calibration.statistics import session_agreement
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.privacy.api import student_erase, student_export
from tests.calibration.conftest import agree, rate

pytestmark = pytest.mark.django_db


def everything_about(exemplar: Exemplar) -> str:
    files = list(exemplar.files.all())
    contents = []
    for kept in files:
        with kept.file.open("rb") as stored:
            contents.append(stored.read().decode())
    return " ".join(
        [
            exemplar.title,
            exemplar.text,
            exemplar.annotation,
            exemplar.missing,
            *(kept.name for kept in files),
            *(kept.file.name for kept in files),
            *contents,
        ]
    )


def test_a_students_name_does_not_reach_the_exemplar(world, work, amara):
    exemplar = exemplar_propose(
        actor=world.teacher,
        revision=work[0],
        competency=world.competency,
        stage=2,
        level=Decimal(3),
        title="Amara Okafor's river argument",
        annotation="Amara states a claim and backs it with two reasons.",
        missing="A counterclaim.",
        consent=ConsentBasis.AUTHOR,
    )

    kept = everything_about(exemplar)
    for identifier in ("Amara", "Okafor", "amara.okafor", "AMARA"):
        assert identifier.lower() not in kept.lower()
    assert "[student]'s claim" not in exemplar.text  # the possessive goes with the name
    assert exemplar.text == "My argument, by [student]. [student] claim: rivers need room."
    assert [f.name for f in exemplar.files.all()] == ["w1-stage-2-1.txt"]
    assert exemplar.source_student == amara  # kept for consent and data requests, not shown
    assert not exemplar.published


def test_publication_needs_a_second_person(world, work):
    exemplar = exemplar_propose(
        actor=world.teacher,
        revision=work[1],
        competency=world.competency,
        stage=2,
        level=Decimal(2),
        title="An argument",
        annotation="A claim, no reasons yet.",
        consent=ConsentBasis.POLICY,
    )
    with pytest.raises(InvalidInput, match="second person"):
        exemplar_confirm(actor=world.teacher, exemplar=exemplar, anonymised=True)
    with pytest.raises(InvalidInput) as refused:
        exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=False)
    assert "anonymised" in refused.value.errors
    assert not exemplar_library(user=world.other_teacher).exists()

    exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)

    exemplar.refresh_from_db()
    assert exemplar.published and exemplar.confirmed_by == world.other_teacher
    assert list(exemplar_library(user=world.teacher)) == [exemplar]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"exemplar.proposed", "exemplar.published"} <= actions


def test_an_upload_is_renamed_and_the_student_named_is_taken_out(world, amara):
    exemplar = exemplar_propose(
        actor=world.teacher,
        student=amara,
        upload=SimpleUploadedFile("okafor-final.txt", b"Final draft by Amara O. and Okafor"),
        text="",
        competency=world.competency,
        stage=1,
        level=Decimal(4),
        title="Final draft",
        annotation="Clear.",
        consent=ConsentBasis.AUTHOR,
    )
    kept = everything_about(exemplar)
    assert "okafor" not in kept.lower() and "Amara" not in kept


def test_a_student_reads_published_exemplars_of_their_working_stage_and_the_next(
    world, work, amara
):
    def placed(stage):
        exemplar = exemplar_propose(
            actor=world.teacher,
            student=world.classmate,
            text=f"Work at stage {stage}.",
            competency=world.competency,
            stage=stage,
            level=Decimal(3),
            title=f"Stage {stage}",
            annotation="Why.",
            consent=ConsentBasis.POLICY,
        )
        return exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)

    first, second, third = placed(1), placed(2), placed(3)
    unpublished = exemplar_propose(
        actor=world.teacher,
        student=world.classmate,
        text="Not yet.",
        competency=world.competency,
        stage=1,
        level=Decimal(2),
        title="Proposed only",
        annotation="Why.",
        consent=ConsentBasis.POLICY,
    )
    assert set(exemplars_visible_to(world.student)) == {first, second}
    for days in range(3, 0, -1):
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(4),
            source="observation",
            observed_at=timezone.now() - timedelta(days=days),
        )
    assert set(exemplars_visible_to(world.student)) == {second, third}
    assert unpublished not in exemplars_visible_to(world.student)
    assert not exemplars_visible_to(world.guardian).exists()
    assert not exemplars_visible_to(world.other_district_teacher).exists()
    assert set(exemplars_visible_to(world.teacher)) == {first, second, third, unpublished}


def test_ratings_stay_blind_until_ones_own_are_in(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    assert len(ratings_of(user=world.teacher, session=session)) == 3
    with pytest.raises(NotVisible):
        ratings_of(user=world.other_teacher, session=session)
    with pytest.raises(NotVisible):
        ratings_of(user=world.school_admin, session=session)
    with pytest.raises(InvalidInput, match="two teachers"):
        session_reveal(actor=world.teacher, session=session)

    rate(session, world.other_teacher, [3, 3, 1])
    assert len(ratings_of(user=world.other_teacher, session=session)) == 6
    with pytest.raises(InvalidInput, match="stay as you gave them"):
        rate(session, world.other_teacher, [1, 1, 1])
    with pytest.raises(NotVisible):
        ratings_of(user=third_teacher, session=session)

    session_reveal(actor=world.teacher, session=session)
    assert len(ratings_of(user=third_teacher, session=session)) == 6
    assert len(ratings_of(user=world.school_admin, session=session)) == 6
    with pytest.raises(InvalidInput, match="revealed"):
        rate(session, third_teacher, [2, 2, 2])
    with pytest.raises(NotVisible):
        ratings_of(user=world.other_district_teacher, session=session)


def test_a_rating_must_cover_every_piece_with_a_level_and_a_reason(world, session):
    pieces = list(session.pieces.order_by("position"))
    with pytest.raises(InvalidInput) as refused:
        ratings_submit(
            actor=world.teacher,
            session=session,
            ratings={
                pieces[0]: RatingSpec(level=Decimal(7), rationale="Hm"),
                pieces[1]: RatingSpec(level=Decimal(2), rationale=" "),
            },
        )
    assert set(refused.value.errors) == {"piece-1", "piece-2-rationale", "piece-3"}
    with pytest.raises(NotVisible):
        rate(session, world.classmate, [1, 1, 1])


def test_opening_a_session_checks_pieces_and_raters(world, work, third_teacher):
    with pytest.raises(InvalidInput) as refused:
        session_open(
            actor=world.teacher,
            title="",
            school=world.school,
            pieces=[PieceSpec(competency=world.competency, stage=9, revision=work[0])],
            raters=[world.teacher, world.other_district_teacher],
        )
    assert {"title", "pieces", "pieces-1", "raters"} <= set(refused.value.errors)
    with pytest.raises(NotVisible):
        session_open(
            actor=world.teacher,
            title="District-wide",
            school=None,
            pieces=[PieceSpec(competency=world.competency, stage=2, revision=r) for r in work],
            raters=[world.teacher, world.other_teacher],
        )
    district_wide = session_open(
        actor=world.district_admin,
        title="District-wide",
        school=None,
        pieces=[PieceSpec(competency=world.competency, stage=2, revision=r) for r in work],
        raters=[world.teacher, third_teacher],
    )
    assert district_wide.school is None and district_wide.pieces.count() == 3
    texts = " ".join(SessionPiece.objects.values_list("text", flat=True))
    assert "Amara" not in texts and "Okafor" not in texts


def test_agreement_of_a_session_by_hand(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    rate(session, third_teacher, [4, 2, 1])

    agreement = session_agreement(session)

    # Pairs per piece: (3,3,4) one exact of three; (2,3,2) one; (1,1,1) three → 5/9.
    assert agreement.exact == pytest.approx(5 / 9)
    assert agreement.adjacent == pytest.approx(1.0)
    assert [spread.spread for spread in agreement.pieces] == [1, 1, 0]
    assert [c.count for c in agreement.pieces[0].counts] == [0, 0, 2, 1]
    assert len(agreement.pairs) == 3 and all(p.pieces == 3 for p in agreement.pairs)
    assert agreement.alpha is not None and 0.667 < agreement.alpha < 1
    assert agreement.stages[0].stage == 2 and agreement.stages[0].pieces == 3


def test_consensus_promotion_and_drift(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    rate(session, third_teacher, [4, 3, 2])
    with pytest.raises(InvalidInput, match="Reveal"):
        consensus_record(
            actor=world.teacher, piece=session.pieces.first(), level=Decimal(3), rationale="x"
        )
    with pytest.raises(NotVisible):
        session_reveal(actor=world.other_teacher, session=session)
    agree(session, world.teacher, [3, 2, 1])

    piece = session.pieces.get(position=1)
    exemplar = piece_promote(
        actor=world.teacher, piece=piece, annotation="A claim with reasons.", consent="author"
    )
    assert exemplar.level == Decimal(3) and exemplar.text == piece.text
    assert "Amara" not in exemplar.text and not exemplar.published
    with pytest.raises(InvalidInput, match="already"):
        piece_promote(actor=world.teacher, piece=piece, annotation="x", consent="author")

    # third_teacher: +1, +1, +1 → mean +1, no exact, all adjacent; flagged at 0.5 over 3.
    calibration_settings_set(
        actor=world.district_admin,
        district=world.district,
        drift_threshold=Decimal("0.5"),
        drift_minimum=3,
        calibrate_first=False,
    )
    own = drift_of_self(user=third_teacher)
    assert own.overall.mean == 1 and own.overall.exact_rate == 0 and own.flagged
    assert own.overall.adjacent_rate == 1 and "lenient" in own.overall.direction
    assert drift_of_self(user=world.teacher).overall.mean == 0
    everyone = drift_of_all(user=world.school_admin)
    assert everyone.teachers[0].teacher == third_teacher
    assert [d.flagged for d in everyone.teachers] == [True, False, False]
    assert len(everyone.alphas) == 1
    with pytest.raises(NotVisible):
        drift_of_all(user=world.teacher)


def test_practice_says_how_close_a_teacher_came(world):
    exemplars = []
    for level in (2, 3):
        exemplar = exemplar_propose(
            actor=world.teacher,
            student=world.classmate,
            text="Work.",
            competency=world.competency,
            stage=1,
            level=Decimal(level),
            title=f"Level {level}",
            annotation="Why.",
            consent=ConsentBasis.POLICY,
        )
        exemplars.append(
            exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)
        )
    practice = practice_submit(
        actor=world.other_teacher,
        competency=world.competency,
        answers={exemplars[0]: Decimal(2), exemplars[1]: Decimal(1)},
    )
    assert (practice.exact, practice.adjacent) == (1, 1)
    assert [a["difference"] for a in practice.answers] == [0, -2]


def test_the_students_data_requests_reach_the_copies_of_their_work(
    world, work, amara, django_capture_on_commit_callbacks
):
    """An exemplar keeps its anonymised text after its author's erasure; its files go with
    the rest of the student's files, and the export holds it (docs/decisions/0039)."""
    exemplar = exemplar_propose(
        actor=world.teacher,
        revision=work[0],
        competency=world.competency,
        stage=2,
        level=Decimal(3),
        title="A river argument",
        annotation="Why.",
        consent=ConsentBasis.AUTHOR,
    )
    kept = exemplar.files.get()
    buffer = io.BytesIO()
    student_export(actor=world.district_admin, student=amara, destination=buffer, via="page")
    assert "tables/calibration_exemplar.json" in zipfile.ZipFile(buffer).namelist()
    storage, name = kept.file.storage, kept.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        student_erase(actor=world.district_admin, student=amara, via="page")
    assert not storage.exists(name)
    exemplar.refresh_from_db()
    assert exemplar.text.startswith("My argument, by [student].")
