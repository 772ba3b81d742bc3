"""A student's trajectory in one competency over time, drawn on request: the student page
opens it in place (htmx) under each competency, so the page itself never replays a trajectory;
without JavaScript the same address is a page of its own."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from proficio.audit import api as audit
from proficio.frameworks.api import competency_get
from proficio.lib.errors import NotVisible
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.forms import AsOfForm
from proficio.mastery.selectors.trajectories import trajectory_of
from proficio.mastery.trajectory_chart import trajectory_chart
from proficio.people.api import student_get


@login_required
@require_safe
@not_visible_is_404
def student_trajectory(request: HttpRequest, student_id: str, competency_id: str) -> HttpResponse:
    """From the first rating to today (or the day the student page shows): the stage reached,
    each rating, and the numbers behind them; for whoever may open the student page."""
    student = student_get(user=request.user, student_id=student_id)
    competency = competency_get(user=request.user, competency_id=competency_id)
    if competency.framework.district_id != student.district_id:
        raise NotVisible(f"No competency {competency_id} for this student.")
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.cleaned_data["as_of"] if as_of_form.is_valid() else None
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=[student],
        data={"via": "trajectory", "competency": competency.code}
        | ({"as_of": as_of.isoformat()} if as_of else {}),
    )
    until = as_of or timezone.localdate()
    trajectory = trajectory_of(student=student, competency=competency, until=until)
    context = {
        "student": student,
        "competency": competency,
        "trajectory": trajectory,
        "chart": trajectory_chart(trajectory, start=until, until=until)
        if trajectory.steps
        else None,
        "as_of": as_of,
        "is_self": request.user.pk == student.pk,
    }
    template = "mastery/_trajectory.html" if request.htmx else "mastery/student_trajectory.html"
    response = render(request, template, context)
    # The same address answers the student page's fragment (htmx) or a whole page.
    patch_vary_headers(response, ["HX-Request"])
    return response
