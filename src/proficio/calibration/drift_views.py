"""Drift pages: a teacher's own reading against the group's consensus over time, with
examples; for school and district admins, everyone's, the trend of agreement across
sessions, and the district's settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from proficio.calibration.forms import SettingsForm
from proficio.calibration.selectors import (
    drift_of_all,
    drift_of_self,
    may_see_drift_of_all,
    settings_of,
)
from proficio.calibration.services import calibration_settings_set
from proficio.calibration.viewing import staff_only
from proficio.lib.errors import InvalidInput
from proficio.lib.exports import export_format, table_response
from proficio.people.api import district_admin_of

CHART_WIDTH, CHART_HEIGHT = 560, 160


@require_safe
@login_required
def my_drift(request: HttpRequest) -> HttpResponse:
    staff_only(request.user)
    drift = drift_of_self(user=request.user)
    if format := export_format(request):
        return table_response(
            name=_("My drift"),
            headers=[_("Competency"), *_summary_headers()],
            rows=(
                [
                    [_("All competencies"), *_summary(drift.overall)],
                    *(
                        [f"{competency.code} · {competency.title}", *_summary(row)]
                        for competency, row in drift.by_competency.items()
                    ),
                ]
                if drift
                else []
            ),
            format=format,
        )
    settings = settings_of(request.user.district_id)
    return render(
        request,
        "calibration/drift.html",
        {
            "drift": drift,
            "threshold": settings.drift_threshold,
            "minimum": settings.drift_minimum,
            "trend": _difference_points(drift.by_session) if drift else [],
        },
    )


def _summary_headers() -> list[str]:
    return [
        _("Ratings"),
        _("Mean difference"),
        _("Direction"),
        _("Exact (%)"),
        _("Within one (%)"),
    ]


def _summary(row) -> list:
    """A drift row's numbers as the page shows them (rates in whole percent)."""

    def percent(rate: float | None) -> int | None:
        return None if rate is None else round(rate * 100)

    return [
        row.ratings,
        None if row.mean is None else round(row.mean, 2),
        str(row.direction),
        percent(row.exact_rate),
        percent(row.adjacent_rate),
    ]


def _everyone_export(request: HttpRequest, format: str) -> HttpResponse:
    """Everyone's drift as a download: a row per teacher, a column per competency's mean."""
    district = drift_of_all(user=request.user)
    competencies = sorted(
        {c for drift in district.teachers for c in drift.by_competency}, key=lambda c: c.code
    )
    yes = _("drifting")
    return table_response(
        name=_("Everyone's drift"),
        headers=[
            _("Teacher"),
            *_summary_headers(),
            _("Flagged"),
            *(f"{competency.code} {_('mean difference')}" for competency in competencies),
        ],
        rows=(
            [
                drift.teacher.display_name,
                *_summary(drift.overall),
                yes if drift.flagged else "",
                *(
                    _summary(drift.by_competency[c])[1] if c in drift.by_competency else None
                    for c in competencies
                ),
            ]
            for drift in district.teachers
        ),
        format=format,
    )


def _difference_points(by_session) -> list[dict]:
    """Each session's mean difference as a point of a chart from -2 to +2 levels."""
    if not by_session:
        return []
    step = CHART_WIDTH / max(len(by_session) - 1, 1)
    points = []
    for n, (session, mean) in enumerate(by_session):
        clamped = max(-2.0, min(2.0, mean))
        points.append(
            {
                "session": session,
                "mean": mean,
                "x": round(20 + n * step * (CHART_WIDTH - 40) / CHART_WIDTH, 1),
                "y": round(CHART_HEIGHT / 2 - clamped * (CHART_HEIGHT / 2 - 12) / 2, 1),
            }
        )
    return points


def _alpha_points(alphas) -> list[dict]:
    """Each session's α as a point of a chart from 0 to 1 (below 0 drawn at 0)."""
    if not alphas:
        return []
    step = (CHART_WIDTH - 40) / max(len(alphas) - 1, 1)
    return [
        {
            "session": session,
            "alpha": alpha,
            "x": round(20 + n * step, 1),
            "y": round(CHART_HEIGHT - 12 - max(0.0, alpha or 0.0) * (CHART_HEIGHT - 24), 1),
        }
        for n, (session, alpha) in enumerate(alphas)
    ]


def _everyone_page(request, form: SettingsForm, status=200) -> HttpResponse:
    if not may_see_drift_of_all(request.user):
        raise Http404("Everyone's drift is for school and district admins.")
    district = drift_of_all(user=request.user)
    points = _alpha_points(district.alphas)
    return render(
        request,
        "calibration/drift_teachers.html",
        {
            "district": district,
            "points": points,
            "polyline": " ".join(f"{p['x']},{p['y']}" for p in points if p["alpha"] is not None),
            "reliable_y": round(CHART_HEIGHT - 12 - 0.8 * (CHART_HEIGHT - 24), 1),
            "tentative_y": round(CHART_HEIGHT - 12 - 0.667 * (CHART_HEIGHT - 24), 1),
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "settings_form": form
            if district_admin_of(request.user, request.user.district)
            else None,
        },
        status=status,
    )


@require_safe
@login_required
def everyone_drift(request: HttpRequest) -> HttpResponse:
    staff_only(request.user)
    if format := export_format(request):
        if not may_see_drift_of_all(request.user):
            raise Http404("Everyone's drift is for school and district admins.")
        return _everyone_export(request, format)
    settings = settings_of(request.user.district_id)
    form = SettingsForm(
        initial={
            "drift_threshold": settings.drift_threshold,
            "drift_minimum": settings.drift_minimum,
            "calibrate_first": settings.calibrate_first,
        }
    )
    return _everyone_page(request, form)


@require_POST
@login_required
def settings_change(request: HttpRequest) -> HttpResponse:
    staff_only(request.user)
    if not district_admin_of(request.user, request.user.district):
        raise Http404("The district's admins set calibration.")
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            calibration_settings_set(
                actor=request.user, district=request.user.district, **form.cleaned_data
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Saved the calibration settings."))
            return redirect("calibration:everyone_drift")
    return _everyone_page(request, form, status=422)
