"""Pages of the dashboards: a section's heatmap (its teachers and admins), the school
dashboard and its equity view (a school's admins, a district's). Each table on them downloads
as CSV or XLSX from the page's own address (`?format=csv|xlsx`, `table=` naming the table
when a page has several), with the rows the page shows — a paged list every page of it.
Anyone else gets the same 404 as a wrong address."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from proficio.audit import api as audit
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import section_served_get
from proficio.reports.dashboard import (
    PACE_KEYS,
    PACE_WORDS,
    STALLED_PAGE_SIZE,
    Dashboard,
    dashboard,
    dashboard_scope,
)
from proficio.reports.dashboard_charts import distribution_chart, month_chart, share_bars
from proficio.reports.dashboard_equity import COLUMN_WORDS, COLUMNS, equity_table, equity_view
from proficio.reports.dashboard_heatmap import heatmap_table, section_heatmap
from proficio.reports.equity import BY, MINIMUM_GROUP, suppression_note

TABLES = ("distribution", "pace", "stalled", "months")


def _page_number(request: HttpRequest) -> int:
    page = request.GET.get("page", "1")
    return int(page) if page.isascii() and page.isdecimal() else 1


# ---- the class heatmap -----------------------------------------------------------------------


@login_required
@require_safe
@not_visible_is_404
def heatmap_page(request: HttpRequest, section_id: str) -> HttpResponse:
    section = section_served_get(user=request.user, section_id=section_id)
    heatmap = section_heatmap(
        user=request.user, section=section, every=request.GET.get("all") == "1"
    )
    format = export_format(request)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=heatmap.students,
        data={
            "section": str(section.uuid),
            "page": "heatmap",
            **({"export": format} if format else {}),
        },
    )
    if format:
        headers, rows = heatmap_table(heatmap)
        return table_response(
            name=_("Heatmap %(section)s") % {"section": section.name},
            headers=headers,
            rows=rows,
            format=format,
        )
    counts = heatmap.bucket_counts()
    return render(
        request,
        "reports/heatmap.html",
        {
            "section": section,
            "heatmap": heatmap,
            "legend": [(item, counts[item.bucket]) for item in heatmap.legend],
        },
    )


# ---- the school dashboard --------------------------------------------------------------------


def _distribution_table(board: Dashboard) -> tuple[list[str], list[list]]:
    distribution = board.distribution
    if distribution is None:
        return [_("Age-grade")], []
    headers = [_("Age-grade"), *(column.label for column in distribution.columns), _("Students")]
    rows = [[row.label, *row.counts, row.total] for row in distribution.rows]
    return headers, rows


def _pace_table(board: Dashboard) -> tuple[list[str], list[list]]:
    headers = [
        _("Competency"),
        *(str(PACE_WORDS[key]) for key in PACE_KEYS),
        _("Stalled"),
        _("Students"),
    ]
    rows = [
        [
            f"{row.competency.code} · {row.competency.title}",
            *(row.counts[key] for key in PACE_KEYS),
            row.stalled,
            row.students,
        ]
        for row in board.pace
    ]
    return headers, rows


def _stalled_table(board: Dashboard) -> tuple[list[str], list[list]]:
    """Every stalled student of the list (the board read with every row on its one page)."""
    headers = [_("Student"), _("Age-grade"), _("Stalled on"), _("Support in place"), _("Supports")]
    rows = [
        [
            row.student.display_name,
            row.student.age_grade,
            ", ".join(competency.code for competency in row.competencies),
            _("yes") if row.supported else _("no"),
            "; ".join(_support_words(support) for support in row.supports),
        ]
        for row in board.stalled.shown
    ]
    return headers, rows


def _support_words(support) -> str:
    code = support.competency.code if support.competency_id else _("every competency")
    return f"{support.get_kind_display()} ({code})"


def _months_table(board: Dashboard) -> tuple[list[str], list[list]]:
    headers = [_("Month"), _("Stages first shown at mastery"), _("Total so far this year")]
    return headers, [[month.label, month.stages, month.cumulative] for month in board.months]


@login_required
@require_safe
@not_visible_is_404
def dashboard_page(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request.user, request.GET.get("school") or None)
    format = export_format(request)
    table = request.GET.get("table", "pace")
    table = table if table in TABLES else "pace"
    board = dashboard(
        scope,
        competency_id=request.GET.get("competency") or None,
        stalled_page=1 if format else _page_number(request),
        # An export of the stalled students is every page of the list.
        stalled_page_size=10**9 if format and table == "stalled" else STALLED_PAGE_SIZE,
    )
    if format:
        if table == "stalled":
            audit.record_views(
                actor=request.user,
                action=audit.STUDENTS_LISTED,
                students=[row.student for row in board.stalled.shown],
                data={"page": "school dashboard", "table": "stalled", "export": format},
            )
        headers, rows = {
            "distribution": _distribution_table,
            "pace": _pace_table,
            "stalled": _stalled_table,
            "months": _months_table,
        }[table](board)
        names = {
            "distribution": _("Stages by age-grade %(code)s")
            % {"code": board.chosen.code if board.chosen else ""},
            "pace": _("Pace"),
            "stalled": _("Stalled students"),
            "months": _("Mastery over the year"),
        }
        return table_response(
            name=f"{names[table]} {scope.name}", headers=headers, rows=rows, format=format
        )
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=[row.student for row in board.stalled.shown],
        data={"page": "school dashboard", "page_number": board.stalled.page},
    )
    pace_rows = [
        (
            row.competency.code,
            f"{row.competency.code} · {row.competency.title}",
            row.counts,
            _("‖ %(n)s stalled") % {"n": row.stalled} if row.stalled else "",
        )
        for row in board.pace
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "scope": scope,
            "board": board,
            "distribution_chart": (
                distribution_chart(board.distribution) if board.distribution else None
            ),
            "pace_chart": share_bars(pace_rows) if pace_rows else None,
            "pace_words": [(key, PACE_WORDS[key]) for key in PACE_KEYS],
            "pace_total": [board.pace_total[key] for key in PACE_KEYS],
            "month_chart": month_chart(board.months) if board.months else None,
            "stalled_pages": range(1, board.stalled.pages + 1),
        },
    )


# ---- the equity view -------------------------------------------------------------------------


@login_required
@require_safe
@not_visible_is_404
def equity_page(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request.user, request.GET.get("school") or None)
    view = equity_view(
        scope,
        by=request.GET.get("by", "sex"),
        competency_id=request.GET.get("competency") or None,
    )
    if format := export_format(request):
        headers, rows = equity_table(view)
        name = _("Equity %(by)s %(code)s %(scope)s") % {
            "by": view.by_label,
            "code": view.competency.code if view.competency else "",
            "scope": scope.name,
        }
        return table_response(name=name, headers=headers, rows=rows, format=format)
    chart_rows = [
        (
            line.label,
            line.label,
            {key: line.cells[key].count for key in PACE_KEYS} if line.drawable else None,
            "" if line.drawable else _("not drawn: a figure is suppressed"),
        )
        for line in view.lines
    ]
    return render(
        request,
        "reports/dashboard_equity.html",
        {
            "scope": scope,
            "view": view,
            "groupings": list(BY.items()),
            "columns": [(key, COLUMN_WORDS[key]) for key in COLUMNS],
            "chart": share_bars(chart_rows) if view.competency else None,
            "pace_words": [(key, PACE_WORDS[key]) for key in PACE_KEYS],
            "note": suppression_note() if view.suppressing else "",
            "minimum": MINIMUM_GROUP,
        },
    )
