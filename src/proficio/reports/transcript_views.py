"""Pages of the transcript: a student's transcript as it stands, issuing it, an issued
transcript and its PDF, the district's mastery credits and transcript format, and the public
verification page."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.audit import api as audit
from proficio.frameworks.api import competency_get, competency_list_visible_to
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404, visible_get
from proficio.people.api import district_admin_of, is_self, student_get
from proficio.reports.forms import TranscriptFormatForm
from proficio.reports.transcript_pdf import transcript_pdf_write
from proficio.reports.transcripts import (
    credit_add,
    credits_of,
    issued_visible_to,
    may_issue,
    presented,
    transcript_format_of,
    transcript_format_set,
    transcript_issue,
    transcript_of,
    typical_words,
    verify,
)


def _read(user, student, via: str) -> None:
    if not is_self(user, student):
        audit.record_views(
            actor=user, action=audit.STUDENT_VIEWED, students=[student], data={"via": via}
        )


@require_safe
@login_required
@not_visible_is_404
def transcript_page(request: HttpRequest, student_id: str) -> HttpResponse:
    """The transcript as it stands today, the transcripts issued, and issuing one."""
    student = student_get(user=request.user, student_id=student_id)
    content = transcript_of(user=request.user, student=student)
    _read(request.user, student, "transcript")
    if format := export_format(request):
        return _transcript_export(student, presented(content), format)
    return render(
        request,
        "reports/transcript.html",
        {
            "student": student,
            "content": presented(content),
            "issued": None,
            "history": list(issued_visible_to(request.user).filter(student=student)),
            "may_issue": may_issue(request.user, student),
        },
    )


def _transcript_export(student, content: dict, format: str) -> HttpResponse:
    """The transcript's tables as a download: a row per competency of each area, with the
    stage reached and when, as the page shows them."""
    typical = content["format"]["typical_stage"]
    return table_response(
        name=_("Transcript · %(name)s") % {"name": student.display_name},
        headers=[
            _("Area"),
            _("Competency"),
            _("Title"),
            _("Stage reached"),
            _("Of stages"),
            _("Stage"),
            _("When"),
            *([content["typical_heading"]] if typical else []),
        ],
        rows=(
            [
                area["area"],
                item["code"],
                item["title"],
                item["reached"] or None,
                item["stages"],
                item["reached_label"] if item["reached"] else None,
                item["reached_on"],
                *([typical_words(item.get("typical"))] if typical else []),
            ]
            for area in content["areas"]
            for item in area["competencies"]
        ),
        format=format,
    )


@require_POST
@login_required
@not_visible_is_404
def transcript_issue_view(request: HttpRequest, student_id: str) -> HttpResponse:
    student = student_get(user=request.user, student_id=student_id)
    issued = transcript_issue(actor=request.user, student=student)
    messages.success(
        request,
        _("Issued. Its code is %(code)s: anyone can verify it with it.") % {"code": issued.code},
    )
    return redirect("reports:issued", transcript_id=issued.uuid)


def _issued(request: HttpRequest, transcript_id: str):
    return visible_get(
        issued_visible_to(request.user).select_related("student", "issued_by", "district"),
        transcript_id,
        "transcript",
    )


@require_safe
@login_required
@not_visible_is_404
def issued_page(request: HttpRequest, transcript_id: str) -> HttpResponse:
    issued = _issued(request, transcript_id)
    _read(request.user, issued.student, "issued transcript")
    if format := export_format(request):
        return _transcript_export(issued.student, presented(issued.content), format)
    return render(
        request,
        "reports/transcript.html",
        {
            "student": issued.student,
            "content": presented(issued.content),
            "issued": issued,
            "verify_url": request.build_absolute_uri(
                reverse("reports:verify") + f"?code={issued.code}"
            ),
            "history": [],
            "may_issue": False,
        },
    )


@require_safe
@login_required
@not_visible_is_404
def issued_pdf(request: HttpRequest, transcript_id: str) -> HttpResponse:
    issued = _issued(request, transcript_id)
    _read(request.user, issued.student, "issued transcript")
    buffer = io.BytesIO()
    transcript_pdf_write(
        issued=issued,
        destination=buffer,
        verify_url=request.build_absolute_uri(reverse("reports:verify") + f"?code={issued.code}"),
        evidence_url=lambda competency_id: request.build_absolute_uri(
            reverse("mastery:student_competency", args=[issued.student.uuid, competency_id])
        ),
    )
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    name = f"{slugify(_('transcript'))}-{slugify(issued.student.display_name)}-{issued.code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone holding a transcript's code learns whether it was issued and is unchanged,
    and nothing else."""
    code = request.GET.get("code", "").strip()[:40]
    result = verify(code) if code else None
    return render(request, "reports/verify.html", {"code": code, "result": result})


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def credits_page(request: HttpRequest) -> HttpResponse:
    """The district's mastery credits; its admins add them."""
    district = request.user.district
    if district is None or not district_admin_of(request.user, district):
        raise NotVisible("Mastery credits are set by the district's admins.")
    errors = {}
    if request.method == "POST":
        try:
            competency = competency_get(
                user=request.user, competency_id=request.POST.get("competency", "")
            )
            stage = competency.stages.filter(ordinal=int(request.POST.get("stage") or 0)).first()
            if stage is None:
                raise InvalidInput(
                    {"stage": _("%(code)s has no such stage.") % {"code": competency.code}}
                )
            credit_add(
                actor=request.user,
                district=district,
                stage=stage,
                title=request.POST.get("title", ""),
            )
        except (InvalidInput, NotVisible, ValueError) as refused:
            errors = getattr(refused, "errors", {"competency": _("Choose a competency.")})
        else:
            messages.success(request, _("Credit added."))
            return redirect("reports:credits")
    if request.method == "GET" and (format := export_format(request)):
        return table_response(
            name=_("Mastery credits"),
            headers=[_("Credit"), _("Competency"), _("Title"), _("Stage"), _("Stage label")],
            rows=(
                [
                    credit.title,
                    credit.stage.competency.code,
                    credit.stage.competency.title,
                    credit.stage.ordinal,
                    credit.stage.label,
                ]
                for credit in credits_of(district.pk)
            ),
            format=format,
        )
    return render(
        request,
        "reports/credits.html",
        {
            "credits": credits_of(district.pk),
            "competencies": list(competency_list_visible_to(request.user)),
            "errors": errors,
            "post": request.POST,
        },
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def transcript_format_page(request: HttpRequest) -> HttpResponse:
    """The district's transcript format; its admins set it. Transcripts issued keep theirs."""
    district = request.user.district
    if district is None or not district_admin_of(request.user, district):
        raise NotVisible("The transcript format is set by the district's admins.")
    if request.method == "POST":
        form = TranscriptFormatForm(request.POST)
        if form.is_valid():
            transcript_format_set(actor=request.user, district=district, **form.cleaned_data)
            messages.success(request, _("Saved the transcript format."))
            return redirect("reports:transcript_format")
    else:
        current = transcript_format_of(district.pk)
        form = TranscriptFormatForm(
            initial={"appendix": current.appendix, "typical_stage": current.typical_stage}
        )
    return render(request, "reports/transcript_format.html", {"form": form, "district": district})
