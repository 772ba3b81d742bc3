"""What setting up a district takes: its names, its first admin and the scale it rates on.

Plain values only: the command line reads these before Django is set up.
"""

from dataclasses import dataclass
from typing import NamedTuple


class Level(NamedTuple):
    value: int
    label: str
    colour: str
    is_mastery: bool = False


FOUR_LEVELS = (
    Level(1, "Beginning", "#a0522d"),
    Level(2, "Developing", "#8a6a00"),
    Level(3, "Proficient", "#2b6e4a", is_mastery=True),
    Level(4, "Advanced", "#2b5f9e", is_mastery=True),
)
# Scales a district may start with: the name a command or form gives, what it is called
# on pages, and its levels (those marked mastery count as mastered). The other two are
# the four levels with one more below, or one more between Beginning and Developing.
SCALE_PRESETS: dict[str, tuple[str, tuple[Level, ...]]] = {
    "1-4": ("Four levels (1–4, mastery at 3)", FOUR_LEVELS),
    "0-4": (
        "Five levels from 0 (0–4, mastery at 3)",
        (Level(0, "Not yet", "#6b6b6b"), *FOUR_LEVELS),
    ),
    "1-5": (
        "Five levels (1–5, mastery at 4)",
        (
            FOUR_LEVELS[0],
            Level(2, "Emerging", "#8f5a1d"),
            *(level._replace(value=level.value + 1) for level in FOUR_LEVELS[1:]),
        ),
    ),
}
DEFAULT_SCALE = "1-4"


@dataclass(frozen=True)
class DistrictSetup:
    """A new district, its first school and its first district admin."""

    district: str
    school: str
    admin_username: str
    admin_email: str
    admin_password: str
    admin_first_name: str = ""
    admin_last_name: str = ""
    scale: str = DEFAULT_SCALE
