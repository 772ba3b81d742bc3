from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "proficio.people"
    verbose_name = "People and sections"
