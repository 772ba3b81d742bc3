"""Refuse oversized request bodies from their Content-Length, before anything reads them.

Django parses a multipart body the first time anything touches `request.POST` or
`request.FILES` (the CSRF check does, before the view's login check), writing each file
over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file. So the size is checked here, from the
header alone: a signed-in person may send up to PROFICIO_MAX_UPLOAD_MB (the largest import) to
a page that takes a file (`takes_uploads`), and elsewhere no more than Django keeps in memory,
so no other form can be made to write a temporary file; someone not signed in only needs the
sign-in form, and gets PROFICIO_ANONYMOUS_BODY_KB.
A request carrying an API token is checked by the API before it reads its JSON body; Django
refuses one over DATA_UPLOAD_MAX_MEMORY_SIZE from its length, before reading it, and the API
answers that in its own shape. Only a multipart body can become a file: with a token it may
be no larger than Django keeps in memory, so even a made-up token writes nothing to disk —
except at an API operation that takes files (`api_takes_uploads`): the API checks the token
before it reads the body, so there a made-up token is refused before any file is written.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from proficio.lib.http.answers import refusal

KILOBYTE = 1024
MEGABYTE = 1024 * KILOBYTE
# The form around an uploaded file: its other fields and the multipart boundaries.
MULTIPART_ENVELOPE = MEGABYTE


def takes_uploads(view: Callable) -> Callable:
    """Mark a view that takes a file: only there may a signed-in person send a large body."""
    view.takes_uploads = True
    return view


# URL names ("api:<operation>") of the API operations that take files.
_API_UPLOADS: set[str] = set()


def api_takes_uploads(url_name: str) -> None:
    """Mark an API operation, by its URL name, as one that takes files."""
    _API_UPLOADS.add(url_name)


def _upload_view(request: HttpRequest, *, api_only: bool = False) -> bool:
    """Whether the address takes files: any such page or API operation, or (`api_only`) an
    API operation alone — the only kind that checks a bearer token before reading the body."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if match.view_name in _API_UPLOADS:
        return True
    return not api_only and getattr(match.func, "takes_uploads", False)


def signed_in_limit(request: HttpRequest) -> tuple[int, float]:
    """The most a signed-in person may send here, in bytes and as the MB it is shown as."""
    if _upload_view(request):
        megabytes = settings.PROFICIO_MAX_UPLOAD_MB
        return megabytes * MEGABYTE + MULTIPART_ENVELOPE, megabytes
    in_memory = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    return in_memory, round(in_memory / MEGABYTE, 1)


def anonymous_limit(request: HttpRequest) -> int | None:
    """The most someone not signed in may send; None leaves it to Django's own limit."""
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        if request.content_type == "multipart/form-data":
            if _upload_view(request, api_only=True):
                return settings.PROFICIO_MAX_UPLOAD_MB * MEGABYTE + MULTIPART_ENVELOPE
            return settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        return None
    return settings.PROFICIO_ANONYMOUS_BODY_KB * KILOBYTE


def reads_own_body(view: Callable) -> Callable:
    """Mark a view that checks who is asking before it reads the body, and reads it within
    its own limit (the xAPI store, whose tools send HTTP Basic credentials)."""
    view.reads_own_body = True
    return view


def _reads_own_body(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "reads_own_body", False)


class RequestBodyLimitMiddleware:
    """Placed after AuthenticationMiddleware (it needs `request.user`, read from the session
    cookie) and before anything that reads the body; CsrfViewMiddleware reads it only in
    `process_view`, which runs after every middleware's request phase."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.refusal(request)
        return refused if refused is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        if _reads_own_body(request):
            return None
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                # Django reads no body without a length; say so instead of dropping it silently.
                message = _("Send the request body with a Content-Length.")
                return refusal(request, message, status=411)
            return None
        if not declared.isdigit():
            return refusal(request, _("The Content-Length header is not a number."), status=400)
        size = int(declared)
        if request.user.is_authenticated:
            limit, shown = signed_in_limit(request)
            if size > limit:
                message = _("The request is too large: at most %(size)s MB can be sent here.")
                return refusal(request, message % {"size": shown}, status=413)
            return None
        limit = anonymous_limit(request)
        if limit is not None and size > limit:
            return refusal(request, _("Sign in before sending a file."), status=413)
        return None
