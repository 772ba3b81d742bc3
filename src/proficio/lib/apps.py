from django.apps import AppConfig


class LibConfig(AppConfig):
    """Installed only so that Django finds lib's templates and static files; it has no models."""

    name = "proficio.lib"
    verbose_name = "Shared infrastructure"
