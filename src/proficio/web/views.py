"""The home page each person lands on, chosen by the roles they hold."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from proficio.agency.api import family_agency, wants_digest
from proficio.audit import api as audit
from proficio.mastery.api import ChildProgress, children_progress, stalled_in_sections
from proficio.onboarding.api import district_needs_setup
from proficio.people.api import (
    Role,
    children_of,
    feedback_withheld_ids,
    roles_of,
    sections_served_by,
)
from proficio.work.api import recent_work_of

STAFF_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """A fresh installation goes to its setup; then, once signed in, staff see their
    sections, a student goes to their work and a guardian to their children."""
    if district_needs_setup():
        return redirect("onboarding:setup")
    return _home(request)


@login_required
def _home(request: HttpRequest) -> HttpResponse:
    roles = set(roles_of(request.user))
    if roles & STAFF_ROLES:
        stalled = stalled_in_sections(user=request.user) if Role.TEACHER in roles else []
        # The stalled list names students and their pace: a view of each one shown.
        shown = {work.student.pk: work.student for part in stalled for work in part.shown}
        audit.record_views(
            actor=request.user,
            action=audit.STUDENTS_LISTED,
            students=shown.values(),
            data={"via": "home: stalled"},
        )
        return render(
            request,
            "web/staff_home.html",
            {
                "sections": sections_served_by(request.user),
                "teaches": Role.TEACHER in roles,
                "stalled": stalled,
                "children": children_of(request.user) if Role.GUARDIAN in roles else [],
                "is_student": Role.STUDENT in roles,
                "administers_district": Role.DISTRICT_ADMIN in roles,
                "administers_school": Role.SCHOOL_ADMIN in roles,
            },
        )
    if Role.GUARDIAN in roles:
        return redirect("guardian_home")
    if Role.STUDENT in roles:
        return redirect("work:home")
    return render(request, "web/no_role.html")


@login_required
@require_safe
def guardian_home(request: HttpRequest) -> HttpResponse:
    """Each child with, per competency, a plain on-track word, their latest work and their
    teacher's latest words; and the child's teachers, to contact. Readable on a phone."""
    roles = set(roles_of(request.user))
    if Role.GUARDIAN not in roles:
        raise Http404(_("This page is for guardians."))
    children = list(children_of(request.user))
    work = recent_work_of(user=request.user, students=children)
    agency = family_agency(user=request.user, students=children)
    # The district may keep teachers' written feedback between the teacher and the student.
    withheld = feedback_withheld_ids(user=request.user, students=children)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=children,
        data={"via": "family page"},
    )
    return render(
        request,
        "web/guardian_home.html",
        {
            "summaries": [
                (
                    _without_feedback(summary) if summary.child.pk in withheld else summary,
                    work.get(summary.child.pk, []),
                    agency[summary.child.pk],
                    summary.child.pk in withheld,
                )
                for summary in children_progress(children=children)
            ],
            "is_student": Role.STUDENT in roles,
            "weekly_email": wants_digest(request.user),
            # The weekly email tells of teachers' words only for children whose it may.
            "weekly_feedback": len(withheld) < len(children),
        },
    )


def _without_feedback(summary: ChildProgress) -> ChildProgress:
    return replace(summary, lines=[replace(line, teacher_words="") for line in summary.lines])
