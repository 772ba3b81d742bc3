"""Forms of the account pages."""

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from proficio.web.tasks import password_reset_mail_send


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, with the mail sent by the task worker: asking for a known address
    and for an unknown one then take the same path and the same time, so neither the page nor
    its timing says whether an account exists."""

    def save(
        self,
        *,
        domain_override: str | None = None,
        use_https: bool = False,
        request: HttpRequest | None = None,
        **_django_options: object,
    ) -> None:
        password_reset_mail_send.enqueue(
            email=self.cleaned_data["email"],
            domain=domain_override or get_current_site(request).domain,
            use_https=use_https,
        )
