from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "proficio.work"
    verbose_name = "Student work"
