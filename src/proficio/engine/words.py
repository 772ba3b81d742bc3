"""The engine's words in the reader's language. The engine stays free of Django: `_` marks a
sentence (so it is extracted into the message files) and translates it with whatever an
application installed — Django's gettext, at start-up — or leaves it as written."""

from collections.abc import Callable


def _english_plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


_translate: Callable[[str], str] = str
_translate_plural: Callable[[str, str, int], str] = _english_plural


def install(
    translate: Callable[[str], str], translate_plural: Callable[[str, str, int], str]
) -> None:
    """Translate the engine's sentences with `translate` (called with the English text) and
    `translate_plural` (the singular, the plural and the count, as ngettext takes them)."""
    global _translate, _translate_plural
    _translate, _translate_plural = translate, translate_plural


def _(text: str) -> str:
    return _translate(text)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translate_plural(singular, plural, count)


def gettext_noop(text: str) -> str:
    """Marks a sentence kept in a constant for the message files; `_` translates it where
    it is used."""
    return text
