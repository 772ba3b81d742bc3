"""Where Proficio's mail (password resets) goes, read from the environment.

- `PROFICIO_EMAIL_URL`: `smtp+tls://user:password@host:587` (STARTTLS),
  `smtps://user:password@host:465` (TLS from the start), `smtp://host:25` (no encryption, for a
  relay on the same machine), or `console:` (printed by the server). Escape `@`, `:` and `/`
  in the user or password as `%40`, `%3A`, `%2F`.
- Or `PROFICIO_SMTP_HOST` with `PROFICIO_SMTP_PORT` (587), `PROFICIO_SMTP_USER`,
  `PROFICIO_SMTP_PASSWORD` and `PROFICIO_SMTP_SECURITY` (`starttls`, `tls` or `none`).
- Neither: each message is written as a file to `<home>/mail`, so a site with no mail server
  still works and its admin can read what was sent.
- `PROFICIO_EMAIL_FROM`: the sender (default `proficio@localhost`).
"""

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Seconds to wait on a mail server before giving up, so a dead one cannot hang the worker.
SMTP_TIMEOUT = 20

# scheme: (default port, STARTTLS, TLS from the start)
URL_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}
SECURITIES = {"starttls": (True, False), "tls": (False, True), "none": (False, False)}


def _smtp(host: str, port: int, user: str, password: str, tls: bool, ssl: bool) -> dict:
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": host,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": user,
        "EMAIL_HOST_PASSWORD": password,
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": SMTP_TIMEOUT,
    }


def _from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in URL_SCHEMES or not parts.hostname:
        raise ImproperlyConfigured(
            "PROFICIO_EMAIL_URL must look like smtp+tls://user:password@host:587 "
            f"(or smtps://, smtp://, console:); got the scheme {parts.scheme!r}."
        )
    default_port, tls, ssl = URL_SCHEMES[parts.scheme]
    return _smtp(
        parts.hostname,
        parts.port or default_port,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        tls,
        ssl,
    )


def _from_smtp_variables(environ: Mapping[str, str]) -> dict:
    security = environ.get("PROFICIO_SMTP_SECURITY", "starttls").lower()
    if security not in SECURITIES:
        raise ImproperlyConfigured(
            f"PROFICIO_SMTP_SECURITY must be one of {', '.join(SECURITIES)}; got {security!r}."
        )
    tls, ssl = SECURITIES[security]
    return _smtp(
        environ["PROFICIO_SMTP_HOST"],
        int(environ.get("PROFICIO_SMTP_PORT", "587")),
        environ.get("PROFICIO_SMTP_USER", ""),
        environ.get("PROFICIO_SMTP_PASSWORD", ""),
        tls,
        ssl,
    )


def mail_settings(environ: Mapping[str, str], home: Path) -> dict[str, object]:
    """Django's EMAIL_* and DEFAULT_FROM_EMAIL settings for this environment."""
    if environ.get("PROFICIO_EMAIL_URL"):
        delivery = _from_url(environ["PROFICIO_EMAIL_URL"])
    elif environ.get("PROFICIO_SMTP_HOST"):
        delivery = _from_smtp_variables(environ)
    else:
        delivery = {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": home / "mail",
        }
    sender = environ.get("PROFICIO_EMAIL_FROM", "proficio@localhost")
    return delivery | {"DEFAULT_FROM_EMAIL": sender, "SERVER_EMAIL": sender}
