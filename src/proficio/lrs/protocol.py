"""What every xAPI request goes through before its resource sees it (xAPI 1.0.3 Part 3):
CORS for content that runs in a browser, the alternate request syntax (a POST with `method=`
carrying headers and content as form fields), the version header, HTTP Basic against a
tool's credentials, a body read only after the credentials hold and within a limit, and the
store's errors turned into the statuses the specification names.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from proficio.lib.http.body_limit import reads_own_body
from proficio.lrs.credentials import credential_authenticated
from proficio.lrs.documents import NeedsPrecondition, NotMergeable, PreconditionFailed
from proficio.lrs.models import Credential
from proficio.lrs.statements import Conflict
from proficio.lrs.xapi.shapes import iso
from proficio.lrs.xapi.validation import BadStatement

XAPI_VERSION = "1.0.3"
_VERSION = re.compile(r"^1\.0(\.\d+)?$")
_FORWARDED_HEADERS = (
    "Authorization",
    "X-Experience-API-Version",
    "Content-Type",
    "Content-Length",
    "If-Match",
    "If-None-Match",
)
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Experience-API-Version, "
    "If-Match, If-None-Match, X-Experience-API-Hash",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, X-Experience-API-Version, "
    "X-Experience-API-Consistent-Through",
}


# A batch still being written when a query answers was stamped `stored` as it began: the
# store vouches for what was stored up to a moment before the answer, not the answer's own.
CONSISTENCY_MARGIN = timedelta(seconds=1)
# The alternate syntax carries its credentials in the body: what is read before they are
# checked stays small.
ALTERNATE_MAX_BODY = 1024 * 1024
# Nothing the store answers is a page: a document a tool stored as HTML must not run here.
_CONTAINED = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
}


class BadRequest(Exception):
    """A request the specification refuses, with why (400)."""


class Unauthorized(Exception):
    """No credentials, or none that hold (401)."""


@dataclass
class XapiRequest:
    """A request as its resource reads it, whichever syntax it came in."""

    method: str
    params: dict[str, str]
    headers: dict[str, str]
    credential: Credential | None
    read_body: Callable[[], bytes]
    base: str
    _body: bytes | None = field(default=None, repr=False)

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = self.read_body()
        return self._body

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _max_body() -> int:
    return settings.PROFICIO_XAPI_MAX_BODY_MB * 1024 * 1024


def _stream_reader(request: HttpRequest, limit: int | None = None) -> Callable[[], bytes]:
    def read() -> bytes:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                raise NeedsLength
            return b""
        if not declared.isdigit():
            raise BadRequest("The Content-Length header is not a number.")
        if int(declared) > (limit or _max_body()):
            raise TooLarge
        return request.read(int(declared)) if int(declared) else b""

    return read


class NeedsLength(Exception):
    """A body sent in chunks, with no Content-Length to hold it to (411)."""


class TooLarge(Exception):
    """A body over PROFICIO_XAPI_MAX_BODY_MB (413)."""


def _credential(authorization: str | None) -> Credential:
    if not authorization or not authorization.lower().startswith("basic "):
        raise Unauthorized
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise Unauthorized from error
    key, _colon, secret = decoded.partition(":")
    credential = credential_authenticated(key, secret)
    if credential is None:
        raise Unauthorized
    return credential


def _alternate(request: HttpRequest) -> tuple[str, dict[str, str], dict[str, str], bytes]:
    """The method, parameters, headers and content of a request in the alternate syntax."""
    if set(request.GET) != {"method"}:
        raise BadRequest("With the alternate request syntax, only `method` goes in the query.")
    method = request.GET["method"].upper()
    if method not in ("GET", "PUT", "POST", "DELETE"):
        raise BadRequest(f"The alternate request syntax has no method {method!r}.")
    if request.content_type != "application/x-www-form-urlencoded":
        raise BadRequest("The alternate request syntax sends a form (x-www-form-urlencoded).")
    # Read before the credentials inside it can be checked: held to a small size.
    raw = _stream_reader(request, ALTERNATE_MAX_BODY)()
    form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    # The form's headers win; the request's own stand where the form has none.
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers.pop("content-type", None)
    headers.pop("content-length", None)
    for name in _FORWARDED_HEADERS:
        if name in form:
            headers[name.lower()] = form.pop(name)
    content = form.pop("content", "").encode()
    if content:
        headers.setdefault("content-type", "application/json")
    return method, form, headers, content


def _prepared(request: HttpRequest) -> XapiRequest:
    base = request.build_absolute_uri("/xapi/")
    if request.method == "POST" and "method" in request.GET:
        method, params, headers, content = _alternate(request)
        credential = _credential(headers.get("authorization"))
        return XapiRequest(method, params, headers, credential, lambda: content, base)
    headers = {name.lower(): value for name, value in request.headers.items()}
    params = {}
    for name, values in request.GET.lists():
        if len(values) > 1:
            raise BadRequest(f"The parameter {name!r} is given more than once.")
        params[name] = values[0]
    credential = _credential(headers.get("authorization"))
    return XapiRequest(
        request.method or "GET", params, headers, credential, _stream_reader(request), base
    )


def answer(
    status: int, content: object = None, *, content_type: str = "application/json"
) -> HttpResponse:
    """A response in the store's voice: JSON unless told otherwise."""
    if content is None:
        return HttpResponse(status=status)
    if isinstance(content, bytes):
        return HttpResponse(content, status=status, content_type=content_type)
    text = json.dumps(content, ensure_ascii=False, allow_nan=False)
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def _error(status: int, message: str) -> HttpResponse:
    return answer(status, {"error": message})


def _finished(response: HttpResponse, *, consistent_through: bool) -> HttpResponse:
    response["X-Experience-API-Version"] = XAPI_VERSION
    if consistent_through:
        moment = timezone.now() - CONSISTENCY_MARGIN
        response["X-Experience-API-Consistent-Through"] = iso(moment)
    for name, value in {**_CORS, **_CONTAINED}.items():
        response[name] = value
    return response


def xapi_resource(
    methods: tuple[str, ...], *, open_to_all: bool = False, statements: bool = False
) -> Callable[[Callable[[XapiRequest], HttpResponse]], Callable[[HttpRequest], HttpResponse]]:
    """Wrap a resource: it is handed an XapiRequest and its errors become statuses. HEAD is
    answered as GET without the body; the Statements resource says on every answer how far
    its reads are consistent (all of it: a statement is readable once its POST answers)."""

    def wrap(resource: Callable[[XapiRequest], HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest) -> HttpResponse:
            if request.method == "OPTIONS":
                return _finished(HttpResponse(status=204), consistent_through=statements)
            response = _handled(request, resource, methods, open_to_all)
            if request.method == "HEAD":
                response.content = b""
            return _finished(response, consistent_through=statements)

        view.__name__ = resource.__name__
        view.__doc__ = resource.__doc__
        return reads_own_body(view)

    return wrap


def _handled(
    request: HttpRequest,
    resource: Callable[[XapiRequest], HttpResponse],
    methods: tuple[str, ...],
    open_to_all: bool,
) -> HttpResponse:
    try:
        if open_to_all:
            xapi_request = XapiRequest(
                request.method or "GET", dict(request.GET.items()), {}, None, lambda: b"", ""
            )
        else:
            xapi_request = _prepared(request)
            version = xapi_request.header("X-Experience-API-Version")
            if version is None:
                raise BadRequest("Send the X-Experience-API-Version header (1.0.3).")
            if not _VERSION.match(version):
                raise BadRequest(f"This store speaks xAPI 1.0.x, not {version!r}.")
        if xapi_request.method == "HEAD" and "GET" in methods:
            xapi_request.method = "GET"
        if xapi_request.method not in methods:
            response = _error(405, f"{xapi_request.method} is not allowed here.")
            response["Allow"] = ", ".join(methods)
            return response
        return resource(xapi_request)
    except Unauthorized:
        response = _error(401, "Send the key and secret of your tool's xAPI credentials.")
        response["WWW-Authenticate"] = 'Basic realm="Proficio xAPI"'
        return response
    except NeedsLength:
        return _error(411, "Send the request body with a Content-Length.")
    except TooLarge:
        megabytes = settings.PROFICIO_XAPI_MAX_BODY_MB
        return _error(413, f"The request is too large: at most {megabytes} MB.")
    except (BadRequest, BadStatement, NotMergeable) as error:
        message = str(error) or "Both documents must be JSON objects to be merged."
        return _error(400, message)
    except Conflict as error:
        return _error(409, str(error))
    except NeedsPrecondition as error:
        if error.exists:
            return _error(409, "The document exists: send If-Match with its ETag to change it.")
        return _error(400, "Send If-None-Match: * to create a profile, or If-Match to change one.")
    except PreconditionFailed:
        return _error(412, "The document's ETag is not what If-Match or If-None-Match says.")
