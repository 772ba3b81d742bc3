"""An issued transcript as a PDF: one page to read in two minutes — the credits with their
days, each with a QR code to its evidence, the competency areas with the stage reached (and,
in the format it was issued in, the stage typical for the student's age-grade) — then the
appendix of evidence if its format has one; a QR code to the verification page and the code
to type."""

from collections.abc import Callable
from typing import IO

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from proficio.lib.pdf import INK, MUTED, bullets, document, fonts, long_date, paragraph, text
from proficio.reports.models import IssuedTranscript
from proficio.reports.transcripts import presented, typical_words

RULE = colors.HexColor("#d5dbe3")


def qr(url: str, size: float = 18 * mm) -> Drawing:
    widget = QrCodeWidget(url, barBorder=0)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def transcript_pdf_write(
    *,
    issued: IssuedTranscript,
    destination: IO[bytes],
    verify_url: str,
    evidence_url: Callable[[str], str],
) -> None:
    content = presented(issued.content)
    bold = fonts()[1]
    student = issued.student
    title = _("Competency transcript · %(name)s") % {"name": student.display_name}
    head = Table(
        [
            [
                [
                    paragraph(text(student.display_name), "title"),
                    paragraph(
                        text(
                            _("%(district)s · issued on %(day)s · as of %(as_of)s")
                            % {
                                "district": issued.district.name,
                                "day": long_date(issued.issued_at.date()),
                                "as_of": long_date(content["as_of"]),
                            }
                        ),
                        "small",
                    ),
                    paragraph(
                        text(_("Verification code: %(code)s") % {"code": issued.code}), "small"
                    ),
                ],
                qr(verify_url, 22 * mm),
            ]
        ],
        colWidths=[150 * mm, 24 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        head,
        paragraph(
            text(
                _(
                    "No grades: each competency shows the stage of its trajectory reached, and "
                    "when. Scan a credit's code for the work behind it."
                )
            ),
            "small",
        ),
        paragraph(text(_("Mastery credits")), "h2"),
    ]
    if content["credits"]:
        rows = [
            [
                [
                    paragraph(f"<b>{text(credit['title'])}</b>"),
                    paragraph(text(long_date(credit["on"])), "small"),
                ],
                qr(evidence_url(credit["competency"]), 14 * mm),
            ]
            for credit in content["credits"]
        ]
        credits = Table(rows, colWidths=[158 * mm, 16 * mm])
        credits.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        story.append(credits)
    else:
        story.append(paragraph(text(_("No mastery credit earned yet."))))
    typical = content["format"]["typical_stage"]
    if typical:
        story.append(
            paragraph(
                text(
                    _(
                        "Beside each competency, the stage typical for the student's age-grade, "
                        "for readers who compare with grades: students work at the stage they "
                        "are ready for, whatever their age."
                    )
                ),
                "small",
            )
        )
    for area in content["areas"]:
        story.append(paragraph(text(area["area"]), "h2"))
        head = [_("Competency"), _("Stage reached"), _("When")]
        rows = [head + ([content["typical_heading"]] if typical else [])] + [
            [
                paragraph(text(f"{item['code']} · {item['title']}")),
                paragraph(
                    text(
                        _("%(reached)s of %(stages)s · %(label)s")
                        % {
                            "reached": item["reached"],
                            "stages": item["stages"],
                            "label": item["reached_label"],
                        }
                        if item["reached"]
                        else _("not yet")
                    )
                ),
                paragraph(text(long_date(item["reached_on"]) if item["reached_on"] else "—")),
                *([paragraph(text(typical_words(item.get("typical"))))] if typical else []),
            ]
            for item in area["competencies"]
        ]
        widths = [60, 42, 34, 38] if typical else [88, 52, 34]
        table = Table(rows, colWidths=[width * mm for width in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), bold, 9),
                    ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TEXTCOLOR", (0, 1), (-1, -1), INK),
                ]
            )
        )
        story.append(table)
    if content["credits"] and content["format"]["appendix"]:
        story += [
            PageBreak(),
            paragraph(text(_("Appendix: the evidence behind each credit")), "h2"),
        ]
        for credit in content["credits"]:
            story.append(paragraph(text(credit["title"]), "h3"))
            lines = [
                text(
                    f"{long_date(r['day'])} · "
                    + _("stage %(stage)s, level %(level)s")
                    % {"stage": r["stage"], "level": r["level"]}
                    + (f" · {r['work']}" if r["work"] else "")
                )
                for r in credit["ratings"]
            ]
            story.append(
                bullets(lines) if lines else paragraph(text(_("Mastered through a higher stage.")))
            )
    story += [
        Spacer(1, 8),
        paragraph(
            text(
                _(
                    "Worked out from the ratings kept and the mastery policies in force on each "
                    "day (%(count)s policy versions). Fingerprint: %(digest)s"
                )
                % {"count": len(content["policies"]), "digest": issued.digest[:32]}
            ),
            "small",
        ),
    ]
    document(destination, title).build(story)
