"""The language of the pages: the one a signed-in person chose (kept with them, on any
device), else what LocaleMiddleware found (their choice in a cookie, then the browser's
Accept-Language)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

KNOWN = {code for code, _ in settings.LANGUAGES}


class PersonLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen in KNOWN:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
