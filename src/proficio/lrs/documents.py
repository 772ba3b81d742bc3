"""The documents tools keep in the store (xAPI 1.0.3 Part 3, 2.3–2.6): an activity's state
for an agent, an activity's profile, an agent's profile.

PUT replaces, POST merges two JSON objects (the posted object's properties win), DELETE
removes. Each document has an ETag (the SHA-1 of its bytes); a write that gives `If-Match`
or `If-None-Match` happens only when it holds (412 otherwise), and a PUT of a profile must
give one (409 when it exists, 400 when not, as the conformance suite reads the
specification), so two tools never overwrite each other unawares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from proficio.lrs.models import Document

JSON = "application/json"


class PreconditionFailed(Exception):
    """An If-Match or If-None-Match that does not hold (412)."""


class NeedsPrecondition(Exception):
    """A PUT of a profile without If-Match or If-None-Match: 409 when it exists, else 400."""

    def __init__(self, *, exists: bool):
        self.exists = exists
        super().__init__()


class NotMergeable(Exception):
    """A POST where the stored or the posted document is not a JSON object (400)."""


@dataclass(frozen=True)
class Address:
    """Which document: its kind and the keys that kind uses ("" where unused)."""

    district_id: int
    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def rows(self) -> QuerySet[Document]:
        return Document.objects.filter(
            district_id=self.district_id,
            kind=self.kind,
            activity_id=self.activity_id,
            agent_key=self.agent_key,
            registration=self.registration,
        )


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    def check(self, current: Document | None) -> None:
        if self.if_match is not None:
            tags = _tags(self.if_match)
            if current is None or ("*" not in tags and current.etag not in tags):
                raise PreconditionFailed
        if self.if_none_match is not None:
            tags = _tags(self.if_none_match)
            if current is not None and ("*" in tags or current.etag in tags):
                raise PreconditionFailed


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def _json_object(content: bytes) -> dict | None:
    try:
        value = json.loads(content)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write(address: Address, document_id: str, content: bytes, content_type: str) -> None:
    Document.objects.update_or_create(
        district_id=address.district_id,
        kind=address.kind,
        activity_id=address.activity_id,
        agent_key=address.agent_key,
        registration=address.registration,
        document_id=document_id,
        defaults={
            "content": content,
            "content_type": content_type,
            "etag": etag_of(content),
            "updated": timezone.now(),
        },
    )


def _current(address: Address, document_id: str, preconditions: Preconditions) -> Document | None:
    """The document, locked for the write, once the request's preconditions hold for it."""
    current = address.rows().select_for_update().filter(document_id=document_id).first()
    preconditions.check(current)
    return current


@transaction.atomic
def document_put(
    address: Address,
    document_id: str,
    *,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> None:
    current = _current(address, document_id, preconditions)
    if address.kind != Document.STATE and not preconditions.given:
        raise NeedsPrecondition(exists=current is not None)
    _write(address, document_id, content, content_type)


@transaction.atomic
def document_post(
    address: Address,
    document_id: str,
    *,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> None:
    current = _current(address, document_id, preconditions)
    if current is None:
        _write(address, document_id, content, content_type)
        return
    stored = _json_object(bytes(current.content)) if current.content_type.startswith(JSON) else None
    posted = _json_object(content) if content_type.startswith(JSON) else None
    if stored is None or posted is None:
        raise NotMergeable
    merged = json.dumps({**stored, **posted}, ensure_ascii=False).encode()
    _write(address, document_id, merged, JSON)


def document_get(address: Address, document_id: str) -> Document | None:
    return address.rows().filter(document_id=document_id).first()


def document_ids(address: Address, since: datetime | None) -> list[str]:
    rows = address.rows()
    if since is not None:
        rows = rows.filter(updated__gt=since)
    return list(rows.order_by("document_id").values_list("document_id", flat=True))


@transaction.atomic
def document_delete(
    address: Address, document_id: str | None, *, preconditions: Preconditions
) -> None:
    """Delete one document, or (the State resource without stateId) every one at the address."""
    rows = address.rows()
    if document_id is not None:
        _current(address, document_id, preconditions)
        rows = rows.filter(document_id=document_id)
    rows.delete()
