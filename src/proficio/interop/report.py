"""What an import found and did: problems located by file, line and field; counts per kind.

Every importer first validates its whole input into a plan, collecting every
problem; only a plan without problems is written, in one transaction. So a bad
file changes nothing, and the person sees all that is wrong at once.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from proficio.lib.errors import ProficioError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the format allows."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class ImportRefused(ProficioError):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported.")


@dataclass
class ImportReport:
    """Counts per kind of record ("items", "users", …) of what was or would be done."""

    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    fixed: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def count_rows(self, labels: Mapping[str, str]) -> list[tuple[str, int, int, int]]:
        """(label, created, updated, unchanged) for each labelled kind with anything to count."""
        return [
            (label, self.created[kind], self.updated[kind], self.unchanged[kind])
            for kind, label in labels.items()
            if self.created[kind] or self.updated[kind] or self.unchanged[kind]
        ]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "skipped": dict(self.skipped),
            "fixed": list(self.fixed),
            **self.extra,
        }
