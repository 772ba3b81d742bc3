"""What the import pages share: who may use them, the size check, and the uploaded file kept
in the home between preview and confirm (the confirm step never trusts a plan sent back by
the browser). Files are readable by the site only and swept away after a day."""

import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from proficio.home import home_dir
from proficio.interop.permissions import may_import_frameworks
from proficio.interop.report import ImportRefused, ImportReport, Problem

MEGABYTE = 1024 * 1024
UPLOAD_TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 60 * 60


def district_admin_only(request: HttpRequest) -> None:
    if not may_import_frameworks(request.user):
        raise Http404(_("This page is for district admins."))


def checked_size(upload: UploadedFile, limit_mb: int) -> UploadedFile:
    """The upload, or a form error when it is larger than `limit_mb` megabytes."""
    if upload.size > limit_mb * MEGABYTE:
        raise forms.ValidationError(_("The file is larger than %(size)s MB.") % {"size": limit_mb})
    return upload


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
        """Store the upload; the returned random token names it."""
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

    def kept(self, token: str, owner: str = "") -> Path:
        """The file kept under `token`, or 404 once it is imported, cancelled or expired."""
        path = self._path(token, owner)
        if not UPLOAD_TOKEN.fullmatch(token) or not path.is_file():
            raise Http404(_("This upload was already imported or has expired."))
        return path

    def discard(self, token: str, owner: str = "") -> None:
        if UPLOAD_TOKEN.fullmatch(token):
            self._path(token, owner).unlink(missing_ok=True)


def import_outcome(
    importer: Callable[..., ImportReport],
    request: HttpRequest,
    *,
    data: bytes,
    name: str,
    dry_run: bool,
    **options: object,
) -> tuple[ImportReport | None, list[Problem]]:
    """Import into the signed-in admin's district: the report, or the problems refusing it."""
    try:
        report = importer(
            data=data,
            source=name,
            actor=request.user,
            district=request.user.district,
            dry_run=dry_run,
            **options,
        )
    except ImportRefused as refused:
        return None, refused.problems
    return report, []
