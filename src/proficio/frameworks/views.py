"""Writing frameworks in the pages (district admins): a new competency and its trajectory;
the district's courses, read by everyone and written by its admins."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.frameworks.data import LevelSpec, StageSpec
from proficio.frameworks.forms import (
    CompetencyForm,
    CourseForm,
    FrameworkForm,
    LevelFormSet,
    ScaleForm,
    StageFormSet,
    stage_revision_formset,
)
from proficio.frameworks.permissions import courses_district_of, may_write_framework
from proficio.frameworks.selectors import (
    competency_list_visible_to,
    course_get,
    courses_visible_to,
    district_scales,
    framework_get,
)
from proficio.frameworks.services import (
    competency_revise,
    competency_write,
    course_write,
    framework_open_to_teachers,
    framework_write,
    scale_write,
)
from proficio.frameworks.services.authoring import DEFAULT_LEVELS
from proficio.lib.errors import InvalidInput, NotVisible


@login_required
@require_http_methods(["GET", "POST"])
def competency_new(request: HttpRequest, framework_id: uuid.UUID) -> HttpResponse:
    framework = _writable_framework(request, framework_id)
    form = CompetencyForm(request.POST or None)
    stages = StageFormSet(request.POST or None, prefix="stage")
    return _competency_page(request, framework, form, stages, write=competency_write)


@login_required
@require_http_methods(["GET", "POST"])
def competency_edit(
    request: HttpRequest, framework_id: uuid.UUID, competency_id: uuid.UUID
) -> HttpResponse:
    """Revise a competency and its trajectory: reword, add stages at the end, retire."""
    framework = _writable_framework(request, framework_id)
    competency = framework.competencies.filter(uuid=competency_id).first()
    if competency is None:
        raise Http404("No such competency in this framework.")
    initial = {
        "code": competency.code,
        "title": competency.title,
        "kind": competency.kind,
        "statement": competency.statement,
    }
    form = CompetencyForm(request.POST or None, initial=initial)
    stages = stage_revision_formset(competency, request.POST or None)
    return _competency_page(
        request, framework, form, stages, write=competency_revise, competency=competency
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_new(request: HttpRequest) -> HttpResponse:
    """A district admin makes a framework, then writes its competencies on its page."""
    district = _own_district(request)
    form = FrameworkForm(request.POST or None, scales=district_scales(district))
    if request.method == "POST" and form.is_valid():
        try:
            framework = framework_write(actor=request.user, district=district, **form.cleaned_data)
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            return redirect("interop:framework", framework.uuid)
    return render(request, "frameworks/framework_form.html", {"form": form})


@login_required
@require_safe
def scale_list(request: HttpRequest) -> HttpResponse:
    """The district's rating scales with their levels, for its admins."""
    district = _own_district(request)
    scales = district_scales(district).prefetch_related("levels")
    return render(request, "frameworks/scales.html", {"scales": scales})


@login_required
@require_http_methods(["GET", "POST"])
def scale_new(request: HttpRequest) -> HttpResponse:
    """A district admin makes a rating scale: its levels, which count as mastery, colours."""
    district = _own_district(request)
    form = ScaleForm(request.POST or None)
    # Start from the usual four levels, to change rather than to type out.
    start = [vars(level) | {"value": level.value.normalize()} for level in DEFAULT_LEVELS]
    levels = LevelFormSet(request.POST or None, prefix="level", initial=start)
    if request.method == "POST" and form.is_valid() & levels.is_valid():
        filled = [row for row in levels if not row.is_blank()]
        try:
            scale_write(
                actor=request.user,
                district=district,
                name=form.cleaned_data["name"],
                levels=[
                    LevelSpec(
                        value=row.cleaned_data["value"],
                        label=row.cleaned_data["label"],
                        colour=row.cleaned_data["colour"],
                        is_mastery=row.cleaned_data["is_mastery"],
                        description=row.cleaned_data["description"],
                    )
                    for row in filled
                ],
            )
        except InvalidInput as invalid:
            _show(invalid, form, filled, row_key="level")
        else:
            messages.success(request, _("The scale is saved: frameworks may now be rated on it."))
            return redirect("frameworks:scales")
    return render(request, "frameworks/scale_form.html", {"form": form, "levels": levels})


@login_required
@require_POST
def framework_teachers(request: HttpRequest, framework_id: uuid.UUID) -> HttpResponse:
    """A district admin opens the framework to its teachers for writing, or closes it."""
    try:
        framework = framework_get(user=request.user, framework_id=framework_id)
        framework_open_to_teachers(
            actor=request.user, framework=framework, open=request.POST.get("open") == "1"
        )
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden
    if framework.teachers_may_write:
        messages.success(request, _("The district's teachers may now write this framework."))
    else:
        messages.success(request, _("Only the district's admins write this framework now."))
    return redirect("interop:framework", framework.uuid)


def _own_district(request: HttpRequest):
    """The district whose frameworks and scales the person makes: their own, as its admin."""
    district = courses_district_of(request.user)
    if district is None:
        raise Http404("Only a district's admins make its frameworks and scales.")
    return district


def _writable_framework(request: HttpRequest, framework_id: uuid.UUID):
    try:
        framework = framework_get(user=request.user, framework_id=framework_id)
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden
    if not may_write_framework(request.user, framework):
        raise Http404("Only the district's admins write its frameworks.")
    return framework


def _competency_page(request, framework, form, stages, *, write, competency=None):
    """The competency form and its stage rows: written on a valid POST, else shown again
    with every problem beside its field."""
    if request.method == "POST" and form.is_valid() & stages.is_valid():
        filled = [row for row in stages if not row.is_blank()]
        target = {"competency": competency} if competency else {"framework": framework}
        try:
            competency = write(
                actor=request.user,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                statement=form.cleaned_data["statement"],
                stages=[_stage_spec(row.cleaned_data) for row in filled],
                **target,
            )
        except InvalidInput as invalid:
            _show(invalid, form, filled)
        else:
            page = reverse("interop:framework", args=[framework.uuid])
            return redirect(f"{page}#competency-{competency.uuid}")
    return render(
        request,
        "frameworks/competency_form.html",
        {"framework": framework, "form": form, "stages": stages, "competency": competency},
    )


def _stage_spec(data: dict) -> StageSpec:
    return StageSpec(
        label=data["label"],
        descriptor=data["descriptor"],
        typical_grade=data["typical_grade"],
        evidence_statements=data["statements"].splitlines(),
        retired=data.get("retired", False),
        stage=data.get("stage"),
    )


def _show(invalid: InvalidInput, form, filled: list, row_key: str = "stage") -> None:
    """Put each of the service's problems beside the field it is about: a row's on its row
    ("stage-N-field"), the others on the form."""
    for key, message in invalid.errors.items():
        if key.startswith(f"{row_key}-"):
            _, number, field = key.split("-", 2)
            filled[int(number) - 1].add_error(field, message)
        else:
            form.add_service_errors({key: message})


@login_required
@require_safe
def course_list(request: HttpRequest) -> HttpResponse:
    """The district's courses, each with its target stages: everyone signed in may read them."""
    return render(
        request,
        "frameworks/courses.html",
        {
            "courses": list(courses_visible_to(request.user)),
            "may_write": courses_district_of(request.user) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: uuid.UUID | None = None) -> HttpResponse:
    """A district admin writes a course: its targets and the course that follows."""
    district = courses_district_of(request.user)
    if district is None:
        raise Http404("Only the district's admins write its courses.")
    course = None
    if course_id is not None:
        try:
            course = course_get(user=request.user, course_id=course_id)
        except NotVisible as hidden:
            raise Http404(str(hidden)) from hidden
    competencies = list(competency_list_visible_to(request.user).prefetch_related("stages"))
    others = [c for c in courses_visible_to(request.user) if course is None or c.pk != course.pk]
    initial = {}
    if course is not None:
        initial = {
            "code": course.code,
            "title": course.title,
            "next_course": str(course.next_course.uuid) if course.next_course else "",
            **{
                CourseForm.target_name(target.stage.competency): str(target.stage.ordinal)
                for target in course.targets.all()
            },
        }
    form = CourseForm(
        request.POST or None, initial=initial, competencies=competencies, courses=others
    )
    if request.method == "POST" and form.is_valid():
        by_uuid = {str(other.uuid): other for other in others}
        try:
            course = course_write(
                actor=request.user,
                district=district,
                course=course,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                targets=form.targets(),
                next_course=by_uuid.get(form.cleaned_data["next_course"]),
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            return redirect(f"{reverse('frameworks:courses')}#course-{course.uuid}")
    return render(request, "frameworks/course_form.html", {"form": form, "course": course})
