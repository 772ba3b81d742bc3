"""Statements with attachments travel as multipart/mixed (xAPI 1.0.3 Part 3, 1.5.2): the
statements as the first part, then one part per attachment with its SHA-2 in the
X-Experience-API-Hash header and `Content-Transfer-Encoding: binary`. Read with the standard
library's MIME parser; written by hand, since the answer is a few parts of known bytes."""

from __future__ import annotations

import hashlib
import json
import secrets
from email import policy
from email.parser import BytesParser

from proficio.lrs.xapi.validation import BadStatement, loads

_SHA2_BY_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


def parse(content_type_header: str, body: bytes) -> tuple[object, list[tuple[str, str, bytes]]]:
    """The statements (decoded JSON) and each attachment part as (sha2, type, bytes)."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise BadStatement("body", "a multipart/mixed body needs its boundary and parts")
    parts = list(message.iter_parts())
    if not parts:
        raise BadStatement("body", "the multipart body has no parts")
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise BadStatement("body", "the first part must be the statements, as application/json")
    statements = loads(first.get_payload(decode=True) or b"")
    attachments = []
    for index, part in enumerate(parts[1:], start=1):
        sha2 = part.get("X-Experience-API-Hash")
        if not sha2:
            raise BadStatement(f"part {index}", "an attachment part needs X-Experience-API-Hash")
        if (part.get("Content-Transfer-Encoding") or "").lower() != "binary":
            raise BadStatement(
                f"part {index}", "an attachment part must be Content-Transfer-Encoding: binary"
            )
        content = part.get_payload(decode=True) or b""
        sha2 = sha2.strip().lower()
        algorithm = _SHA2_BY_LENGTH.get(len(sha2))
        if algorithm is None:
            raise BadStatement(f"part {index}", "X-Experience-API-Hash must be a SHA-2 digest")
        if hashlib.new(algorithm, content).hexdigest() != sha2:
            raise BadStatement(f"part {index}", "the part's bytes do not match its hash")
        attachments.append((sha2, part.get_content_type(), content))
    return statements, attachments


def compose(statements: object, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed answer: the body and its Content-Type header."""
    boundary = secrets.token_hex(16)
    crlf = b"\r\n"
    chunks = [
        b"--" + boundary.encode(),
        b"Content-Type: application/json",
        b"",
        json.dumps(statements, ensure_ascii=False, allow_nan=False).encode(),
    ]
    for sha2, content_type, content in attachments:
        chunks += [
            b"--" + boundary.encode(),
            b"Content-Type: " + content_type.encode("latin-1"),
            b"Content-Transfer-Encoding: binary",
            b"X-Experience-API-Hash: " + sha2.encode(),
            b"",
            content,
        ]
    body = crlf.join(chunks) + crlf + b"--" + boundary.encode() + b"--" + crlf
    return body, f"multipart/mixed; boundary={boundary}"
