"""Compile the translations (`locale/<lang>/LC_MESSAGES/django.po`) into the `.mo` files
Django reads, in Python (polib), so installing needs no GNU gettext: `make` runs this after
installing Proficio, and `python -m proficio.lib.messages` does it by hand."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def compile_messages(locale: Path = LOCALE) -> list[Path]:
    """Write a .mo beside every .po under `locale` that is newer than it; the .mo written."""
    written = []
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        polib.pofile(str(po)).save_as_mofile(str(mo))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_messages():
        print(f"compiled {path.relative_to(LOCALE.parent)}")
