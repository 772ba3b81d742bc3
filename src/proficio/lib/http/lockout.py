"""What a sign-in answers once django-axes has locked it out (settings.AXES_LOCKOUT_CALLABLE):
a page saying when to try again and who can unlock, or JSON with Retry-After for the API."""

from contextlib import suppress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.lib.http.answers import wants_json

# 429 Too Many Requests: the credentials may be right; the caller must wait.
LOCKED_OUT = 429


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with a brake on one address and counting a failure whatever the
    body was.

    Axes locks an (account, address) pair. One address trying a few passwords on each of many
    accounts (password spraying) never trips that; past PROFICIO_LOGIN_ADDRESS_FAILURE_LIMIT
    failures from one address within the cool-off, every sign-in from there waits. The limit
    is far above what a school's shared address sees from typos, since a success clears its
    own account's failures.

    Axes copies the form fields of a failed sign-in into its log. A JSON sign-in declared
    as multipart with no boundary cannot be read as a form: the failure still counts, with
    no fields to copy, rather than ending in a server error.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The pair's failures, or the limit itself once its address is over its own limit:
        axes decides a lockout from this number alone, before sign-in and after a failure."""
        failures = super().get_failures(request, credentials)
        if self._address_over_limit(request):
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def _address_over_limit(self, request: HttpRequest) -> bool:
        limit = settings.PROFICIO_LOGIN_ADDRESS_FAILURE_LIMIT
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        if not limit or not address:
            return False
        recent = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        failures = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return failures >= limit

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is not None:
            # Django keeps POST empty once it has failed to parse.
            with suppress(MultiPartParserError):
                request.POST  # noqa: B018
        super().user_login_failed(sender, credentials, request, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The address sign-in failures are counted by: the connection's, or behind a reverse
    proxy the last one in the header it sets (earlier ones come from the client, who could
    write anything)."""
    header = settings.PROFICIO_CLIENT_IP_HEADER
    if header:
        forwarded = request.headers.get(header, "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    minutes = settings.PROFICIO_LOGIN_COOLOFF_MINUTES
    # Every refused attempt during the lockout starts the wait again (axes' default), so the
    # wait runs from now.
    until = timezone.localtime() + timedelta(minutes=minutes)
    if wants_json(request):
        response = JsonResponse(
            {
                "detail": _(
                    "Too many failed sign-ins. Try again in %(minutes)s minutes, "
                    "or ask an administrator to unlock the account."
                )
                % {"minutes": minutes}
            },
            status=LOCKED_OUT,
        )
    else:
        response = render(
            request,
            "lib/http/locked_out.html",
            {"minutes": minutes, "until": until},
            status=LOCKED_OUT,
        )
    response["Retry-After"] = str(minutes * 60)
    return response
