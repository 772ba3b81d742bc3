"""Anonymising a copy of student work before other teachers (or, as an exemplar, other
students) read it: the student's names and identifiers leave the text, text files, office
documents and file names. What no program here reads for names (a photo, a recording, a
PDF) is marked so, and is why a second person confirms an exemplar before it is published."""

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.text import slugify

from proficio.people.api import Person

PLACEHOLDER = "[student]"
SHORTEST = 2  # a one-letter "name" would blank out every "a" and "I"
COMBINING = "[\u0300-\u036f]*"
# Office documents are zips of XML: the parts that hold the text and the author.
OFFICE_TEXT = re.compile(
    r"^(word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml|"
    r"docProps/(core|app)\.xml|content\.xml|meta\.xml|styles\.xml|ppt/slides/slide\d+\.xml|"
    r"xl/sharedStrings\.xml)$"
)
OFFICE_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)


@dataclass(frozen=True)
class Names:
    """How a student is named: `whole` identifiers (full name, username, email, roster id,
    UUID) are taken out in any case; `parts` (a first, last or preferred name alone) only
    where written as a name, with a capital, so "Will" goes but "I will argue" stays."""

    whole: tuple[str, ...]
    parts: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.whole or self.parts)


NO_NAMES = Names((), ())


def _longest_first(names: Iterable[str]) -> tuple[str, ...]:
    kept = {name.strip() for name in names if len(name.strip()) >= SHORTEST}
    return tuple(sorted(kept, key=lambda name: (-len(name), name)))


def identifiers_of(person: Person | None) -> Names:
    if person is None:
        return NO_NAMES
    local = person.email.split("@")[0] if person.email else ""
    whole = {
        person.get_full_name(),
        person.display_name,
        person.username,
        person.email,
        local,
        person.sourced_id,
        str(person.uuid),
    }
    parts: set[str] = set()
    for name in (person.first_name, person.last_name, person.preferred_name):
        parts.add(name)
        parts.update(re.split(r"[\s\-]+", name))
    for handle in (person.username, local):
        parts.update(part.capitalize() for part in re.split(r"[._\-+\d]+", handle))
    return Names(_longest_first(whole), _longest_first(parts - whole))


def _letter(char: str) -> str:
    """A letter matched with or without its accent, composed or not."""
    base = unicodedata.normalize("NFKD", char)[0]
    variants = {char, base, base.upper(), base.lower()}
    variants |= {
        composed
        for composed in (
            unicodedata.normalize("NFC", base + mark) for mark in "\u0301\u0300\u0308\u0302\u0303"
        )
        if len(composed) == 1
    }
    if not base.isalpha():
        return re.escape(char)
    return "[" + "".join(sorted(re.escape(v) for v in variants)) + "]" + COMBINING


def _pattern(name: str) -> str:
    return "".join(_letter(char) for char in unicodedata.normalize("NFC", name))


def scrub(text: str, names: Names) -> str:
    """`text` with each identifier, as a whole word, replaced by [student]."""
    if not names or not text:
        return text
    text = unicodedata.normalize("NFC", text)
    if names.whole:
        whole = re.compile(
            r"(?<!\w)(?:" + "|".join(_pattern(n) for n in names.whole) + r")(?:'s|’s)?(?!\w)",
            re.IGNORECASE,
        )
        text = whole.sub(PLACEHOLDER, text)
    if names.parts:
        # A name alone is a name only with its capital: the first letter as written.
        parts = re.compile(
            r"(?<!\w)(?:"
            + "|".join(
                f"(?-i:{re.escape(n[0].upper())})(?i:{_pattern(n[1:])})" for n in names.parts
            )
            + r")(?:'s|’s)?(?!\w)"
        )
        text = parts.sub(PLACEHOLDER, text)
    return text


def file_name(code: str, stage: int, number: int, original: str) -> str:
    """A name that says what the file is, never whose: "w-arg-stage-3-1.pdf"."""
    suffix = PurePath(original).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"{slugify(code) or 'work'}-stage-{stage}-{number}{suffix}"


@dataclass(frozen=True)
class Scrubbed:
    content: bytes
    # Whether its words were read for names (text and office documents); a photo, a
    # recording or a PDF was not, and the second person must open it.
    read: bool


def scrub_bytes(content: bytes, content_type: str, names: Names) -> Scrubbed:
    """A file's content with the names taken out where it can be read."""
    if content_type == "text/plain":
        try:
            decoded = content.decode("utf-8")
        except UnicodeDecodeError:
            return Scrubbed(content, read=False)
        return Scrubbed(scrub(decoded, names).encode("utf-8"), read=True)
    if content_type in OFFICE_TYPES:
        return _scrub_office(content, names)
    return Scrubbed(content, read=False)


def _scrub_office(content: bytes, names: Names) -> Scrubbed:
    """An office document's text parts and author fields scrubbed; a name split across
    formatting runs may survive, so the second person still opens it."""
    try:
        source = zipfile.ZipFile(io.BytesIO(content))
        copy = io.BytesIO()
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
            for member in source.infolist():
                data = source.read(member)
                if OFFICE_TEXT.match(member.filename):
                    data = scrub(data.decode("utf-8"), names).encode("utf-8")
                target.writestr(member, data)
    except (zipfile.BadZipFile, UnicodeDecodeError, KeyError):
        return Scrubbed(content, read=False)
    return Scrubbed(copy.getvalue(), read=True)
