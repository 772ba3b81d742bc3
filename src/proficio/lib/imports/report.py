"""What the import pages show of a preview or an import, whatever the importer: a heading and a
sentence, the counts per kind of record, lists of notes, links onward; or the problems that
refused the file."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from proficio.lib.errors import ProficioError


class Problem(Protocol):
    """One thing wrong with the file, located as precisely as its format allows."""

    file: str
    message: str
    line: int | None
    field: str | None


@dataclass(frozen=True)
class Remedy:
    """A choice that would let a refused file import: the button's label and the choices
    (see `Importer.choices`) the preview is then run again with."""

    label: str
    choices: Mapping[str, str]


class Refused(ProficioError):
    """Raised by an importer's preview or confirm: the file has problems; nothing was written.
    With `remedies`, the file is kept and the page offers them."""

    def __init__(self, problems: Sequence[Problem], *, remedies: Sequence[Remedy] = ()):
        self.problems = list(problems)
        self.remedies = list(remedies)
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported.")


@dataclass(frozen=True)
class CountTable:
    """Rows of counts: a label per kind of record, a number per column ("New", "Changed", …)."""

    columns: Sequence[str]
    rows: Sequence[tuple[str, Sequence[int]]]


def count_table(
    counts: Mapping[str, Mapping[str, int]],
    columns: Mapping[str, str],
    kinds: Mapping[str, str],
    *,
    always: Sequence[str] = (),
    every_kind: bool = False,
) -> CountTable:
    """The table of `counts` (column → kind → number): the labelled `columns` listed in `always`
    or counting anything, and the labelled `kinds` counting anything (all of them with
    `every_kind`). Kinds without a label are not shown."""
    shown = [
        column for column in columns if column in always or any(counts.get(column, {}).values())
    ]
    rows = [
        (str(label), [counts.get(column, {}).get(kind, 0) for column in shown])
        for kind, label in kinds.items()
    ]
    return CountTable(
        columns=[str(columns[column]) for column in shown],
        rows=[(label, numbers) for label, numbers in rows if every_kind or any(numbers)],
    )


@dataclass(frozen=True)
class Notes:
    """A list under a heading: what was repaired on the way in, what was left out, …"""

    heading: str
    lines: Sequence[str]
    hint: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Summary:
    """An importer's account of one preview (or import), for the shared pages.

    `heading` names what is (or was) imported; `lead` is the sentence under it (on the result
    page, the confirmation); `format` stands beside the file's name; `notices` are what the
    person should know before confirming, `warnings` what importing would change that is hard
    to take back (a rename, deactivations, many people at once); `confirm` is the import
    button's label, saying what it does; `links` lead on from the result.
    """

    heading: str
    lead: str = ""
    format: str = ""
    notices: Sequence[str] = ()
    warnings: Sequence[str] = ()
    confirm: str = ""
    counts: CountTable | None = None
    notes: Sequence[Notes] = ()
    links: Sequence[Link] = ()
