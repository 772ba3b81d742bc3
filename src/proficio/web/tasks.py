"""Background work of the web layer, run by the task worker that `proficio start` starts."""

from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task


@task()
def password_reset_mail_send(email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to each active person with this address and a password; nobody else
    hears of it. The link opens on `domain`, the host the request came to (ALLOWED_HOSTS)."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="web/password_reset_subject.txt",
            email_template_name="web/password_reset_email.txt",
        )
