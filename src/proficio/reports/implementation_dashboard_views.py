"""The implementation dashboard's page (issue 16, item 3): school admins read their school's,
district admins the district's or a school's. Each of its tables downloads as CSV or XLSX
(`?table=weeks|teachers|calibration|pilot&format=csv|xlsx`, the page's own filters kept).
Teachers, students, guardians and anyone else get the same 404 as a wrong address."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.reports.implementation_dashboard import (
    DEFAULT_WEEKS,
    KIND_LABELS,
    KINDS,
    TABLES,
    WEEK_CHOICES,
    dashboard_of,
    dashboard_viewer,
    period_of,
    pilot_table,
    sessions_table,
    table_of,
    teachers_table,
    weeks_table,
)
from proficio.reports.implementation_dashboard_charts import charts_of


class PeriodForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label=_("Weeks"),
        choices=[(n, n) for n in WEEK_CHOICES],
        coerce=int,
        required=False,
        initial=DEFAULT_WEEKS,
    )
    until = forms.DateField(
        label=_("Up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def period(self):
        data = self.cleaned_data if self.is_valid() else {}
        return period_of(until=data.get("until"), weeks=data.get("weeks") or DEFAULT_WEEKS)


@login_required
@require_safe
@not_visible_is_404
def implementation_dashboard_page(request: HttpRequest) -> HttpResponse:
    viewer = dashboard_viewer(request.user, request.GET.get("school") or None)
    form = PeriodForm(request.GET)
    period = form.period()
    dashboard = dashboard_of(viewer, period)
    if (format := export_format(request)) and (table := request.GET.get("table")) in TABLES:
        name, headers, rows = table_of(dashboard, table)
        return table_response(name=name, headers=headers, rows=rows, format=format)
    if not request.GET.get("until") and not request.GET.get("weeks"):
        form = PeriodForm(initial={"weeks": len(period.weeks), "until": period.until})
    return render(
        request,
        "reports/implementation_dashboard.html",
        {
            "viewer": viewer,
            "dashboard": dashboard,
            "charts": charts_of(dashboard),
            "form": form,
            "kinds": [(kind, KIND_LABELS[kind]) for kind in KINDS],
            "weeks_table": weeks_table(dashboard),
            "teachers_table": teachers_table(dashboard),
            "sessions_table": sessions_table(dashboard),
            "pilot_table": pilot_table(dashboard),
            "today": timezone.localdate(),
        },
    )
