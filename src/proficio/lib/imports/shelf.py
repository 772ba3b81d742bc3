"""Where an uploaded file waits between its preview and its confirmation.

The confirm step imports the file kept here, never a plan sent back by the browser. Files are
readable by the site only (0600, in a 0700 folder under the home), named for their owner and a
random token, and swept away a day after they were kept.
"""

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.utils.translation import gettext as _

from proficio.home import home_dir

MEGABYTE = 1024 * 1024
UPLOAD_TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 60 * 60


def size_limit(limit_mb: int):
    """A form-field validator: the upload may be at most `limit_mb` megabytes."""

    def check(upload: UploadedFile) -> None:
        if upload.size > limit_mb * MEGABYTE:
            raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": limit_mb})

    return check


@dataclass(frozen=True)
class UploadShelf:
    """Where one kind of upload waits: HOME/<folder>/[<owner>-]<token><suffix>."""

    folder: str
    suffix: str

    def _dir(self) -> Path:
        path = home_dir() / self.folder
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path

    def _path(self, token: str, owner: str) -> Path:
        return self._dir() / f"{owner}{'-' if owner else ''}{token}{self.suffix}"

    def keep(self, upload: UploadedFile, owner: str = "") -> str:
        """Store the upload (and sweep away what was kept over a day ago); the returned random
        token names it."""
        cutoff = time.time() - KEEP_SECONDS
        for old in self._dir().glob(f"*{self.suffix}"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        token = secrets.token_hex(16)
        upload.seek(0)
        fd = os.open(self._path(token, owner), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as stored:
            for chunk in upload.chunks():
                stored.write(chunk)
        return token

    def is_kept(self, token: str, owner: str = "") -> bool:
        return bool(UPLOAD_TOKEN.fullmatch(token)) and self._path(token, owner).is_file()

    def kept(self, token: str, owner: str = "") -> Path:
        """The file kept under `token`, or 404 once it is imported, cancelled or expired."""
        if not self.is_kept(token, owner):
            raise Http404(_("This upload was already imported or has expired."))
        return self._path(token, owner)

    def discard(self, token: str, owner: str = "") -> None:
        if UPLOAD_TOKEN.fullmatch(token):
            self._path(token, owner).unlink(missing_ok=True)
