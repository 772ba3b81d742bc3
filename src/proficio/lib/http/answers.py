"""Refusals that speak the caller's language: JSON to the JSON API, a sentence to a browser."""

from django.http import HttpRequest, HttpResponse, JsonResponse


def wants_json(request: HttpRequest) -> bool:
    """The JSON API takes JSON bodies; a browser's form never sends one."""
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def refusal(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
