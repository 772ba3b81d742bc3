"""The OneRoster results export: a district's admins (the whole district, or one school) and a
school's admins (their school) download students' results as a OneRoster 1.1 or 1.2 gradebook
package for the student information system (`oneroster.results`; ADR 0042)."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from proficio.frameworks.api import competency_list_visible_to
from proficio.interop.oneroster.results import ResultsScope, results_package
from proficio.interop.oneroster.spec import VERSIONS
from proficio.interop.permissions import results_schools_of, results_sections_of
from proficio.lib.errors import NotVisible
from proficio.lib.visibility import not_visible_is_404, visible_get
from proficio.people.api import School, district_admin_of, section_students

DEFAULT_VERSION = "1.2"


def _schools(request: HttpRequest) -> list[School]:
    schools = list(results_schools_of(request.user).order_by("name", "pk"))
    if not schools:
        raise NotVisible("The results export is for the admins of a school or the district.")
    return schools


@login_required
@require_safe
@not_visible_is_404
def results_export_page(request: HttpRequest) -> HttpResponse:
    """What the package holds, and a form to choose its version and school."""
    schools = _schools(request)
    user = request.user
    return render(
        request,
        "interop/oneroster_results.html",
        {
            "schools": schools,
            "whole_district": district_admin_of(user, user.district),
            "versions": VERSIONS,
            "default_version": DEFAULT_VERSION,
        },
    )


@login_required
@require_safe
@not_visible_is_404
def results_export_download(request: HttpRequest) -> HttpResponse:
    """The package (a zip), built into a temporary file section by section and streamed."""
    user = request.user
    _schools(request)
    version = request.GET.get("version") or DEFAULT_VERSION
    if version not in VERSIONS:
        raise Http404("There is no such OneRoster version.")
    school = None
    if school_id := request.GET.get("school"):
        school = visible_get(results_schools_of(user), school_id, "school")
    scope = ResultsScope(
        district=user.district,
        sections=results_sections_of(user, school),
        students_of=lambda section: section_students(user=user, section=section),
        competencies=competency_list_visible_to(user),
        actor=user,
        via="page",
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    results_package(scope=scope, version=version, out=out)
    out.seek(0)
    name = slugify(school.name if school else user.district.name) or "results"
    filename = f"oneroster-{version}-results-{name}-{timezone.localdate().isoformat()}.zip"
    return FileResponse(out, as_attachment=True, filename=filename, content_type="application/zip")
