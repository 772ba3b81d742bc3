from django.apps import AppConfig


class LibConfig(AppConfig):
    """Installed so that Django finds lib's templates and static files (it has no models),
    and to give the engine's sentences the reader's language."""

    name = "proficio.lib"
    verbose_name = "Shared infrastructure"

    def ready(self) -> None:
        from django.utils.translation import gettext, ngettext

        from proficio.engine import words

        words.install(gettext, ngettext)
