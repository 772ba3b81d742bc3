"""Printable PDFs of a portfolio and of a conference, drawn with ReportLab from the same
records the pages show (ADR 0037). Fonts: DejaVu Sans where the system has it (wide
coverage of scripts), else the Bitstream Vera that ReportLab ships."""

import io
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

import reportlab
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from proficio.agency.models import Conference, PieceKind, PortfolioPiece
from proficio.evidence.api import EvidenceSource

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
INK = colors.HexColor("#1b2430")
MUTED = colors.HexColor("#4d5968")


@cache
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered once."""
    regular, bold = SYSTEM_FONTS / "DejaVuSans.ttf", SYSTEM_FONTS / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        shipped = Path(reportlab.__file__).parent / "fonts"
        regular, bold = shipped / "Vera.ttf", shipped / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont("ProficioSans", str(regular)))
    pdfmetrics.registerFont(TTFont("ProficioSans-Bold", str(bold)))
    return "ProficioSans", "ProficioSans-Bold"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14.5, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12, textColor=MUTED),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=20, leading=25),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=13.5,
            leading=18,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=11, leading=15),
        "quote": ParagraphStyle(
            "quote",
            parent=base,
            leftIndent=8,
            borderPadding=(2, 0, 2, 6),
            borderColor=colors.HexColor("#d5dbe3"),
            borderWidth=0,
            alignment=TA_LEFT,
        ),
    }


def _text(value: str) -> str:
    """Plain text for a Paragraph: escaped, lines kept."""
    return escape(value).replace("\n", "<br/>")


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, _styles()[style])


def _bullets(lines: list[str]) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(line), leftIndent=10) for line in lines],
        bulletType="bullet",
        start="•",
        leftIndent=10,
    )


def _day(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _document(destination: IO[bytes], title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        destination,
        pagesize=A4,
        title=title,
        author="Proficio",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )


def _piece(piece: PortfolioPiece) -> list:
    parts = [
        _p(_text(piece.title), "h3"),
        _p(
            _text(
                f"{piece.get_kind_display()} · {_day(timezone.localdate(piece.created_at))}"
                + (f" · {_('baseline of the year')}" if piece.baseline else "")
            ),
            "small",
        ),
    ]
    codes = ", ".join(f"{c.code} {c.title}" for c in piece.competencies.all())
    if codes:
        parts.append(_p(_text(codes), "small"))
    if piece.kind == PieceKind.REVISION and piece.revision is not None:
        revision = piece.revision
        parts.append(
            _p(
                _text(
                    _("%(task)s, revision %(number)s")
                    % {"task": revision.submission.task.title, "number": revision.number}
                ),
                "small",
            )
        )
        if revision.text:
            parts.append(_p(_text(revision.text[:3000])))
    elif piece.kind == PieceKind.EVIDENCE and piece.evidence is not None:
        rating = piece.evidence
        parts.append(
            _p(
                _text(
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
            parts.append(_p(_text(f"{_('What is needed next')}: {rating.feedback_next}")))
    elif piece.file and piece.content_type.startswith("image/"):
        with piece.file.open("rb") as stored:
            picture = io.BytesIO(stored.read())
        width, height = ImageReader(picture).getSize()
        scale = min(120 * mm / width, 80 * mm / height, 1)
        picture.seek(0)
        parts.append(Image(picture, width=width * scale, height=height * scale, hAlign="LEFT"))
    elif piece.file:
        parts.append(_p(_text(f"{piece.file_name} ({piece.content_type})"), "small"))
    if piece.reflection:
        parts.append(_p(_text(f"{_('My reflection')}: {piece.reflection}"), "quote"))
    parts.append(Spacer(1, 6))
    return [KeepTogether(parts)]


def portfolio_pdf(*, student, pieces: list[PortfolioPiece], destination: IO[bytes]) -> None:
    """The pieces (as the reader may see them), oldest first, with their reflections."""
    title = _("%(name)s's portfolio") % {"name": student.display_name}
    story = [
        _p(_text(title), "title"),
        _p(_text(_day(timezone.localdate())), "small"),
        Spacer(1, 8),
    ]
    for piece in sorted(pieces, key=lambda p: p.created_at):
        story += _piece(piece)
    if not pieces:
        story.append(_p(_text(_("No piece yet."))))
    _document(destination, title).build(story)


def conference_pdf(*, conference: Conference, destination: IO[bytes]) -> None:
    """The conference as it stands: the agenda, the student's questions, the pieces they
    chose, and once held the notes, next steps, acknowledgements and the family's words."""
    agenda = conference.agenda
    student = conference.student
    title = _("%(name)s's conference") % {"name": student.display_name}
    when = (
        _day(timezone.localdate(conference.scheduled_for))
        if conference.scheduled_for
        else _day(timezone.localdate(conference.drafted_at))
    )
    people = ", ".join(
        f"{p.person.display_name} ({p.get_role_display().lower()})"
        + (" ✓" if p.acknowledged_at else "")
        for p in conference.participants.all()
    )
    story = [
        _p(_text(title), "title"),
        _p(
            _text(
                f"{when} · {_('the record since')} {_day(agenda.get('since', conference.since))}"
            ),
            "small",
        ),
        _p(_text(people), "small"),
        _p(_text(_("What I mastered")), "h2"),
    ]
    mastered = agenda.get("mastered", [])
    if mastered:
        lines = []
        for item in mastered:
            ratings = "; ".join(
                f"{r['level']} ({_day(r['observed_on'])}, "
                f"{_source(r['source'])}{', ' + r['work'] if r.get('work') else ''})"
                for r in item.get("ratings", [])
            )
            lines.append(
                _text(
                    f"{item['competency']} {item['title']}: stage {item['stage']}, {item['label']}"
                )
                + (f"<br/><font size=9 color='#4d5968'>{_text(ratings)}</font>" if ratings else "")
            )
        story.append(_bullets(lines))
    else:
        story.append(_p(_text(_("No stage mastered since the last conference yet."))))
    pieces = list(conference.pieces.all())
    if pieces:
        story.append(_p(_text(_("Work I will show")), "h2"))
        for piece in pieces:
            story += _piece(piece)
    story.append(_p(_text(_("My goals")), "h2"))
    goals = agenda.get("goals", [])
    story.append(
        _bullets([_text(g["title"]) for g in goals]) if goals else _p(_text(_("No goal yet.")))
    )
    story.append(_p(_text(_("What is next")), "h2"))
    story.append(_bullets([_text(_stage_line(item)) for item in agenda.get("next", [])]))
    if conference.questions:
        story += [_p(_text(_("My questions")), "h2"), _p(_text(conference.questions))]
    if conference.held_at:
        story.append(
            _p(
                _text(_("Held on %(day)s") % {"day": _day(timezone.localdate(conference.held_at))}),
                "h2",
            )
        )
        if conference.notes:
            story.append(_p(_text(conference.notes)))
        steps = [_text(step.text) for step in conference.next_steps.all()]
        if steps:
            story += [_p(_text(_("Next steps agreed")), "h3"), _bullets(steps)]
    notes = list(conference.family_notes.all())
    if notes:
        story.append(_p(_text(_("What the family sees at home")), "h2"))
        story += [_p(_text(f"{n.author.display_name}: {n.text}")) for n in notes]
    _document(destination, title).build(story)


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
