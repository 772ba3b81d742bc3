from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "proficio.lrs"
    verbose_name = "xAPI Learning Record Store"
