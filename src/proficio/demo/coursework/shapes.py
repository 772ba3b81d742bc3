"""The shapes of the demo's coursework: a performance task as a teacher writes it, and one
student's work on it, step by step — the versions they save and the teacher's readings."""

import re
from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class TaskContent:
    code: str  # the competency the task is for
    title: str
    stages: tuple[int, ...]  # the stages of that competency it is aligned to
    instructions: str  # Markdown
    options: tuple[str, ...]  # the choice board
    author: str  # the section whose teacher writes the task
    given_to: tuple[str, ...]  # sections, each given the task by its own teacher
    opened: int  # days ago the task was given
    due: int  # days from today of its target date (negative: already past)
    revision_policy: str = "unlimited"
    max_revisions: int | None = None
    shared: bool = False  # in the district's library


@dataclass(frozen=True)
class Version:
    """One revision a student saves: submitted with their self-assessment, or a draft."""

    text: str
    self_level: int | None = None  # None: a draft, not submitted
    reflection: str = ""
    files: tuple[str, ...] = ()  # keys of `media.FILES`

    @property
    def submitted(self) -> bool:
        return self.self_level is not None


@dataclass(frozen=True)
class Reading:
    """A teacher's review of the version before it: a rating of the stage with feedback,
    and the work rated or returned for revision."""

    level: int
    present: str
    next: str
    returned: bool = False


@dataclass(frozen=True)
class StudentWork:
    """One student's work on a task, written in the voice of a student of `ages` working
    on `stage`. `option` is a place on the choice board, or the title of the student's own
    option (approved by their teacher unless `approved` is false). `{name}` in a text is
    the student's first name."""

    task: str
    stage: int
    option: int | str
    steps: tuple[Version | Reading, ...]
    ages: tuple[int, ...] = ()
    login: bool = False  # the work of the demo's `student`
    approved: bool = True

    @property
    def top_level(self) -> int:
        """The highest level a teacher gives it (0 when no one has read it yet)."""
        return max((step.level for step in self.steps if isinstance(step, Reading)), default=0)

    @property
    def submitted(self) -> bool:
        return any(isinstance(step, Version) and step.submitted for step in self.steps)


# A line that starts a new Markdown block rather than continuing the one before it.
_BLOCK_START = re.compile(r"(#|- |\d+\. |\|)")


def prose(text: str) -> str:
    """Markdown written across short source lines, each paragraph and list item joined
    back into one line; headings, table rows and blank lines kept as they are."""
    lines: list[str] = []
    for line in dedent(text).strip().splitlines():
        continues = (
            lines
            and line.strip()
            and lines[-1].strip()
            and not _BLOCK_START.match(line.strip())
            and not lines[-1].startswith(("#", "|"))
        )
        if continues:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line.rstrip())
    return "\n".join(lines)


def draft(text: str, *, files: tuple[str, ...] = ()) -> Version:
    return Version(prose(text), files=files)


def submitted(text: str, level: int, reflection: str, *, files: tuple[str, ...] = ()) -> Version:
    return Version(prose(text), self_level=level, reflection=prose(reflection), files=files)


def returned(level: int, present: str, next_: str) -> Reading:
    return Reading(level, prose(present), prose(next_), returned=True)


def rated(level: int, present: str, next_: str) -> Reading:
    return Reading(level, prose(present), prose(next_))
