"""The OneRoster test packages, copies of them to spoil, and a count of every table."""

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.apps import apps

DATA = Path(__file__).parent / "data"
PACKAGE_1_1 = DATA / "oneroster-1.1"
PACKAGE_1_2 = DATA / "oneroster-1.2"

TEACHER_1_1 = ("praman", "Lantern-Orchard-Quill-58")
TEACHER_1_2 = ("epetrova", "Copper-Kettle-Meadow-31")


def copy_package(source: Path, tmp_path: Path) -> Path:
    """A copy of a test package to change without touching the original."""
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def zip_package(folder: Path, into: Path | None = None, inside: str = "") -> Path:
    """The package's files in a zip, at its top or in the folder `inside`."""
    path = into or folder.with_suffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, inside + file.name)
    return path


def edit(folder: Path, file: str, change: Callable[[str], str]) -> None:
    """Rewrite one file of a package through `change` (text in, text out; UTF-8)."""
    path = folder / file
    path.write_text(change(path.read_text(encoding="utf-8-sig")), encoding="utf-8")


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, f"{old!r} is not in the file"
        return text.replace(old, new, 1)

    return change


def line_of(folder: Path, file: str, needle: str) -> int:
    """The line number (from 1) of the first line of `file` that holds `needle`."""
    lines = (folder / file).read_text(encoding="utf-8-sig").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def row_counts() -> dict[str, int]:
    """Rows in every table, join tables included; not the audit trail, which grows by design
    (tests/audit/test_recorded.py checks what an import writes to it)."""
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table != "audit_auditentry"
    }
