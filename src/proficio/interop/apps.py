from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "proficio.interop"
    verbose_name = "Standards and rosters in and out"
