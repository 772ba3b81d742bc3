"""Anonymising a copy of student work before other teachers (or, as an exemplar, other
students) read it: the student's names and identifiers leave the text, text files and file
names. What no program can read for names (a photo, a recording, a PDF's pictures) is why a
second person confirms an exemplar before it is published."""

import re
from collections.abc import Iterable
from pathlib import PurePath

from django.utils.text import slugify

from proficio.people.api import Person

PLACEHOLDER = "[student]"
SHORTEST = 2  # a one-letter "name" would blank out every "a" and "I"


def identifiers_of(person: Person) -> list[str]:
    """Every way the student is named or identified, longest first, so "Ana Ruiz" goes
    before "Ana"; the parts of a username or email count too ("ana.ruiz" → "ruiz")."""
    found = {
        person.get_full_name(),
        person.first_name,
        person.last_name,
        person.preferred_name,
        person.display_name,
        person.username,
        person.email,
        person.email.split("@")[0] if person.email else "",
        person.sourced_id,
        str(person.uuid),
    }
    for whole in (person.username, person.email.split("@")[0] if person.email else ""):
        found.update(re.split(r"[._\-+\d]+", whole))
    found.update(re.split(r"\s+", person.get_full_name()))
    return sorted(
        (name.strip() for name in found if len(name.strip()) >= SHORTEST),
        key=lambda name: (-len(name), name),
    )


def scrub(text: str, identifiers: Iterable[str]) -> str:
    """`text` with each identifier (as a whole word, in any case) replaced by [student]."""
    names = [name for name in identifiers if name]
    if not names or not text:
        return text
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(name) for name in names) + r")(?:'s|’s)?(?!\w)",
        re.IGNORECASE,
    )
    return pattern.sub(PLACEHOLDER, text)


def file_name(code: str, stage: int, number: int, original: str) -> str:
    """A name that says what the file is, never whose: "w-arg-stage-3-1.pdf"."""
    suffix = PurePath(original).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"{slugify(code) or 'work'}-stage-{stage}-{number}{suffix}"


def scrub_bytes(content: bytes, content_type: str, identifiers: Iterable[str]) -> bytes:
    """A text file's content scrubbed like text; other kinds as they are."""
    if content_type != "text/plain":
        return content
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError:
        return content
    return scrub(decoded, identifiers).encode("utf-8")
