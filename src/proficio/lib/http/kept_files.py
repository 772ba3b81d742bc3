"""A file someone handed in, answered as what its content was found to be: never sniffed
into something else, sandboxed so that even a file that slipped past the checks cannot run as
a page of Proficio, not cached by shared caches, shown in the browser when it previews."""

from typing import IO
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from proficio.lib.files.kinds import family_of
from proficio.lib.http.ranged import ranged_file_response

# Nothing in a served file runs: no scripts, no forms, no plugins; it may be framed by
# Proficio's own pages (a PDF on the review page) and by nothing else.
SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)
# Shown in the browser (images, players, PDF); the rest downloads.
INLINE = frozenset({"image", "audio", "video", "pdf"})


def _disposition(name: str, content_type: str) -> str:
    how = "inline" if family_of(content_type) in INLINE else "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'")
    return f"{how}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def kept_file_response(
    request: HttpRequest, stream: IO[bytes], *, size: int, content_type: str, name: str
) -> HttpResponse:
    """The file whole or by range (`ranged_file_response`), sealed. The view decides who
    may have it; this decides how it goes out."""
    response = ranged_file_response(request, stream, size=size, content_type=content_type)
    response["Content-Disposition"] = _disposition(name, content_type)
    response["Content-Security-Policy"] = SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# A range starting this near the beginning opens the file (a player starts with "bytes=0-");
# one further in is a player seeking in a file already opened.
OPENING_BYTES = 64 * 1024


def opened_from_the_start(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this answer opens the file, not a player seeking in it: the opening alone is a
    view of the record."""
    if request.method != "GET":
        return False
    if response.status_code == 200:
        return True
    if response.status_code != 206:
        return False
    first = response["Content-Range"].removeprefix("bytes ").split("-", 1)[0]
    return int(first) < OPENING_BYTES
