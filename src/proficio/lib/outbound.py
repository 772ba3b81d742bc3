"""Requests Proficio makes to addresses someone typed or another system sent (an LMS's
keys and services, a district's webhook endpoint): HTTPS to the public internet only, never
to this machine or the network it runs in, a timeout on each, no redirects followed.

`PROFICIO_OUTBOUND_ALLOW_PRIVATE` lifts the address and scheme rules, for the tests' local
servers alone."""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings

TIMEOUT_SECONDS = 10


class Refused(requests.RequestException):
    """An address Proficio does not send to (a RequestException, so callers that handle a
    platform or endpoint not answering handle this too)."""


def address_problem(url: str) -> str:
    """Why Proficio does not send to `url`, or ""."""
    allow_private = getattr(settings, "PROFICIO_OUTBOUND_ALLOW_PRIVATE", False)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "The address is not a web address."
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        return "The address must begin with https://."
    if not host:
        return "The address has no host."
    if allow_private:
        return ""
    try:
        found = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return f"{host} cannot be found."
    for *_family, sockaddr in found:
        if not ipaddress.ip_address(str(sockaddr[0]).split("%")[0]).is_global:
            return f"{host} is a private or local address."
    return ""


class OutboundSession(requests.Session):
    """A requests session that refuses what `address_problem` refuses, waits at most
    TIMEOUT_SECONDS and follows no redirect (a redirect could lead inside)."""

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if problem := address_problem(str(url)):
            raise Refused(problem)
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)
