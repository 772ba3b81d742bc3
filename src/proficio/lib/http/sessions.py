"""Sign a person out after a while without activity, and after a fixed time in any case.

Schools share devices: a session left open on a classroom laptop must not stay open for the
next person. Each signed-in request is checked against two clocks kept in the session: the
last activity (PROFICIO_SESSION_IDLE_MINUTES) and the sign-in (PROFICIO_SESSION_MAX_HOURS).
A request past either is signed out and carries on as anonymous, so a page that needs a
sign-in sends the person to the sign-in page, where a message says why. An htmx request is
sent there as a whole page (HX-Redirect), not swapped into the part of the page it asked for.
"""

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SIGNED_IN_AT = "proficio_signed_in_at"
LAST_SEEN_AT = "proficio_last_seen_at"
# Activity is written back at most this often, so browsing does not save the session on
# every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


def expiry_reason(session, now: float) -> str | None:
    """Why this session has ended, or None while it is still good."""
    signed_in_at = session.get(SIGNED_IN_AT, now)
    last_seen_at = session.get(LAST_SEEN_AT, now)
    if now - signed_in_at > settings.PROFICIO_SESSION_MAX_HOURS * 3600:
        return _("You were signed out: a session lasts at most %(hours)s hours. Sign in again.") % {
            "hours": settings.PROFICIO_SESSION_MAX_HOURS
        }
    if now - last_seen_at > settings.PROFICIO_SESSION_IDLE_MINUTES * 60:
        return _(
            "You were signed out after %(minutes)s minutes without activity. Sign in again."
        ) % {"minutes": settings.PROFICIO_SESSION_IDLE_MINUTES}
    return None


class SessionTimeoutMiddleware:
    """Placed after AuthenticationMiddleware (it reads `request.user`) and MessageMiddleware
    (it leaves a message for the sign-in page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        if request.user.is_authenticated:
            reason = expiry_reason(request.session, now)
            if reason is not None:
                logout(request)
                messages.info(request, reason)
                if request.headers.get("HX-Request") == "true":
                    return self.sign_in_page(request)
        response = self.get_response(request)
        # After the view, so the sign-in request itself starts both clocks.
        if request.user.is_authenticated:
            session = request.session
            session.setdefault(SIGNED_IN_AT, now)
            if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
                session[LAST_SEEN_AT] = now
        return response

    @staticmethod
    def sign_in_page(request: HttpRequest) -> HttpResponse:
        """htmx loads the sign-in page in place of the whole page, to return to it after."""
        page = urlsplit(request.headers.get("HX-Current-URL", "")).path or request.path
        response = HttpResponse()
        response["HX-Redirect"] = redirect_to_login(page).url
        return response
