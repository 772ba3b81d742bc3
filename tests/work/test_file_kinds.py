"""A student's file is kept by what its bytes are, never by its name: each refusal says why."""

import io
import struct
import zipfile

import pytest

from proficio.lib.errors import InvalidInput
from proficio.lib.files.kinds import kind_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
WAV = b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + b"\x00" * 40
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01"
    b"\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
)


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (PNG, "drawing.png", "image/png"),
        (PDF, "lab report.pdf", "application/pdf"),
        (WAV, "reading.wav", "audio/x-wav"),
        (WEBM, "recording.weba", "video/webm"),
        (WEBM, "recording.webm", "video/webm"),
        ("My essay — première version.\n".encode(), "essay.txt", "text/plain"),
        (b"name,score\nA,3\n", "data.csv", "text/plain"),
        (b"# Notes\n", "notes", "text/plain"),
    ],
)
def test_kept_kinds(head, name, kind):
    assert kind_of(head, name) == kind


def test_an_office_document_is_kept():
    assert kind_of(docx()[:8192], "essay.docx").startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    ("head", "name", "reason"),
    [
        (b"", "empty.txt", "empty.txt is empty."),
        (PDF, "photo.jpg", "photo.jpg is named .jpg but holds application/pdf"),
        (b"just words", "picture.png", "is named .png but holds text/plain"),
        (b"<!DOCTYPE html><html><body>hi", "page.html", "is a web page"),
        (b"  <script>alert(1)</script>", "notes.txt", "is a web page"),
        (b'<?xml version="1.0"?><svg onload="alert(1)"></svg>', "a.svg", "runs scripts"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "b.svg", "SVG drawing"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 60, "game.exe", "is a program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "tool", "is a program"),
        (b"#!/bin/sh\nrm -rf /\n", "run.sh", "is a program"),
        (b"\xff\xfe\x00\x00garbage\x00\x00", "blob.bin", "not a kind of file"),
        (b"PK\x03\x04" + b"\x00" * 60, "archive.zip", "which Proficio does not keep"),
    ],
)
def test_refused_kinds_say_why(head, name, reason):
    with pytest.raises(InvalidInput) as refused:
        kind_of(head, name)
    assert reason in refused.value.errors["files"]
