"""Printable PDFs of a portfolio and of a conference, drawn with ReportLab from the same
records the pages show (ADR 0037), in the shared style of lib.pdf."""

import io
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    KeepTogether,
    Spacer,
)

from proficio.agency.models import Conference, PieceKind, PortfolioPiece
from proficio.evidence.api import EvidenceSource
from proficio.lib.pdf import (
    bullets,
    document,
    long_date,
    paragraph,
    text,
)


def _piece(piece: PortfolioPiece) -> list:
    parts = [
        paragraph(text(piece.title), "h3"),
        paragraph(
            text(
                f"{piece.get_kind_display()} · {long_date(timezone.localdate(piece.created_at))}"
                + (f" · {_('baseline of the year')}" if piece.baseline else "")
            ),
            "small",
        ),
    ]
    codes = ", ".join(f"{c.code} {c.title}" for c in piece.competencies.all())
    if codes:
        parts.append(paragraph(text(codes), "small"))
    if piece.kind == PieceKind.REVISION and piece.revision is not None:
        revision = piece.revision
        parts.append(
            paragraph(
                text(
                    _("%(task)s, revision %(number)s")
                    % {"task": revision.submission.task.title, "number": revision.number}
                ),
                "small",
            )
        )
        if revision.text:
            parts.append(paragraph(text(revision.text[:3000])))
    elif piece.kind == PieceKind.EVIDENCE and piece.evidence is not None:
        rating = piece.evidence
        parts.append(
            paragraph(
                text(
                    _("Rated %(level)s on %(code)s stage %(stage)s")
                    % {
                        "level": rating.level.normalize(),
                        "code": rating.competency.code,
                        "stage": rating.stage.ordinal,
                    }
                )
            )
        )
        if rating.feedback_next:
            parts.append(paragraph(text(f"{_('What is needed next')}: {rating.feedback_next}")))
    elif piece.file and piece.content_type.startswith("image/"):
        with piece.file.open("rb") as stored:
            picture = io.BytesIO(stored.read())
        width, height = ImageReader(picture).getSize()
        scale = min(120 * mm / width, 80 * mm / height, 1)
        picture.seek(0)
        parts.append(Image(picture, width=width * scale, height=height * scale, hAlign="LEFT"))
    elif piece.file:
        parts.append(paragraph(text(f"{piece.file_name} ({piece.content_type})"), "small"))
    if piece.reflection:
        parts.append(paragraph(text(f"{_('My reflection')}: {piece.reflection}"), "quote"))
    parts.append(Spacer(1, 6))
    return [KeepTogether(parts)]


def portfolio_pdf(*, student, pieces: list[PortfolioPiece], destination: IO[bytes]) -> None:
    """The pieces (as the reader may see them), oldest first, with their reflections."""
    title = _("%(name)s's portfolio") % {"name": student.display_name}
    story = [
        paragraph(text(title), "title"),
        paragraph(text(long_date(timezone.localdate())), "small"),
        Spacer(1, 8),
    ]
    for piece in sorted(pieces, key=lambda p: p.created_at):
        story += _piece(piece)
    if not pieces:
        story.append(paragraph(text(_("No piece yet."))))
    document(destination, title).build(story)


def conference_pdf(*, conference: Conference, destination: IO[bytes]) -> None:
    """The conference as it stands: the agenda, the student's questions, the pieces they
    chose, and once held the notes, next steps, acknowledgements and the family's words."""
    agenda = conference.agenda
    student = conference.student
    title = _("%(name)s's conference") % {"name": student.display_name}
    when = (
        long_date(timezone.localdate(conference.scheduled_for))
        if conference.scheduled_for
        else long_date(timezone.localdate(conference.drafted_at))
    )
    people = ", ".join(
        f"{p.person.display_name} ({p.get_role_display().lower()})"
        + (" ✓" if p.acknowledged_at else "")
        for p in conference.participants.all()
    )
    since = long_date(agenda.get("since", conference.since))
    story = [
        paragraph(text(title), "title"),
        paragraph(text(f"{when} · {_('the record since')} {since}"), "small"),
        paragraph(text(people), "small"),
        paragraph(text(_("What I mastered")), "h2"),
    ]
    mastered = agenda.get("mastered", [])
    if mastered:
        lines = []
        for item in mastered:
            ratings = "; ".join(
                f"{r['level']} ({long_date(r['observed_on'])}, "
                f"{_source(r['source'])}{', ' + r['work'] if r.get('work') else ''})"
                for r in item.get("ratings", [])
            )
            lines.append(
                text(
                    f"{item['competency']} {item['title']}: stage {item['stage']}, {item['label']}"
                )
                + (f"<br/><font size=9 color='#4d5968'>{text(ratings)}</font>" if ratings else "")
            )
        story.append(bullets(lines))
    else:
        story.append(paragraph(text(_("No stage mastered since the last conference yet."))))
    pieces = list(conference.pieces.all())
    if pieces:
        story.append(paragraph(text(_("Work I will show")), "h2"))
        for piece in pieces:
            story += _piece(piece)
    story.append(paragraph(text(_("My goals")), "h2"))
    goals = agenda.get("goals", [])
    story.append(
        bullets([text(g["title"]) for g in goals]) if goals else paragraph(text(_("No goal yet.")))
    )
    story.append(paragraph(text(_("What is next")), "h2"))
    story.append(bullets([text(_stage_line(item)) for item in agenda.get("next", [])]))
    if conference.questions:
        story += [paragraph(text(_("My questions")), "h2"), paragraph(text(conference.questions))]
    if conference.held_at:
        story.append(
            paragraph(
                text(
                    _("Held on %(day)s")
                    % {"day": long_date(timezone.localdate(conference.held_at))}
                ),
                "h2",
            )
        )
        if conference.notes:
            story.append(paragraph(text(conference.notes)))
        steps = [text(step.text) for step in conference.next_steps.all()]
        if steps:
            story += [paragraph(text(_("Next steps agreed")), "h3"), bullets(steps)]
    notes = list(conference.family_notes.all())
    if notes:
        story.append(paragraph(text(_("What the family sees at home")), "h2"))
        story += [paragraph(text(f"{n.author.display_name}: {n.text}")) for n in notes]
    document(destination, title).build(story)


def _stage_line(item: dict) -> str:
    return _("%(code)s %(title)s: stage %(stage)s, %(label)s") % {
        "code": item["competency"],
        "title": item["title"],
        "stage": item["stage"],
        "label": item["label"],
    }


def _source(code: str) -> str:
    try:
        return str(EvidenceSource(code).label)
    except ValueError:
        return code
