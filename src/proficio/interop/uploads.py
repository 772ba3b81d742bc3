"""What the import pages share: who may use them, and the uploaded file kept in the home
between preview and confirm (the confirm step never trusts a plan sent back by the browser)."""

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from proficio.frameworks.services import administers
from proficio.home import home_dir
from proficio.interop.report import ImportRefused, ImportReport, Problem
from proficio.people.models import Person

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
UPLOAD_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def district_admin_only(request: HttpRequest) -> None:
    user = request.user
    if user.district is None or not administers(user, user.district):
        raise Http404(_("This page is for district admins."))


def _upload_path(user: Person, kind: str, token: str) -> Path:
    folder = home_dir() / "uploads" / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{user.pk}-{token}.upload"


def upload_keep(*, user: Person, kind: str, data: bytes) -> str:
    """Keep an uploaded file for its confirm step; the returned token names it."""
    token = uuid.uuid4().hex
    _upload_path(user, kind, token).write_bytes(data)
    return token


def upload_kept(*, user: Person, kind: str, token: str) -> Path:
    """The file this user kept under `token`, or 404 once it is imported or gone."""
    path = _upload_path(user, kind, token)
    if not UPLOAD_TOKEN.fullmatch(token) or not path.is_file():
        raise Http404(_("This upload was already imported or has expired."))
    return path


def import_outcome(
    importer: Callable[..., ImportReport], **arguments: object
) -> tuple[ImportReport | None, list[Problem]]:
    """The importer's report, or its problems when it refused the file."""
    try:
        return importer(**arguments), []
    except ImportRefused as refused:
        return None, refused.problems
