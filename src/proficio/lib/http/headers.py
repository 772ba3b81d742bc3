"""Response headers on everything Django answers (static files are served before this runs,
by WhiteNoise, and keep their long caching)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Browser features no page of Proficio uses, turned off for it and anything it could embed.
# The microphone stays available to Proficio's own pages: recorded work may come to need it.
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "camera=()",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=(self)",
        "midi=()",
        "payment=()",
        "usb=()",
    ]
)


class ResponseHeadersMiddleware:
    """Permissions-Policy everywhere, and `Cache-Control: no-store` on every answer whose view
    did not choose its own caching.

    Nearly every page and API answer holds someone's record, and the few that do not (the
    sign-in page) lose nothing by not being kept: one rule that cannot forget a page beats
    a list of the pages that hold a student's record.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
