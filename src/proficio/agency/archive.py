"""A portfolio as a zip: an index of every piece, and per piece a folder with what it is
(the work's text, the rating, the reflection) and its files as stored. Written to a file the
caller gives, a file at a time, so memory stays bounded whatever the files weigh."""

import zipfile
from typing import IO

from django.utils import timezone
from django.utils.text import slugify

from proficio.agency.models import PieceKind, PortfolioPiece


def _about(piece: PortfolioPiece) -> str:
    lines = [
        piece.title,
        f"Added {timezone.localtime(piece.created_at):%-d %B %Y}"
        + (" · baseline of the year" if piece.baseline else ""),
    ]
    codes = ", ".join(f"{c.code} {c.title}" for c in piece.competencies.all())
    if codes:
        lines.append(f"Competencies: {codes}")
    if piece.kind == PieceKind.REVISION:
        revision = piece.revision
        lines += ["", f"{revision.submission.task.title}, revision {revision.number}", ""]
        lines.append(revision.text)
    elif piece.kind == PieceKind.EVIDENCE:
        rating = piece.evidence
        lines += [
            "",
            f"Rated {rating.level.normalize()} on {rating.competency.code} stage "
            f"{rating.stage.ordinal} on {timezone.localtime(rating.observed_at):%-d %B %Y}",
        ]
        if rating.feedback_present:
            lines.append(f"What is present: {rating.feedback_present}")
        if rating.feedback_next:
            lines.append(f"What is needed next: {rating.feedback_next}")
    if piece.reflection:
        lines += ["", "My reflection:", piece.reflection]
    return "\n".join(lines) + "\n"


def _files(piece: PortfolioPiece) -> list[tuple[str, object]]:
    if piece.kind == PieceKind.UPLOAD and piece.file:
        return [(piece.file_name, piece.file)]
    if piece.kind == PieceKind.REVISION:
        return [(kept.name, kept.file) for kept in piece.revision.files.all() if kept.file]
    return []


def portfolio_zip(pieces: list[PortfolioPiece], destination: IO[bytes], *, owner: str) -> int:
    """Write the pieces (oldest first) into a zip at `destination`; the number of files."""
    files = 0
    index = [f"The portfolio of {owner}, {timezone.localdate():%-d %B %Y}", ""]
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, piece in enumerate(sorted(pieces, key=lambda p: p.created_at), start=1):
            folder = f"{number:03d}-{slugify(piece.title)[:40] or 'piece'}"
            index.append(f"{folder}/  {piece.title} ({piece.get_kind_display()})")
            archive.writestr(f"{folder}/about.txt", _about(piece))
            for name, stored in _files(piece):
                with stored.open("rb") as source, archive.open(f"{folder}/{name}", "w") as target:
                    while chunk := source.read(1 << 20):
                        target.write(chunk)
                files += 1
        archive.writestr("index.txt", "\n".join(index) + "\n")
    return files
