from django.apps import AppConfig


class AgencyConfig(AppConfig):
    name = "proficio.agency"
    verbose_name = "Agency"
