"""What other apps and the API hand the pathways app: plain values."""

from dataclasses import dataclass, field

from proficio.frameworks.api import Competency


@dataclass(frozen=True)
class StageRef:
    """One (competency, stage ordinal)."""

    competency: Competency
    stage: int


@dataclass(frozen=True)
class ItemDraft:
    """One item of a playlist as a teacher writes it."""

    kind: str
    title: str
    minutes: int | None = None
    mode: str = "online"
    url: str = ""
    focus: str = "core"
    unlock: str = "open"
    needs: tuple[StageRef, ...] = field(default_factory=tuple)
    task: object | None = None  # a work Task the teacher may see, for a "task" item
    attachment: object | None = None  # an UploadedFile: a reading, a worksheet
