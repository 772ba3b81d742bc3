from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "proficio.privacy"
    verbose_name = _("A student's data on request")
