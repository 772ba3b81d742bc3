from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "proficio.frameworks"
    verbose_name = "Frameworks and competencies"
