"""Storing statements and finding them again: the Statements resource's service and selector.

A batch is checked whole before anything is written (a bad statement refuses the batch with
its reason), then written in one transaction with a few bulk inserts, so ten thousand
statements in batches of a hundred take a few seconds (bench/bench_lrs.py). Statements are
never changed: a voiding statement marks its target `voided`, the one column a later
statement sets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from proficio.lib.rows import rows_insert
from proficio.lrs.mapping import outcomes_mark
from proficio.lrs.models import (
    Activity,
    Attachment,
    Credential,
    Statement,
    StatementActivity,
    StatementAgent,
)
from proficio.lrs.signatures import signature_checked
from proficio.lrs.xapi.shapes import (
    activities_of,
    activity_definitions,
    agent_key,
    agents_of,
    definition_merged,
    iso,
    normalised,
    same_statement,
)
from proficio.lrs.xapi.validation import (
    SIGNATURE_USAGE,
    VOIDED_VERB,
    BadStatement,
    check_statement,
)

# The most statements one page answers with; a client asks for the rest by `more`.
PAGE_LIMIT = 200


class Conflict(Exception):
    """A statement id already stored with different content (409)."""


@dataclass(frozen=True)
class AttachmentPart:
    """One attachment's bytes as a multipart request carried them."""

    sha2: str
    content_type: str
    content: bytes


def _attachments_checked(statements: Sequence[dict], parts: dict[str, AttachmentPart]) -> None:
    """Every attachment without a fileUrl came with its bytes, and every part belongs to one."""
    wanted: set[str] = set()
    for index, statement in enumerate(statements):
        listed = list(statement.get("attachments", ()))
        if statement["object"].get("objectType") == "SubStatement":
            listed += statement["object"].get("attachments", [])
        for item in listed:
            if item["sha2"] in parts:
                wanted.add(item["sha2"])
            elif "fileUrl" not in item:
                raise BadStatement(
                    f"statements[{index}].attachments",
                    f"the attachment {item['sha2'][:12]}… has no fileUrl and was not sent",
                )
            if item["usageType"] == SIGNATURE_USAGE and item["sha2"] in parts:
                signature_checked(statement, parts[item["sha2"]].content, f"statements[{index}]")
    extra = set(parts) - wanted
    if extra:
        raise BadStatement("attachments", "a part matches no attachment of the statements")


def _prepared(statements: Sequence[object], parts: dict[str, AttachmentPart]) -> list[dict]:
    checked = []
    seen: set[str] = set()
    for index, statement in enumerate(statements):
        check_statement(statement, f"statements[{index}]" if len(statements) > 1 else "statement")
        statement = normalised(statement)  # type: ignore[arg-type]
        statement["id"] = (
            str(uuid.UUID(statement["id"])) if "id" in statement else str(uuid.uuid4())
        )
        if statement["id"] in seen:
            raise BadStatement(f"statements[{index}].id", "repeats an id of the same batch")
        seen.add(statement["id"])
        checked.append(statement)
    _attachments_checked(checked, parts)
    return checked


def _voiding_checked(district_id: int, statements: Sequence[dict]) -> set[str]:
    """The ids the batch voids; a statement that voids a voiding statement is refused."""
    targets = {
        s["object"]["id"]: index
        for index, s in enumerate(statements)
        if s["verb"]["id"] == VOIDED_VERB
    }
    if not targets:
        return set()
    voiding_in_batch = {s["id"] for s in statements if s["verb"]["id"] == VOIDED_VERB}
    voiding_stored = set(
        str(value)
        for value in Statement.objects.filter(
            district_id=district_id, statement_id__in=list(targets), verb_id=VOIDED_VERB
        ).values_list("statement_id", flat=True)
    )
    for target, index in targets.items():
        if target in voiding_in_batch or target in voiding_stored:
            raise BadStatement(
                f"statements[{index}].object", "a voiding statement cannot be voided"
            )
    return set(targets)


def _new_only(district_id: int, statements: list[dict]) -> list[dict]:
    """The statements not stored yet; one stored under the same id must say the same thing."""
    stored = dict(
        Statement.objects.filter(
            district_id=district_id, statement_id__in=[s["id"] for s in statements]
        ).values_list("statement_id", "body")
    )
    if not stored:
        return statements
    fresh = []
    for statement in statements:
        body = stored.get(uuid.UUID(statement["id"]))
        if body is None:
            fresh.append(statement)
        elif not same_statement(_as_sent(json.loads(body), statement), statement):
            raise Conflict(f"The statement {statement['id']} is stored with other content.")
    return fresh


def _as_sent(stored: dict, sent: dict) -> dict:
    """A stored statement without the timestamp the store gave it, when the tool sent none."""
    if "timestamp" not in sent and stored.get("timestamp") == stored.get("stored"):
        stored.pop("timestamp", None)
    return stored


@transaction.atomic
def statements_store(
    *,
    credential: Credential,
    statements: Sequence[object],
    authority: dict,
    parts: dict[str, AttachmentPart] | None = None,
) -> list[str]:
    """Check and store a batch; return every statement's id in the order sent."""
    parts = parts or {}
    district_id = credential.district_id
    checked = _prepared(statements, parts)
    voided = _voiding_checked(district_id, checked)
    fresh = _new_only(district_id, checked)
    now = timezone.now()
    stored_at = iso(now)
    for statement in fresh:
        statement["authority"] = authority
        statement["stored"] = stored_at
        statement.setdefault("timestamp", stored_at)
        statement.setdefault("version", "1.0.0")
    try:
        with transaction.atomic():
            rows_insert(Statement, STATEMENT_COLUMNS, (_row(credential, s, now) for s in fresh))
    except IntegrityError:
        # A request in between stored some of these ids: the same statements are no conflict.
        fresh = _new_only(district_id, fresh)
        with transaction.atomic():
            rows_insert(Statement, STATEMENT_COLUMNS, (_row(credential, s, now) for s in fresh))
    pks = _keys(district_id, fresh)
    _index(district_id, pks, fresh)
    if outcomes_mark(district_id, pks, fresh):
        from proficio.lrs.tasks import statements_map_in_background

        statements_map_in_background.enqueue(district_id)
    _activities_defined(district_id, fresh)
    _attachments_kept(district_id, parts)
    if voided:
        Statement.objects.filter(district_id=district_id, statement_id__in=list(voided)).exclude(
            verb_id=VOIDED_VERB
        ).update(voided=True)
    return [statement["id"] for statement in checked]


STATEMENT_COLUMNS = (
    "district",
    "credential",
    "statement_id",
    "body",
    "verb_id",
    "actor_key",
    "target_statement_id",
    "registration",
    "stored",
    "voided",
)


def _row(credential: Credential, statement: dict, now: datetime) -> tuple:
    target = statement["object"]
    return (
        credential.district_id,
        credential.pk,
        uuid.UUID(statement["id"]),
        json.dumps(statement, ensure_ascii=False, separators=(",", ":"), allow_nan=False),
        statement["verb"]["id"],
        agent_key(statement["actor"]) or "",
        uuid.UUID(target["id"]) if target.get("objectType") == "StatementRef" else None,
        statement.get("context", {}).get("registration"),
        now,
        False,
    )


def _keys(district_id: int, statements: list[dict]) -> list[int]:
    """The rows' keys, in the statements' order."""
    keys = dict(
        Statement.objects.filter(
            district_id=district_id, statement_id__in=[s["id"] for s in statements]
        ).values_list("statement_id", "pk")
    )
    return [keys[uuid.UUID(statement["id"])] for statement in statements]


def _index(district_id: int, pks: list[int], statements: list[dict]) -> None:
    agents, activities = [], []
    for pk, statement in zip(pks, statements, strict=True):
        primary, related = agents_of(statement)
        agents += [(pk, district_id, key, key in primary) for key in related]
        primary, related = activities_of(statement)
        activities += [(pk, district_id, key, key in primary) for key in related]
    rows_insert(StatementAgent, ("statement", "district_pk", "key", "primary"), agents)
    rows_insert(
        StatementActivity, ("statement", "district_pk", "activity_id", "primary"), activities
    )


def _activities_defined(district_id: int, statements: Iterable[dict]) -> None:
    """The Activities resource answers with the latest definition sent of each activity."""
    definitions: dict[str, dict] = {}
    for statement in statements:
        for activity_id, definition in activity_definitions(statement):
            definitions[activity_id] = definition_merged(
                definitions.get(activity_id, {}), definition
            )
    if not definitions:
        return
    known = {
        activity.activity_id: activity
        for activity in Activity.objects.filter(
            district_id=district_id, activity_id__in=list(definitions)
        )
    }
    changed, new = [], []
    for activity_id, definition in definitions.items():
        activity = known.get(activity_id)
        if activity is None:
            new.append(
                Activity(district_id=district_id, activity_id=activity_id, definition=definition)
            )
        elif definition_merged(activity.definition, definition) != activity.definition:
            activity.definition = definition_merged(activity.definition, definition)
            changed.append(activity)
    # Another request may define the same new activity meanwhile: its definition stands.
    Activity.objects.bulk_create(new, ignore_conflicts=True)
    Activity.objects.bulk_update(changed, ["definition"])


def _attachments_kept(district_id: int, parts: dict[str, AttachmentPart]) -> None:
    if not parts:
        return
    known = set(
        Attachment.objects.filter(district_id=district_id, sha2__in=list(parts)).values_list(
            "sha2", flat=True
        )
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                district_id=district_id,
                sha2=part.sha2,
                content_type=part.content_type,
                content=part.content,
            )
            for part in parts.values()
            if part.sha2 not in known
        ],
        ignore_conflicts=True,  # the same bytes kept by another request meanwhile
    )


@dataclass
class StatementQuery:
    """The filters of a GET on the Statements resource, read and checked."""

    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    after: int | None = None  # the last row of the previous page (`more`)
    echo: dict = field(default_factory=dict)  # the parameters as given, for `more`


def statement_get(credential: Credential, statement_id: str, *, voided: bool) -> dict | None:
    """One statement by id: a voided one only by `voidedStatementId`, and the other way round."""
    row = (
        Statement.objects.filter(
            district_id=credential.district_id, statement_id=statement_id, voided=voided
        )
        .values_list("body", flat=True)
        .first()
    )
    return json.loads(row) if row is not None else None


def _filtered(district_id: int, query: StatementQuery) -> QuerySet[Statement]:
    rows = Statement.objects.filter(district_id=district_id)
    if query.agent is not None:
        agents = StatementAgent.objects.filter(district_pk=district_id, key=query.agent)
        if not query.related_agents:
            agents = agents.filter(primary=True)
        rows = rows.filter(pk__in=agents.values("statement_id"))
    if query.activity is not None:
        activities = StatementActivity.objects.filter(
            district_pk=district_id, activity_id=query.activity
        )
        if not query.related_activities:
            activities = activities.filter(primary=True)
        rows = rows.filter(pk__in=activities.values("statement_id"))
    if query.verb is not None:
        rows = rows.filter(verb_id=query.verb)
    if query.registration is not None:
        rows = rows.filter(registration=query.registration)
    return rows


def statements_find(credential: Credential, query: StatementQuery) -> tuple[list[dict], bool]:
    """A page of the statements that match, and whether more follow."""
    district_id = credential.district_id
    rows = Statement.objects.filter(district_id=district_id, voided=False)
    if any(
        value is not None for value in (query.agent, query.activity, query.verb, query.registration)
    ):
        # A statement that refers to a matching one matches too (Part 3, 2.1.3), two levels deep.
        matching = _filtered(district_id, query)
        first = Statement.objects.filter(
            district_id=district_id, target_statement_id__in=matching.values("statement_id")
        )
        second = Statement.objects.filter(
            district_id=district_id, target_statement_id__in=first.values("statement_id")
        )
        rows = rows.filter(
            Q(pk__in=matching.values("pk"))
            | Q(pk__in=first.values("pk"))
            | Q(pk__in=second.values("pk"))
        )
    if query.since is not None:
        rows = rows.filter(stored__gt=query.since)
    if query.until is not None:
        rows = rows.filter(stored__lte=query.until)
    if query.after is not None:
        rows = (
            rows.filter(pk__gt=query.after) if query.ascending else rows.filter(pk__lt=query.after)
        )
    rows = rows.order_by("pk" if query.ascending else "-pk")
    limit = PAGE_LIMIT if query.limit <= 0 else min(query.limit, PAGE_LIMIT)
    page = list(rows.values_list("pk", "body")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    if more:
        query.after = page[-1][0]
    return [json.loads(body) for _pk, body in page], more


def activity_definition_of(credential: Credential, activity_id: str) -> dict:
    """The definition the district's statements last gave an activity; {} when none did."""
    stored = (
        Activity.objects.filter(district_id=credential.district_id, activity_id=activity_id)
        .values_list("definition", flat=True)
        .first()
    )
    return stored or {}


def attachments_of(credential: Credential, statements: Iterable[dict]) -> list[Attachment]:
    """The stored attachments the statements carry, each once."""
    wanted = set()
    for statement in statements:
        for item in statement.get("attachments", ()):
            wanted.add(item["sha2"])
    return list(
        Attachment.objects.filter(district_id=credential.district_id, sha2__in=list(wanted))
    )
