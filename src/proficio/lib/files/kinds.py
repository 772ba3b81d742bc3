"""What a student's file is, read from its first bytes: kept only when it is one of the
kinds schools hand in (images, audio, video, PDF, office documents, plain text), and refused
with a plain reason otherwise — a web page, an SVG that runs scripts, a program, an empty
file, or a name that claims another kind than the content."""

import mimetypes
import re
from pathlib import PurePath

import filetype
from django.utils.translation import gettext

from proficio.lib.errors import InvalidInput

HEAD_BYTES = 8192  # enough for every signature read here, and for a text file's start

# Kind families a name's extension and the content must agree on.
KEPT = {
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/heic": "image",
    "audio/mpeg": "audio",
    "audio/ogg": "audio",
    "audio/x-wav": "audio",
    "audio/x-flac": "audio",
    "audio/aac": "audio",
    "audio/mp4": "audio",
    "audio/x-m4a": "audio",
    "video/webm": "video",  # a browser's own recordings, audio alone included
    "video/mp4": "video",
    "video/quicktime": "video",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "office",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "office",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "office",
    "application/vnd.oasis.opendocument.text": "office",
    "application/vnd.oasis.opendocument.spreadsheet": "office",
    "application/vnd.oasis.opendocument.presentation": "office",
    "text/plain": "text",
}
# Containers a name may not tell apart: a .weba or .m4a recording read as video is still it.
SAME_FAMILY = {("audio", "video"), ("video", "audio")}
PROGRAMS = ("application/x-msdownload", "application/x-executable", "application/x-mach-binary")
WEB_PAGE = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<script|<iframe)", re.I)
SVG = re.compile(rb"<svg[\s>]", re.I)
SVG_ACTIVE = re.compile(rb"<script|\son\w+\s*=|javascript:|<foreignobject", re.I)


def family_of(content_type: str) -> str:
    """ "image", "audio", "video", "pdf", "office" or "text": how a kept file is previewed."""
    return KEPT.get(content_type, "other")


def kind_of(head: bytes, name: str) -> str:
    """The content type of a file starting with `head` and called `name`; InvalidInput with
    the reason when Proficio does not keep it."""
    if not head:
        raise InvalidInput({"files": gettext("%(name)s is empty.") % {"name": name}})
    guessed = filetype.guess(head)
    if guessed is not None:
        content_type = guessed.mime
        if content_type in PROGRAMS:
            raise InvalidInput(
                {
                    "files": gettext("%(name)s is a program: programs are not accepted.")
                    % {"name": name}
                }
            )
        if content_type not in KEPT:
            raise InvalidInput(
                {
                    "files": gettext("%(name)s is a %(kind)s file, which Proficio does not keep.")
                    % {"name": name, "kind": content_type}
                }
            )
    else:
        content_type = _text_kind(head, name)
    _check_name(name, content_type)
    return content_type


def _text_kind(head: bytes, name: str) -> str:
    if head.startswith(b"#!"):
        raise InvalidInput(
            {"files": gettext("%(name)s is a program: programs are not accepted.") % {"name": name}}
        )
    if WEB_PAGE.match(head):
        raise InvalidInput(
            {
                "files": gettext(
                    "%(name)s is a web page: pages are not accepted (save it as a PDF)."
                )
                % {"name": name}
            }
        )
    if SVG.search(head):
        if SVG_ACTIVE.search(head):
            raise InvalidInput(
                {
                    "files": gettext(
                        "%(name)s is an SVG drawing that runs scripts: it is not accepted."
                    )
                    % {"name": name}
                }
            )
        raise InvalidInput(
            {
                "files": gettext("%(name)s is an SVG drawing: hand it in as a PNG or PDF.")
                % {"name": name}
            }
        )
    try:
        # A multi-byte character may be cut at the end of the head: ignore only that.
        head.decode("utf-8") if len(head) < HEAD_BYTES else head[:-3].decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            {"files": gettext("%(name)s is not a kind of file Proficio keeps.") % {"name": name}}
        ) from None
    if b"\x00" in head:
        raise InvalidInput(
            {"files": gettext("%(name)s is not a kind of file Proficio keeps.") % {"name": name}}
        )
    return "text/plain"


def _check_name(name: str, content_type: str) -> None:
    """A name whose extension names another kind than the content is refused: it would
    open in the wrong program, or hide what the file is."""
    suffix = PurePath(name).suffix.lower()
    claimed, _ = mimetypes.guess_type(f"file{suffix}") if suffix else (None, None)
    if claimed is None:
        return
    ours, theirs = KEPT[content_type], KEPT.get(claimed) or claimed.split("/")[0]
    if ours != theirs and (ours, theirs) not in SAME_FAMILY:
        raise InvalidInput(
            {
                "files": gettext(
                    "%(name)s is named %(suffix)s but holds %(kind)s: rename it or export it again."
                )
                % {"name": name, "suffix": suffix, "kind": content_type}
            }
        )
