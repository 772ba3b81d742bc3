from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "proficio.web"
    verbose_name = "Web"
