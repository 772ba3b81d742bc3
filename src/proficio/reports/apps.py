from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "proficio.reports"
    verbose_name = "Reports"
