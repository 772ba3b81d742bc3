"""The pathways app's public face: playlists for competency stages and a student's progress
on them, next steps, supports, flexible groups, and advancement upon mastery."""

from proficio.pathways.advancement import (
    advancement_accelerate,
    advancement_confirm,
    advancement_decide,
    course_completion,
    gate_of,
    gate_set,
    proposals_sync,
)
from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.groups import (
    GROUP_SIZE_LEAST,
    GROUP_SIZE_MOST,
    group_sizes_set,
    group_write,
    groups_suggested,
)
from proficio.pathways.models import (
    Advancement,
    FlexibleGroup,
    ItemProgress,
    Playlist,
    PlaylistItem,
    Support,
)
from proficio.pathways.permissions import may_see_playlist, may_write_playlists
from proficio.pathways.selectors import next_steps, playlists_of_student
from proficio.pathways.services import (
    item_add,
    item_mark_done,
    item_start,
    playlist_copy,
    playlist_create,
)
from proficio.pathways.supports import (
    support_end,
    support_record,
    supported_competencies,
    supports_now,
)

__all__ = [
    "GROUP_SIZE_LEAST",
    "GROUP_SIZE_MOST",
    "Advancement",
    "FlexibleGroup",
    "ItemDraft",
    "ItemProgress",
    "Playlist",
    "PlaylistItem",
    "StageRef",
    "Support",
    "advancement_accelerate",
    "advancement_confirm",
    "advancement_decide",
    "course_completion",
    "gate_of",
    "gate_set",
    "group_sizes_set",
    "group_write",
    "groups_suggested",
    "item_add",
    "item_mark_done",
    "item_start",
    "may_see_playlist",
    "may_write_playlists",
    "next_steps",
    "playlist_copy",
    "playlist_create",
    "playlists_of_student",
    "proposals_sync",
    "support_end",
    "support_record",
    "supported_competencies",
    "supports_now",
]
