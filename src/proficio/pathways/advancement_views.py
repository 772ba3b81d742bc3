"""Pages of advancement and of a teacher's day: the Today page (who needs what next), an
advancement record (confirm, decide), and the district's advancement gate."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.audit import api as audit
from proficio.frameworks.api import competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.api import stalled_in_sections
from proficio.pathways.advancement import (
    advancement_accelerate,
    advancement_confirm,
    advancement_decide,
    answers_for,
    gate_of,
    gate_set,
    gate_waits,
    gate_waits_many,
    proposals_sync,
)
from proficio.pathways.forms import GroupSizesForm
from proficio.pathways.groups import (
    GROUP_SIZE_LEAST,
    GROUP_SIZE_MOST,
    group_disband,
    group_get,
    group_members,
    group_sizes_set,
    group_write,
    groups_suggested,
    groups_taught_by,
)
from proficio.pathways.models import AdvancementGate, Decision, GateMode
from proficio.pathways.permissions import may_write_playlists
from proficio.pathways.selectors import advancement_get, advancements_visible_to
from proficio.pathways.supports import supports_now
from proficio.people.api import (
    Role,
    districts_administered_by,
    is_self,
    roles_of,
    section_students,
    sections_of_course,
    sections_taught_by,
    student_get,
    students_served_by,
    teachers_of_district,
)
from proficio.work.api import review_waiting_count


@require_safe
@login_required
def today(request: HttpRequest) -> HttpResponse:
    """A teacher's day: students ready to advance (Proficio proposes when a course is
    complete), work waiting for review, stalled and behind students."""
    if not may_write_playlists(request.user):
        raise Http404("Today is a teacher's page.")
    sections = list(sections_taught_by(request.user).select_related("course"))
    students = {
        student.pk: student
        for section in sections
        for student in section_students(user=request.user, section=section)
    }
    proposals_sync(students=list(students.values()), sections=sections)
    open_advancements = list(
        advancements_visible_to(request.user).filter(student__in=list(students), decision="")
    )
    format = export_format(request)
    if format and request.GET.get("table") == "stalled":
        return _stalled_export(request, format)
    if format:
        return _advancements_export(request, open_advancements, format)
    stalled = (
        stalled_in_sections(user=request.user) if Role.TEACHER in roles_of(request.user) else []
    )
    shown = {a.student.pk: a.student for a in open_advancements}
    shown |= {row.student.pk: row.student for part in stalled for row in part.shown}
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=shown.values(),
        data={"via": "today"},
    )
    supported = supports_now(
        user=request.user, students=[row.student for part in stalled for row in part.shown]
    )
    return render(
        request,
        "pathways/today.html",
        {
            "advancements": list(
                zip(open_advancements, gate_waits_many(open_advancements), strict=True)
            ),
            "waiting": review_waiting_count(user=request.user),
            "meeting": [
                (group, group_members(group))
                for group in groups_taught_by(request.user)
                if timezone.localdate().weekday() in group.weekdays
            ],
            "stalled": [
                (part, [(row, supported.get(row.student.pk, [])) for row in part.shown])
                for part in stalled
            ],
            "stalled_more": sum(part.more for part in stalled),
            "stalled_total": sum(len(part.pairs) for part in stalled),
        },
    )


def _advancements_export(request: HttpRequest, advancements: list, format: str) -> HttpResponse:
    """Today's "Ready to advance" as a download, as the page lists it."""
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students={a.student.pk: a.student for a in advancements}.values(),
        data={"via": "today", "export": format},
    )
    yes, no = _("yes"), _("no")
    return table_response(
        name=_("Ready to advance"),
        headers=[
            _("Student"),
            _("Course"),
            _("Kind"),
            _("Teacher confirmed"),
            _("Student confirmed"),
            _("Waits for a standardized result"),
        ],
        rows=(
            [
                advancement.student.display_name,
                advancement.course.title,
                advancement.get_kind_display(),
                yes if advancement.teacher_confirmed_at else no,
                yes if advancement.student_confirmed_at else no,
                yes if waits else no,
            ]
            for advancement, waits in zip(advancements, gate_waits_many(advancements), strict=True)
        ),
        format=format,
    )


def _stalled_export(request: HttpRequest, format: str) -> HttpResponse:
    """Today's stalled students as a download: every one in the teacher's sections, not only
    the first few of each that the page lists, with the reason and the supports in place."""
    stalled = (
        stalled_in_sections(user=request.user, shown=10**9)
        if Role.TEACHER in roles_of(request.user)
        else []
    )
    rows = [row for part in stalled for row in part.shown]
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students={row.student.pk: row.student for row in rows}.values(),
        data={"via": "today: stalled", "export": format},
    )
    supported = supports_now(user=request.user, students=[row.student for row in rows])
    return table_response(
        name=_("Stalled"),
        headers=[_("Section"), _("Student"), _("Competency"), _("Why"), _("Supports")],
        rows=(
            [
                row.section.name,
                row.student.display_name,
                f"{row.competency.code} {row.competency.title}",
                row.pace.stall_reason,
                ", ".join(
                    support.get_kind_display() for support in supported.get(row.student.pk, [])
                ),
            ]
            for row in rows
        ),
        format=format,
    )


@require_safe
@login_required
@not_visible_is_404
def advancement_page(request: HttpRequest, advancement_id: str) -> HttpResponse:
    advancement = advancement_get(user=request.user, advancement_id=advancement_id)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=[advancement.student],
        data={"via": "advancement"},
    )
    return _record(request, advancement)


def _record(request, advancement, status: int = 200) -> HttpResponse:
    student = advancement.student
    staff = answers_for(request.user, advancement)
    sections = []
    if staff and advancement.open and advancement.next_course is not None:
        sections = list(
            sections_of_course(
                course_id=advancement.next_course_id, district_id=student.district_id
            )
        )
    return render(
        request,
        "pathways/advancement.html",
        {
            "advancement": advancement,
            "student": student,
            "is_student": is_self(request.user, student),
            "staff": staff,
            "waits": gate_waits(advancement) if advancement.open else "",
            "gate": gate_of(student.district_id),
            "sections": sections,
            "decisions": Decision.choices,
        },
        status=status,
    )


@require_POST
@login_required
@not_visible_is_404
def advancement_confirm_view(request: HttpRequest, advancement_id: str) -> HttpResponse:
    advancement = advancement_get(user=request.user, advancement_id=advancement_id)
    try:
        advancement_confirm(actor=request.user, advancement=advancement)
    except InvalidInput as invalid:
        messages.error(request, next(iter(invalid.errors.values())))
    else:
        messages.success(request, _("Confirmed."))
    return redirect("pathways:advancement", advancement_id=advancement.uuid)


@require_POST
@login_required
@not_visible_is_404
def advancement_decide_view(request: HttpRequest, advancement_id: str) -> HttpResponse:
    advancement = advancement_get(user=request.user, advancement_id=advancement_id)
    section = None
    if request.POST.get("section") and advancement.next_course is not None:
        section = (
            sections_of_course(
                course_id=advancement.next_course_id, district_id=advancement.student.district_id
            )
            .filter(uuid=request.POST["section"])
            .first()
        )
    try:
        advancement_decide(
            actor=request.user,
            advancement=advancement,
            decision=request.POST.get("decision", ""),
            rationale=request.POST.get("rationale", ""),
            next_steps=request.POST.get("next_steps", ""),
            section=section,
        )
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
        return _record(request, advancement, status=422)
    messages.success(request, _("The decision is recorded."))
    return redirect("pathways:advancement", advancement_id=advancement.uuid)


@require_POST
@login_required
@not_visible_is_404
def accelerate_view(request: HttpRequest, student_id: str) -> HttpResponse:
    student = student_get(user=request.user, student_id=student_id)
    try:
        advancement = advancement_accelerate(
            actor=request.user, student=student, note=request.POST.get("note", "")
        )
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
        return redirect("pathways:student_next_steps", student_id=student.uuid)
    return redirect("pathways:advancement", advancement_id=advancement.uuid)


def _gate_district(request: HttpRequest):
    district = districts_administered_by(request.user).first()
    if district is None:
        raise Http404("The district's admins set the advancement gate and the group sizes.")
    return district


def _gate_render(
    request: HttpRequest, district, *, sizes_form: GroupSizesForm | None = None, status=200
) -> HttpResponse:
    gate = gate_of(district.pk)
    return render(
        request,
        "pathways/gate.html",
        {
            "gate": gate,
            "modes": GateMode.choices,
            "district": district,
            "least": GROUP_SIZE_LEAST,
            "most": GROUP_SIZE_MOST,
            "default_min": AdvancementGate._meta.get_field("group_size_min").default,
            "default_max": AdvancementGate._meta.get_field("group_size_max").default,
            "sizes_form": sizes_form
            or GroupSizesForm(
                initial={
                    "group_size_min": gate.group_size_min,
                    "group_size_max": gate.group_size_max,
                }
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def gate_page(request: HttpRequest) -> HttpResponse:
    """The district's design choices of advancement: does a standardized measure confirm
    it? Beside it, the sizes of the flexible groups Proficio suggests."""
    district = _gate_district(request)
    if request.method == "POST":
        raw = request.POST.get("threshold", "").strip()
        try:
            threshold = Decimal(raw) if raw else None
        except InvalidOperation:
            messages.error(request, _("The threshold is a number, such as 3."))
            return redirect("pathways:gate")
        try:
            gate_set(
                actor=request.user,
                district_id=district.pk,
                mode=request.POST.get("mode", ""),
                threshold=threshold,
            )
        except InvalidInput as invalid:
            for message in invalid.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("The advancement gate is saved."))
        return redirect("pathways:gate")
    return _gate_render(request, district)


@require_POST
@login_required
def group_sizes_view(request: HttpRequest) -> HttpResponse:
    """A district admin sets the sizes of the groups Proficio suggests; a refused size comes
    back beside its field."""
    district = _gate_district(request)
    form = GroupSizesForm(request.POST)
    if form.is_valid():
        try:
            group_sizes_set(
                actor=request.user,
                district_id=district.pk,
                minimum=form.cleaned_data["group_size_min"],
                maximum=form.cleaned_data["group_size_max"],
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The group sizes are saved."))
            return redirect(reverse("pathways:gate") + "#groups")
    return _gate_render(request, district, sizes_form=form, status=422)


@require_http_methods(["GET", "POST"])
@login_required
def groups_page(request: HttpRequest) -> HttpResponse:
    """A teacher's flexible groups, and groups Proficio suggests for a competency: students
    at the same working stage, across sections and ages."""
    if not may_write_playlists(request.user):
        raise Http404("Groups are formed by teachers.")
    competencies = list(competency_list_visible_to(request.user).prefetch_related("stages"))
    chosen = next(
        (c for c in competencies if str(c.uuid) == request.GET.get("competency")),
        competencies[0] if competencies else None,
    )
    if request.method == "POST":
        stage = next(
            (
                s
                for c in competencies
                for s in c.stages.all()
                if str(s.pk) == request.POST.get("stage")
            ),
            None,
        )
        chosen_students = list(
            students_served_by(request.user).filter(uuid__in=request.POST.getlist("students"))
        )
        days = [int(day) for day in request.POST.getlist("days") if day.isdigit()]
        try:
            if stage is None:
                raise InvalidInput({"stage": "Choose the stage the group works on."})
            group_write(
                actor=request.user,
                stage=stage,
                name=request.POST.get("name", ""),
                students=chosen_students,
                support=request.POST.get("support", ""),
                meets=request.POST.get("meets", ""),
                meeting_days=days,
            )
        except InvalidInput as invalid:
            for message in invalid.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("The group is formed: its teachers see its students."))
        return redirect(
            f"{reverse('pathways:groups')}?competency={stage.competency.uuid if stage else ''}"
        )
    suggested, left_out = (
        groups_suggested(user=request.user, competency=chosen) if chosen else ([], [])
    )
    shown = {s.pk: s for group in suggested for s in group.students} | {s.pk: s for s in left_out}
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=shown.values(),
        data={"via": "groups"},
    )
    mine = [(group, group_members(group)) for group in groups_taught_by(request.user)]
    return render(
        request,
        "pathways/groups.html",
        {
            "competencies": competencies,
            "chosen": chosen,
            "suggested": suggested,
            "left_out": left_out,
            "groups": mine,
            "weekdays": WEEKDAYS,
        },
    )


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri")]


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def group_page(request: HttpRequest, group_id: str) -> HttpResponse:
    """A group's teachers change who is in it, who teaches it, when it meets — or end it."""
    group = group_get(user=request.user, group_id=group_id)
    if request.method == "POST":
        if "disband" in request.POST:
            group_disband(actor=request.user, group=group)
            messages.success(request, _("The group has ended; its history is kept."))
            return redirect("pathways:groups")
        teachers = [
            teacher
            for teacher in teachers_of_district(district_id=request.user.district_id)
            if str(teacher.uuid) in request.POST.getlist("teachers")
        ]
        try:
            group_write(
                actor=request.user,
                stage=group.stage,
                name=request.POST.get("name", ""),
                students=list(
                    students_served_by(request.user).filter(
                        uuid__in=request.POST.getlist("students")
                    )
                ),
                teachers=teachers,
                support=request.POST.get("support", ""),
                meets=request.POST.get("meets", ""),
                meeting_days=[int(d) for d in request.POST.getlist("days") if d.isdigit()],
                group=group,
            )
        except InvalidInput as invalid:
            for message in invalid.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("The group is saved."))
        return redirect("pathways:group", group_id=group.uuid)
    members = group_members(group)
    candidates, _left_out = groups_suggested(user=request.user, competency=group.stage.competency)
    at_stage = {
        student.pk: student
        for suggestion in candidates
        if suggestion.stage.pk == group.stage_id
        for student in suggestion.students
    }
    offered = {student.pk: student for student in members} | at_stage
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=offered.values(),
        data={"via": "group"},
    )
    return render(
        request,
        "pathways/group.html",
        {
            "group": group,
            "members": {student.pk for student in members},
            "offered": sorted(offered.values(), key=lambda s: (s.last_name, s.first_name)),
            "teachers": teachers_of_district(district_id=request.user.district_id),
            "group_teachers": set(group.group.teachers.values_list("pk", flat=True)),
            "weekdays": WEEKDAYS,
        },
    )
