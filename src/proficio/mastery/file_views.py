"""Files kept with ratings (a teacher's photo of a lab, a recording of a discussion), served
only to who may see the student's record; 404 to everyone else."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from proficio.audit import api as audit
from proficio.lib.http.kept_files import kept_file_response, opened_from_the_start
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.selectors.files import evidence_file_get


@login_required
@require_safe
@not_visible_is_404
@xframe_options_sameorigin
def evidence_file(request: HttpRequest, file_id: str) -> HttpResponse:
    kept = evidence_file_get(user=request.user, file_id=file_id)
    if not kept.file:
        raise Http404("This file was removed when the student's data was erased.")
    response = kept_file_response(
        request,
        kept.file.open("rb"),
        size=kept.size,
        content_type=kept.content_type,
        name=kept.name,
    )
    if opened_from_the_start(request, response):
        audit.record_views(
            actor=request.user,
            action=audit.EVIDENCE_VIEWED,
            students=[kept.evidence.student],
            data={"via": "file", "file": str(kept.uuid)},
        )
    return response


@login_required
@require_safe
@not_visible_is_404
def evidence_file_thumbnail(request: HttpRequest, file_id: str) -> HttpResponse:
    kept = evidence_file_get(user=request.user, file_id=file_id)
    if not kept.thumbnail:
        raise Http404("This file has no preview.")
    return kept_file_response(
        request,
        kept.thumbnail.open("rb"),
        size=kept.thumbnail.size,
        content_type="image/jpeg",
        name=f"{kept.name}.jpg",
    )
