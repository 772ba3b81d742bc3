from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "proficio.pathways"
    verbose_name = "Pathways"
