"""What every PDF of Proficio shares (ADR 0037): the fonts, the paragraph styles, escaped
text, bullets, a long date and an A4 document. Fonts: DejaVu Sans where the system has it
(wide coverage of scripts), else the Bitstream Vera that ReportLab ships."""

from datetime import date
from functools import cache
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
INK = colors.HexColor("#1b2430")
MUTED = colors.HexColor("#4d5968")


@cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered once."""
    regular, bold = SYSTEM_FONTS / "DejaVuSans.ttf", SYSTEM_FONTS / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        shipped = Path(reportlab.__file__).parent / "fonts"
        regular, bold = shipped / "Vera.ttf", shipped / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont("ProficioSans", str(regular)))
    pdfmetrics.registerFont(TTFont("ProficioSans-Bold", str(bold)))
    return "ProficioSans", "ProficioSans-Bold"


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
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


def text(value: str) -> str:
    """Plain text for a Paragraph: escaped, lines kept."""
    return escape(value).replace("\n", "<br/>")


def paragraph(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, styles()[style])


def bullets(lines: list[str]) -> ListFlowable:
    return ListFlowable(
        [ListItem(paragraph(line), leftIndent=10) for line in lines],
        bulletType="bullet",
        start="•",
        leftIndent=10,
    )


def long_date(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def document(destination: IO[bytes], title: str) -> SimpleDocTemplate:
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
