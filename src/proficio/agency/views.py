"""Pages of agency: a student's goals and check-ins (their own, or read by their guardians
and staff), one goal with its steps and conversation, a mentor's check-ins due, and the
admins' page of mentors and the check-in cadence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.agency.digest import digest_choose
from proficio.agency.forms import (
    CheckInForm,
    CommentForm,
    GoalForm,
    GoalStatusForm,
    ReflectionForm,
)
from proficio.agency.permissions import may_write_goal, mentors_student
from proficio.agency.selectors import (
    check_in_days,
    check_in_get,
    check_ins_due,
    check_ins_of,
    goal_get,
    goals_of,
)
from proficio.agency.services import (
    check_in_record,
    check_in_reflect,
    goal_comment,
    goal_status_set,
    goal_step_tick,
    goal_write,
)
from proficio.agency.viewing import record_listed, record_view, student_only
from proficio.frameworks.api import competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import Role, is_self, roles_of, student_get


@require_safe
@login_required
def my_goals(request: HttpRequest) -> HttpResponse:
    """A student's own goals and check-ins."""
    student_only(request.user)
    return _goals_page(request, request.user)


@require_safe
@login_required
@not_visible_is_404
def student_goals(request: HttpRequest, student_id: str) -> HttpResponse:
    """A student's goals (and check-ins, for their mentor and admins), read by those who may."""
    student = student_get(user=request.user, student_id=student_id)
    record_view(request.user, student, "goals")
    return _goals_page(request, student)


def _goals_page(
    request: HttpRequest, student, *, check_in_form: CheckInForm | None = None, status=200
) -> HttpResponse:
    goals = goals_of(user=request.user, student=student)
    mentor = mentors_student(request.user, student)
    if mentor and check_in_form is None:
        check_in_form = CheckInForm(
            goals=[goal for goal in goals if goal.status == "working"],
            initial={"happened_on": timezone.localdate()},
        )
    return render(
        request,
        "agency/goals.html",
        {
            "student": student,
            "own": is_self(request.user, student),
            "goals": goals,
            "check_ins": check_ins_of(user=request.user, student=student),
            "check_in_form": check_in_form if mentor else None,
            "reflection_form": ReflectionForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def goal_new(request: HttpRequest) -> HttpResponse:
    """The student sets a goal."""
    student_only(request.user)
    competencies = list(competency_list_visible_to(request.user))
    form = GoalForm(request.POST or None, competencies=competencies)
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_write(actor=request.user, student=request.user, **form.goal())
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Your goal is set."))
            return redirect("agency:goal", goal_id=goal.uuid)
    status = 422 if request.method == "POST" else 200
    return render(request, "agency/goal_form.html", {"form": form, "goal": None}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def goal_edit(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal = goal_get(user=request.user, goal_id=goal_id)
    if not may_write_goal(request.user, goal):
        raise Http404("Only the student changes their goal.")
    competencies = list(competency_list_visible_to(request.user))
    initial = {
        "title": goal.title,
        "why": goal.why,
        "competency": str(goal.competency.uuid) if goal.competency else "",
        "stage": goal.stage.ordinal if goal.stage else None,
        "target_date": goal.target_date,
        "steps": "\n".join(step.text for step in goal.steps.all()),
    }
    form = GoalForm(request.POST or None, competencies=competencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            goal_write(actor=request.user, student=request.user, goal=goal, **form.goal())
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("agency:goal", goal_id=goal.uuid)
    status = 422 if request.method == "POST" else 200
    return render(request, "agency/goal_form.html", {"form": form, "goal": goal}, status=status)


@require_safe
@login_required
@not_visible_is_404
def goal_page(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal = goal_get(user=request.user, goal_id=goal_id)
    return _goal_page(request, goal)


def _goal_page(request: HttpRequest, goal, *, status_form=None, comment_form=None, status=200):
    record_view(request.user, goal.student, "goal")
    writes = may_write_goal(request.user, goal)
    return render(
        request,
        "agency/goal.html",
        {
            "goal": goal,
            "student": goal.student,
            "own": writes,
            "status_form": status_form
            or (GoalStatusForm(initial={"status": goal.status}) if writes else None),
            "comment_form": comment_form or CommentForm(),
        },
        status=status,
    )


@require_POST
@login_required
@not_visible_is_404
def goal_step(request: HttpRequest, goal_id: str, step_id: int) -> HttpResponse:
    """The student ticks a step done, or opens it again."""
    goal = goal_get(user=request.user, goal_id=goal_id)
    step = next((s for s in goal.steps.all() if s.pk == step_id), None)
    if step is None or not may_write_goal(request.user, goal):
        raise Http404("No such step of yours.")
    goal_step_tick(actor=request.user, step=step, done=request.POST.get("done") == "1")
    return redirect("agency:goal", goal_id=goal.uuid)


@require_POST
@login_required
@not_visible_is_404
def goal_status(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal = goal_get(user=request.user, goal_id=goal_id)
    if not may_write_goal(request.user, goal):
        raise Http404("Only the student changes their goal.")
    form = GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            goal_status_set(actor=request.user, goal=goal, **form.cleaned_data)
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("agency:goal", goal_id=goal.uuid)
    return _goal_page(request, goal, status_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def goal_comment_view(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal = goal_get(user=request.user, goal_id=goal_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            goal_comment(actor=request.user, goal=goal, text=form.cleaned_data["text"])
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            return redirect(f"{reverse('agency:goal', args=[goal.uuid])}#comments")
    return _goal_page(request, goal, comment_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def check_in_new(request: HttpRequest, student_id: str) -> HttpResponse:
    """A mentor records a check-in with a student they mentor."""
    student = student_get(user=request.user, student_id=student_id)
    if not mentors_student(request.user, student):
        raise Http404("Only the student's mentor records a check-in.")
    goals = [g for g in goals_of(user=request.user, student=student) if g.status == "working"]
    form = CheckInForm(request.POST, goals=goals)
    if form.is_valid():
        data = form.cleaned_data
        try:
            check_in_record(
                mentor=request.user,
                student=student,
                happened_on=data["happened_on"],
                notes=data["notes"],
                actions=data["actions"],
                goals=form.chosen_goals(),
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Check-in recorded."))
            return redirect("agency:student_goals", student_id=student.uuid)
    return _goals_page(request, student, check_in_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def check_in_reflection(request: HttpRequest, check_in_id: str) -> HttpResponse:
    """The student writes their reflection on a check-in."""
    check_in = check_in_get(user=request.user, check_in_id=check_in_id)
    if not is_self(request.user, check_in.student):
        raise Http404("Only the student reflects on their check-in.")
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            check_in_reflect(
                student=request.user,
                check_in=check_in,
                reflection=form.cleaned_data["reflection"],
            )
        except InvalidInput as invalid:
            messages.error(request, next(iter(invalid.errors.values())))
        else:
            messages.success(request, _("Your reflection is saved."))
    else:
        messages.error(request, _("Write your reflection first."))
    return redirect(f"{reverse('agency:goals')}#check-in-{check_in.uuid}")


@require_safe
@login_required
def mentoring(request: HttpRequest) -> HttpResponse:
    """A teacher's mentees, the check-ins due first."""
    if Role.TEACHER not in roles_of(request.user):
        raise Http404("Mentoring is a teacher's.")
    due = check_ins_due(mentor=request.user)
    format = export_format(request)
    record_listed(
        request.user,
        [item.mentorship.student for item in due],
        f"mentoring ({format})" if format else "mentoring",
    )
    if format:
        return table_response(
            name=_("Check-ins due"),
            headers=[_("Student"), _("Last check-in"), _("Next due"), _("Goals worked on")],
            rows=(
                [item.mentorship.student.display_name, item.last, item.due, item.goals_working]
                for item in due
            ),
            format=format,
        )
    return render(
        request,
        "agency/mentoring.html",
        {"due": due, "days": check_in_days(request.user.district_id) if due else None},
    )


@require_POST
@login_required
@not_visible_is_404
def digest_choice(request: HttpRequest) -> HttpResponse:
    """A guardian turns the weekly email about their children on or off."""
    if Role.GUARDIAN not in roles_of(request.user):
        raise Http404("The weekly email is for guardians.")
    weekly = request.POST.get("weekly") == "1"
    digest_choose(guardian=request.user, weekly=weekly)
    messages.success(
        request,
        _("You will get a weekly email about your children.")
        if weekly
        else _("No more weekly email. Your family page stays as it is."),
    )
    return redirect("guardian_home")
