"""Checking files handed in before any is stored: each within the size limit and of a kind
Proficio keeps, every problem told at once."""

from collections.abc import Sequence
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from proficio.lib.errors import InvalidInput
from proficio.lib.files.kinds import HEAD_BYTES, kind_of

MB = 1024 * 1024


def upload_name(upload: UploadedFile) -> str:
    """The file's own name, without any folder a browser may send."""
    return PurePath(upload.name or "file").name[:255]


def checked_kinds(files: Sequence[UploadedFile], errors: dict) -> list[str]:
    """Each file's content type, read from its first bytes; problems (too large, a kind not
    kept, a name that lies) go into `errors` as "files-<n>", counted from 1."""
    limit = settings.PROFICIO_MAX_FILE_MB * MB
    kinds = []
    for number, upload in enumerate(files, start=1):
        name = upload_name(upload)
        if upload.size > limit:
            errors[f"files-{number}"] = gettext(
                "%(name)s is %(size)s MB: files may be %(most)s MB at most."
            ) % {
                "name": name,
                "size": f"{upload.size / MB:.0f}",
                "most": settings.PROFICIO_MAX_FILE_MB,
            }
            continue
        upload.seek(0)
        try:
            kinds.append(kind_of(upload.read(HEAD_BYTES), name))
        except InvalidInput as refused:
            errors[f"files-{number}"] = refused.errors["files"]
    return kinds
