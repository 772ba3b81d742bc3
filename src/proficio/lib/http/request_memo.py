"""Facts read once per request: a memo that lives exactly as long as one request.

Every permission rule starts from the requester's roles, and one page asks a dozen rules.
`remembered` keeps such a read for the rest of the request; outside a request (the command
line, the task worker, a test calling a service) there is no memo and every read goes to the
database, so nothing long-lived can go stale. A write that changes a remembered fact calls
`forget` so the rest of its request reads it afresh.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("request_memo", default=None)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per request for this key; every time outside a request."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]  # type: ignore[return-value]


def forget(kind: str) -> None:
    """Drop every remembered fact whose key starts with `kind`, e.g. after a role changes."""
    memo = _memo.get()
    if memo is not None:
        for key in [key for key in memo if isinstance(key, tuple) and key[:1] == (kind,)]:
            del memo[key]


class RequestMemoMiddleware:
    """Opens an empty memo for each request and drops it when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
