"""Proficio inside an LMS's frame, for the people an LMS launched and for its pages only.

Everywhere else Proficio refuses to be framed (X-Frame-Options DENY, frame-ancestors 'none').
A launch remembers in the session the LMS origins that may frame the pages that follow; on
HTTPS the session and CSRF cookies are then set SameSite=None, which a frame of another site
needs to keep them (browsers that block such cookies get the new-window fallback of the
login page)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from lti_tool.models import LtiLaunch

from proficio.lti.models import Platform
from proficio.lti.services import origin_of

SESSION_FRAME_ORIGINS = "lti_frame_origins"


# Pages no LMS frames, whoever asks: the settings of a district and of an account, where a
# click tricked through a frame would do the most harm.
NEVER_FRAMED = ("/admin/", "/audit", "/webhooks/", "/lrs/", "/privacy/", "/imports/", "/setup/")
NEVER_FRAMED_EXACTLY = ("/lti/",)


def frame_for(request: HttpRequest, platform: Platform, launch: LtiLaunch) -> None:
    """The pages this session opens may be framed by the LMS that launched it: the page the
    launch says it returns to and the platform it names (both in the signed launch), and the
    addresses the admin gave. The issuer and sign-in addresses only when none is known: an
    issuer may be shared by every customer of a cloud LMS (canvas.instructure.com)."""
    presentation = launch.launch_presentation_claim or {}
    instance = launch.platform_instance_claim or {}
    origins = {
        origin_of(str(presentation.get("return_url") or "")),
        origin_of(str(instance.get("url") or "")),
        *platform.frame_origins.split(),
    } - {""}
    if not origins:
        registration = platform.registration
        origins = {origin_of(registration.issuer), origin_of(registration.auth_url)} - {""}
    request.session[SESSION_FRAME_ORIGINS] = sorted(origins)


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
        if request.path.startswith(NEVER_FRAMED) or request.path in NEVER_FRAMED_EXACTLY:
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
