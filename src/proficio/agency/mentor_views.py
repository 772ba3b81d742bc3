"""The admins' page of mentors: find students they administer, give each a mentor or end a
mentorship, and set the district's check-in cadence."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from proficio.agency.forms import CadenceForm, MentorForm
from proficio.agency.selectors import check_in_days
from proficio.agency.services import check_in_cadence_set
from proficio.agency.viewing import record_listed
from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404, visible_get
from proficio.people.api import (
    Mentorship,
    Role,
    district_admin_of,
    mentorship_begin,
    mentorship_end,
    mentorships_open,
    roles_of,
    students_administered_by,
    teachers_of_district,
)

SHOWN = 25
ADMIN_ROLES = {Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN}


def _admin_only(request: HttpRequest) -> None:
    if not ADMIN_ROLES & set(roles_of(request.user)):
        raise Http404("Mentors are set by admins.")


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page, with the search the form came from."""
    query = urlencode({"q": request.POST.get("q", "")})
    return redirect(f"{reverse('agency:mentors')}?{query}")


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def mentors_page(request: HttpRequest) -> HttpResponse:
    """Search students by name; each found one with their mentors and a form to add one."""
    _admin_only(request)
    user = request.user
    district = user.district
    teachers = teachers_of_district(district_id=user.district_id)
    if request.method == "POST":
        form = MentorForm(request.POST, teachers=teachers)
        student = visible_get(
            students_administered_by(user), request.POST.get("student"), "student"
        )
        if form.is_valid():
            try:
                mentorship_begin(
                    actor=user,
                    mentor=form.teachers[form.cleaned_data["mentor"]],
                    student=student,
                )
            except InvalidInput as invalid:
                messages.error(request, next(iter(invalid.errors.values())))
            else:
                messages.success(
                    request,
                    _("%(mentor)s mentors %(student)s now.")
                    % {
                        "mentor": form.teachers[form.cleaned_data["mentor"]].display_name,
                        "student": student.display_name,
                    },
                )
        return _back(request)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        words = Q()
        for word in query.split()[:3]:
            words &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__iexact=word)
            )
        found = list(
            students_administered_by(user).filter(words).order_by("last_name", "first_name")[:SHOWN]
        )
    record_listed(user, found, "mentors")
    mentors: dict[int, list[Mentorship]] = {}
    for mentorship in mentorships_open(students=found):
        mentors.setdefault(mentorship.student_id, []).append(mentorship)
    is_district_admin = district_admin_of(user, district)
    return render(
        request,
        "agency/mentors.html",
        {
            "query": query,
            "found": [(student, mentors.get(student.pk, [])) for student in found],
            "shown": SHOWN,
            "teachers": teachers,
            "cadence_form": CadenceForm(initial={"days": check_in_days(user.district_id)})
            if is_district_admin
            else None,
            "days": check_in_days(user.district_id),
        },
    )


@require_POST
@login_required
@not_visible_is_404
def mentorship_end_view(request: HttpRequest, mentorship_id: str) -> HttpResponse:
    _admin_only(request)
    scope = mentorships_open(students=students_administered_by(request.user))
    mentorship = visible_get(scope, mentorship_id, "mentorship")
    mentorship_end(actor=request.user, mentorship=mentorship)
    messages.success(
        request,
        _("%(mentor)s no longer mentors %(student)s.")
        % {"mentor": mentorship.mentor.display_name, "student": mentorship.student.display_name},
    )
    return _back(request)


@require_POST
@login_required
@not_visible_is_404
def cadence_view(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = CadenceForm(request.POST)
    if form.is_valid():
        try:
            check_in_cadence_set(
                actor=request.user, district=request.user.district, days=form.cleaned_data["days"]
            )
        except InvalidInput as invalid:
            messages.error(request, next(iter(invalid.errors.values())))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Use a whole number of days from 1 to 90."))
    return redirect("agency:mentors")
