"""The progress report as a PDF, drawn with ReportLab from the same report the page shows
(ADR 0037), its trajectory charts from the same geometry."""

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Spacer

from proficio.lib.pdf import MUTED, bullets, document, fonts, long_date, paragraph, text
from proficio.mastery.api import Chart
from proficio.reports.progress import CompetencyProgress, ProgressReport

CHART_SCALE = 0.74
LINE = colors.HexColor("#1f5f8b")
GRID = colors.HexColor("#d5dbe3")


def chart_drawing(chart: Chart) -> Drawing:
    """The SVG chart's geometry drawn in PDF points (y grows upward there)."""
    scale = CHART_SCALE
    height = chart.height * scale

    def point(x: float, y: float) -> tuple[float, float]:
        return x * scale, height - y * scale

    drawing = Drawing(chart.width * scale, height)
    regular, _bold = fonts()
    for tick in chart.stage_ticks:
        x1, y = point(chart.left, tick.at)
        x2, _y = point(chart.right, tick.at)
        drawing.add(Line(x1, y, x2, y, strokeColor=GRID, strokeWidth=0.6))
        drawing.add(
            String(
                x1 - 5,
                y - 3,
                tick.label,
                fontName=regular,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    for tick in chart.date_ticks:
        x, y = point(tick.at, chart.bottom + 16)
        drawing.add(
            String(
                x, y, tick.label, fontName=regular, fontSize=7, fillColor=MUTED, textAnchor="middle"
            )
        )
    flat = [value for x, y in chart.line for value in point(x, y)]
    drawing.add(PolyLine(flat, strokeColor=LINE, strokeWidth=1.8))
    for rating in chart.ratings:
        x, y = point(rating.x, rating.y)
        drawing.add(
            Circle(
                x,
                y,
                3.2,
                fillColor=colors.HexColor(rating.colour),
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )
    return drawing


def _competency(item: CompetencyProgress) -> list:
    parts = [
        paragraph(text(f"{item.competency.code} · {item.competency.title}"), "h2"),
        paragraph(text(item.phrase)),
        chart_drawing(item.chart),
        paragraph(
            text(
                _(
                    "The line is the stage reached (mastered); each dot a rating, in its level's "
                    "colour, at the stage it rated."
                )
            ),
            "small",
        ),
    ]
    reached = [
        text(
            _("Stage %(stage)s · %(label)s — %(day)s")
            % {"stage": r.stage.ordinal, "label": r.stage.label, "day": long_date(r.on)}
        )
        + (
            "<br/><font size=8.5 color='#4d5968'>"
            + text(
                "; ".join(
                    f"{e.artifact_title or e.get_source_display()} ({e.level.normalize()}, "
                    f"{long_date(timezone.localdate(e.observed_at))})"
                    for e in r.evidence
                )
            )
            + "</font>"
            if r.evidence
            else ""
        )
        for r in item.reached_in_period
    ]
    if reached:
        parts += [paragraph(text(_("Reached in this period")), "h3"), bullets(reached)]
    if item.feedback and item.feedback.feedback_next:
        parts.append(
            paragraph(text(f"{_('What is needed next')}: {item.feedback.feedback_next}"), "quote")
        )
    return [KeepTogether(parts), Spacer(1, 6)]


def progress_pdf_write(*, report: ProgressReport, destination: IO[bytes]) -> None:
    name = report.student.display_name
    title = _("Progress report · %(name)s") % {"name": name}
    story = [
        paragraph(text(title), "title"),
        paragraph(
            text(
                _("From %(since)s to %(as_of)s")
                % {"since": long_date(report.since), "as_of": long_date(report.as_of)}
            ),
            "small",
        ),
        paragraph(
            text(
                ngettext(
                    "One stage reached in this period.",
                    "%(counter)s stages reached in this period.",
                    report.stages_reached,
                )
                % {"counter": report.stages_reached}
            )
        ),
    ]
    for item in report.competencies:
        story += _competency(item)
    if report.not_started:
        story.append(
            paragraph(
                text(
                    _("Not started yet:")
                    + " "
                    + " · ".join(f"{c.code} {c.title}" for c in report.not_started)
                ),
                "small",
            )
        )
    story.append(paragraph(text(_("Goals")), "h2"))
    story.append(
        bullets([text(goal.title) for goal in report.goals])
        if report.goals
        else paragraph(text(_("No goal yet.")))
    )
    story.append(Spacer(1, 8))
    story.append(
        paragraph(
            text(
                _(
                    "Worked out by Proficio on %(day)s from the ratings kept and the mastery "
                    "policies in force on each day."
                )
                % {"day": long_date(timezone.localdate())}
            ),
            "small",
        )
    )
    document(destination, title).build(story)
