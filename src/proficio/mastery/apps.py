from django.apps import AppConfig


class MasteryConfig(AppConfig):
    name = "proficio.mastery"
    verbose_name = "Mastery"
