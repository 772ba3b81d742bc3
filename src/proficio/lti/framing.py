"""Proficio inside an LMS's frame, for the people an LMS launched and for its pages only.

Everywhere else Proficio refuses to be framed (X-Frame-Options DENY, frame-ancestors 'none').
A launch remembers in the session the LMS origins that may frame the pages that follow; on
HTTPS the session and CSRF cookies are then set SameSite=None, which a frame of another site
needs to keep them (browsers that block such cookies get the new-window fallback of the
login page)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from proficio.lti.models import Platform
from proficio.lti.services import origin_of

SESSION_FRAME_ORIGINS = "lti_frame_origins"


def frame_for(request: HttpRequest, platform: Platform) -> None:
    """The pages this session opens may be framed by `platform`'s LMS."""
    registration = platform.registration
    origins = {origin_of(registration.issuer), origin_of(registration.auth_url)}
    origins.update(platform.frame_origins.split())
    request.session[SESSION_FRAME_ORIGINS] = sorted(origin for origin in origins if origin)


def frameable_anywhere(response: HttpResponse) -> HttpResponse:
    """A page of the launch itself that holds no one's data and no action to trick anyone
    into (the cookie check, a refusal, the end of a registration): any LMS may frame it,
    before Proficio knows which one is asking."""
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": ["*"]}
    return response


class LmsFramingMiddleware:
    """Sits outside the session, CSRF and X-Frame-Options middleware (their cookies and
    header are set when it answers) and inside the CSP middleware (which reads its change)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origins = session.get(SESSION_FRAME_ORIGINS) if session is not None else None
        if not origins or hasattr(response, "_csp_replace"):
            return response
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]
        response._csp_replace = {"frame-ancestors": list(origins)}
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["samesite"] = "None"
                    response.cookies[name]["secure"] = True
        return response
