"""Where password-reset mail goes: read from the environment, files in the home by default."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from proficio.config.mail import mail_settings

HOME = Path("/srv/proficio")


def test_without_a_mail_server_mail_is_written_to_files_in_the_home():
    assert mail_settings({}, HOME) == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": HOME / "mail",
        "DEFAULT_FROM_EMAIL": "proficio@localhost",
        "SERVER_EMAIL": "proficio@localhost",
    }


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "ssl"),
    [
        ("smtp+tls://mailer:s3cret@mail.example.org:2525", "mail.example.org", 2525, True, False),
        ("smtp+tls://mailer:s3cret@mail.example.org", "mail.example.org", 587, True, False),
        ("smtps://mailer:s3cret@mail.example.org", "mail.example.org", 465, False, True),
        ("smtp://mailer:s3cret@localhost", "localhost", 25, False, False),
    ],
)
def test_an_email_url_names_the_smtp_server(url, host, port, tls, ssl):
    found = mail_settings({"PROFICIO_EMAIL_URL": url}, HOME)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"]) == (host, port)
    assert (found["EMAIL_USE_TLS"], found["EMAIL_USE_SSL"]) == (tls, ssl)
    assert (found["EMAIL_HOST_USER"], found["EMAIL_HOST_PASSWORD"]) == ("mailer", "s3cret")


def test_a_user_and_password_may_hold_escaped_characters():
    url = "smtp+tls://office%40school.example:p%3Ass%2Fw%40rd@mail.example.org"
    found = mail_settings({"PROFICIO_EMAIL_URL": url}, HOME)
    assert found["EMAIL_HOST_USER"] == "office@school.example"
    assert found["EMAIL_HOST_PASSWORD"] == "p:ss/w@rd"


def test_the_smtp_variables_name_the_server_too():
    found = mail_settings(
        {
            "PROFICIO_SMTP_HOST": "mail.example.org",
            "PROFICIO_SMTP_USER": "mailer",
            "PROFICIO_SMTP_PASSWORD": "s3cret",
            "PROFICIO_SMTP_SECURITY": "tls",
            "PROFICIO_SMTP_PORT": "465",
            "PROFICIO_EMAIL_FROM": "Proficio <noreply@school.example>",
        },
        HOME,
    )
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"]) == ("mail.example.org", 465)
    assert (found["EMAIL_USE_TLS"], found["EMAIL_USE_SSL"]) == (False, True)
    assert found["DEFAULT_FROM_EMAIL"] == "Proficio <noreply@school.example>"


def test_the_smtp_variables_default_to_starttls_on_587():
    found = mail_settings({"PROFICIO_SMTP_HOST": "mail.example.org"}, HOME)
    assert found["EMAIL_PORT"] == 587
    assert (found["EMAIL_USE_TLS"], found["EMAIL_USE_SSL"]) == (True, False)


def test_console_prints_mail_to_the_servers_output():
    found = mail_settings({"PROFICIO_EMAIL_URL": "console:"}, HOME)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize(
    "environ",
    [
        {"PROFICIO_EMAIL_URL": "http://mail.example.org"},
        {"PROFICIO_EMAIL_URL": "smtp://"},
        {"PROFICIO_SMTP_HOST": "mail.example.org", "PROFICIO_SMTP_SECURITY": "maybe"},
    ],
)
def test_a_mistaken_mail_setting_is_refused_with_the_reason(environ):
    with pytest.raises(ImproperlyConfigured):
        mail_settings(environ, HOME)


def test_the_site_reads_its_mail_settings_at_start(settings):
    assert settings.EMAIL_FILE_PATH == settings.HOME / "mail"
