"""The engine's words in the reader's language. The engine stays free of Django: `_` marks a
sentence (so it is extracted into the message files) and translates it with whatever an
application installed — Django's gettext, at start-up — or leaves it as written."""

from collections.abc import Callable

_translate: Callable[[str], str] = str


def install(translate: Callable[[str], str]) -> None:
    """Translate the engine's sentences with `translate` (called with the English text)."""
    global _translate
    _translate = translate


def _(text: str) -> str:
    return _translate(text)
