"""A stored file answered whole (200) or in the one byte range asked for (206), streamed in
chunks, so audio and video players can seek without the server reading the file into memory.

One range per request is what players ask for; a request for several ranges is answered
with the whole file, which HTTP allows (RFC 9110 §14.2).
"""

import re
from collections.abc import Iterator
from typing import IO

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
# ASCII digits only, and few enough to be a size: anything else is ignored (the whole file).
ONE_RANGE = re.compile(r"^bytes=([0-9]{0,18})-([0-9]{0,18})$", re.ASCII)


class Unsatisfiable(Exception):
    """The range asked for lies outside the file."""


def requested_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte, inclusive, asked for by a `Range` header on a file of `size`
    bytes; None to answer with the whole file (no header, or one this reading ignores)."""
    match = ONE_RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # "bytes=-500": the last 500 bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range: RFC 9110 says to ignore it
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return start, end


class _Chunks:
    """The bytes from `start`, read a chunk at a time. Django closes it when the response is
    done, sent or not (a HEAD, a player that hangs up), and that closes the file."""

    def __init__(self, stream: IO[bytes], start: int, length: int) -> None:
        self.stream, self.start, self.length = stream, start, length

    def __iter__(self) -> Iterator[bytes]:
        self.stream.seek(self.start)
        left = self.length
        while left > 0:
            chunk = self.stream.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.stream.close()


def ranged_file_response(
    request: HttpRequest, stream: IO[bytes], *, size: int, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    """`stream` (opened, seekable, closed when sent) as 200, 206 or 416."""
    try:
        wanted = requested_range(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        stream.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted if wanted is not None else (0, size - 1)
    length = max(end - start + 1, 0)
    response = StreamingHttpResponse(
        _Chunks(stream, start, length),
        status=206 if wanted is not None else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
