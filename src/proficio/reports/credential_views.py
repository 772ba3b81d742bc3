"""Pages and endpoints of learner records (ADR 0043): a student's record page (its download,
and the links the student shares it by), the signed record as JSON, and the public ends: the
issuer's key set and profile, a shared link, and verification."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.visibility import not_visible_is_404, visible_get
from proficio.people.api import district_as_issuer, is_self, student_get
from proficio.reports.credentials import (
    LINK_DAYS,
    LINK_DAYS_DEFAULT,
    issuer_profile,
    jwks,
    link_state,
    may_share,
    record_json,
    record_link_create,
    record_link_revoke,
    record_links_visible_to,
    record_source,
    signed_record,
    state_of,
    verify_jwt,
)

MAX_TOKEN = 2_000_000  # characters of a JWT posted to be verified


def _read(user, student, via: str) -> None:
    if not is_self(user, student):
        audit.record_views(
            actor=user, action=audit.STUDENT_VIEWED, students=[student], data={"via": via}
        )


def _public(response: HttpResponse, max_age: int | None = None) -> HttpResponse:
    """An answer any site's verifier may read from a browser; kept a while when it is the
    same for everyone (the key set, the issuer)."""
    response["Access-Control-Allow-Origin"] = "*"
    if max_age is not None:
        response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def record_page(request: HttpRequest, student_id: str) -> HttpResponse:
    """A student's learner record: what it is built from, its download for whoever reads the
    student's transcript, and the links the student shares it by (made here)."""
    student = student_get(user=request.user, student_id=student_id)
    sharing = may_share(request.user, student)
    errors = {}
    if request.method == "POST":
        if not sharing:
            raise NotVisible("A student shares their own record.")
        try:
            days = int(request.POST.get("days") or LINK_DAYS_DEFAULT)
            link = record_link_create(actor=request.user, student=student, days=days)
        except (InvalidInput, ValueError) as refused:
            errors = getattr(refused, "errors", {"days": _("Choose how long the link works.")})
        else:
            messages.success(
                request,
                _("Link made. Anyone you give it to can fetch your signed record until %(day)s.")
                % {"day": link.expires_at.date().isoformat()},
            )
            return redirect("records:record", student_id=student.uuid)
    _content, issued = record_source(user=request.user, student=student)
    shares = []
    if sharing:
        for link in record_links_visible_to(request.user).select_related("student"):
            shares.append(
                {
                    "link": link,
                    "state": state_of(link),
                    "url": request.build_absolute_uri(reverse("records:shared", args=[link.code])),
                }
            )
    return render(
        request,
        "reports/record.html",
        {
            "student": student,
            "issued": issued,
            "sharing": sharing,
            "shares": shares,
            "days": LINK_DAYS,
            "days_default": LINK_DAYS_DEFAULT,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@require_safe
@login_required
@not_visible_is_404
def record_download(request: HttpRequest, student_id: str) -> HttpResponse:
    """The signed record as a JSON file: the VC-JWT, the credential it signs, and each
    achievement credential signed on its own."""
    student = student_get(user=request.user, student_id=student_id)
    record = signed_record(user=request.user, student=student)
    _read(request.user, student, "learner record")
    response = HttpResponse(record_json(record), content_type="application/json")
    name = f"{slugify(_('learner record'))}-{slugify(student.display_name)}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


@require_POST
@login_required
@not_visible_is_404
def link_revoke(request: HttpRequest, link_id: str) -> HttpResponse:
    link = visible_get(record_links_visible_to(request.user), link_id, "link")
    record_link_revoke(actor=request.user, link=link)
    messages.success(request, _("Link revoked: it opens nothing from now on."))
    return redirect("records:record", student_id=link.student.uuid)


# ---- public -------------------------------------------------------------------------------


@require_safe
def jwks_view(request: HttpRequest) -> HttpResponse:
    """The issuer's public keys (JWK Set): what anyone verifies a learner record with."""
    return _public(JsonResponse(jwks()), max_age=3600)


@require_safe
def issuer_view(request: HttpRequest, district_id: str) -> HttpResponse:
    """The issuer of a district's learner records: its name and address."""
    try:
        district = district_as_issuer(district_id)
    except NotVisible:
        return _public(JsonResponse({"error": "not found"}, status=404))
    return _public(JsonResponse(issuer_profile(district)), max_age=3600)


@require_safe
def shared_record(request: HttpRequest, code: str) -> HttpResponse:
    """A learner record by the link its student shared: the record signed, while the link
    works; without a working code, nothing but "not found"."""
    link, state = link_state(code[:100])
    if link is None or state != "open":
        return _no_store(JsonResponse({"error": "not found"}, status=404))
    student = link.student
    try:
        record = signed_record(user=student, student=student)
    except NotVisible:  # a student no longer enrolled, whose transcript was never issued
        return _no_store(JsonResponse({"error": "not found"}, status=404))
    audit.record(
        actor=None,
        action=audit.STUDENT_VIEWED,
        student=student,
        target=link,
        data={"via": "learner record link", "link": str(link.uuid)},
    )
    return _no_store(JsonResponse(record, json_dumps_params={"ensure_ascii": False}))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Whether a learner record is authentic: POST its VC-JWT (the body, or `jwt` in a form
    or a JSON object), or GET `?code=` of a shared link. Answers `valid` and the reason, and
    nothing else about the record."""
    return _public(_verdict(request))


def _verdict(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        code = request.GET.get("code", "").strip()[:100]
        if not code:
            return JsonResponse({"valid": False, "reason": "give a link's code or post a JWT"})
        link, state = link_state(code)
        if link is None:
            return JsonResponse({"valid": False, "reason": "unknown link"})
        if state != "open":
            return JsonResponse({"valid": False, "reason": f"link {state}"})
        student = link.student
        try:
            verdict = verify_jwt(signed_record(user=student, student=student)["jwt"])
        except NotVisible:
            return JsonResponse({"valid": False, "reason": "unknown link"})
        return JsonResponse({"valid": verdict.valid, "reason": verdict.reason})
    if len(request.body) > MAX_TOKEN:
        return JsonResponse({"valid": False, "reason": "too large"}, status=413)
    token = _posted_token(request)
    if not token:
        return JsonResponse({"valid": False, "reason": "no JWT given"}, status=400)
    verdict = verify_jwt(token)
    return JsonResponse({"valid": verdict.valid, "reason": verdict.reason})


def _posted_token(request: HttpRequest) -> str:
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return ""
        if isinstance(body, dict):
            return str(body.get("jwt") or "")
        return body if isinstance(body, str) else ""
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return request.POST.get("jwt", "")
    return request.body.decode("utf-8", "replace").strip()
