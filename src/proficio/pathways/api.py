"""The pathways app's public face: playlists for competency stages, a student's progress on
them, and the next steps of a student."""

from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.models import ItemProgress, Playlist, PlaylistItem
from proficio.pathways.permissions import may_see_playlist, may_write_playlists
from proficio.pathways.selectors import next_steps, playlists_of_student
from proficio.pathways.services import item_add, item_mark_done, playlist_copy, playlist_create

__all__ = [
    "ItemDraft",
    "ItemProgress",
    "Playlist",
    "PlaylistItem",
    "StageRef",
    "item_add",
    "item_mark_done",
    "may_see_playlist",
    "may_write_playlists",
    "next_steps",
    "playlist_copy",
    "playlist_create",
    "playlists_of_student",
]
