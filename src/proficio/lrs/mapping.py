"""Turning the statements a rule matched into evidence, in the background.

The store marks each statement a rule matches as pending (`outcomes_mark`); the task worker
runs `statements_map`, which takes the district's pending statements a batch at a time,
finds each actor's student (by email, by the SHA-1 of it, or an account's name as a username
or OneRoster sourcedId), reads the result through the rule and records the ratings with
`mastery.api.evidence_record_many`, which brings mastery up to date in the same transaction.
A statement it cannot turn into evidence is kept and its outcome says why, for the admin's
list; none is dropped. A rule added later can be applied to the statements stored before it
(`rule_apply_to_earlier`). Each rating names the tool and the activity, so the student's page
explains where it came from.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from proficio.audit import api as audit
from proficio.evidence.api import EvidenceDraft, EvidenceSource
from proficio.frameworks.api import stages_and_scales_prefetch
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.rows import rows_insert
from proficio.lrs.models import ActivityRule, StatementActivity, StatementOutcome
from proficio.lrs.rules import RuleBook
from proficio.lrs.xapi.results import reading_of
from proficio.lrs.xapi.validation import timestamp
from proficio.mastery.api import evidence_record_many
from proficio.people.api import (
    District,
    Person,
    district_students_by_email,
    district_students_by_mbox_sha1,
    district_students_named,
)

# Statements mapped per transaction: one evidence append and one mastery refresh for all of
# them, so a worker that falls behind catches up in few, large steps.
BATCH = 10_000

logger = logging.getLogger(__name__)


def outcomes_mark(district_id: int, pks: Sequence[int], statements: Sequence[dict]) -> int:
    """Mark the statements of a new batch (their rows' keys, `pks`) that a rule matches as
    pending; how many."""
    book = RuleBook.of(district_id, with_competencies=False)
    if not book:
        return 0
    pending = [
        (pk, district_id, StatementOutcome.PENDING, "", 0, None)
        for pk, statement in zip(pks, statements, strict=True)
        if _activity_id(statement)
        and book.matching(_activity_id(statement), statement["verb"]["id"])
    ]
    fields = ("statement", "district", "state", "reason", "ratings", "decided_at")
    rows_insert(StatementOutcome, fields, pending)
    return len(pending)


def _activity_id(statement: dict) -> str:
    target = statement["object"]
    return target["id"] if target.get("objectType", "Activity") == "Activity" else ""


@dataclass
class MapCounts:
    statements: int = 0
    ratings: int = 0
    unmatched: int = 0

    def add(self, other: MapCounts) -> None:
        self.statements += other.statements
        self.ratings += other.ratings
        self.unmatched += other.unmatched


def statements_map(*, district_id: int) -> MapCounts:
    """Map every pending statement of the district, a batch at a time."""
    counts = MapCounts()
    while True:
        with transaction.atomic():
            batch = [
                _Work(pk, json.loads(body), tool, home_page, voided)
                for pk, body, tool, home_page, voided in StatementOutcome.objects.select_for_update(
                    of=("self",)
                )
                .filter(district_id=district_id, state=StatementOutcome.PENDING)
                .order_by("statement_id")
                .values_list(
                    "statement_id",
                    "statement__body",
                    "statement__credential__name",
                    "statement__credential__account_home_page",
                    "statement__voided",
                )[:BATCH]
            ]
            if not batch:
                return counts
            counts.add(_map_batch(district_id, batch))


def statements_map_gathered(*, district_id: int) -> MapCounts:
    """`statements_map`, once the oldest pending statement has waited
    PROFICIO_XAPI_GATHER_SECONDS: a tool posting batch after batch is mapped in few large
    steps, each with one mastery refresh per competency, not one step per batch."""
    oldest = StatementOutcome.objects.filter(
        district_id=district_id, state=StatementOutcome.PENDING
    ).aggregate(oldest=Min("statement__stored"))["oldest"]
    if oldest is None:
        return MapCounts()
    gather = settings.PROFICIO_XAPI_GATHER_SECONDS
    wait = gather - (timezone.now() - oldest).total_seconds()
    if wait > 0:
        time.sleep(min(wait, gather))
    return statements_map(district_id=district_id)


@dataclass
class _Work:
    """One pending statement: its row's key, its JSON, the tool that sent it, what became of
    it and the ratings it gives."""

    pk: int
    statement: dict
    tool: str
    home_page: str  # of the tool's accounts that name students
    voided: bool
    state: str = StatementOutcome.UNMATCHED
    reason: str = ""
    drafts: list[EvidenceDraft] = field(default_factory=list)


def _students(district_id: int, statements: Iterable[dict]) -> dict[str, list[Person]]:
    """Each actor's students, under the actor's key (see `_actor_key`)."""
    emails, digests, names = set(), set(), set()
    for statement in statements:
        kind, value = _actor_key(statement["actor"])
        {"mbox": emails, "sha1": digests, "account": names}.get(kind, set()).add(value)
    found: dict[str, list[Person]] = {}
    for email, people in district_students_by_email(district_id=district_id, emails=emails).items():
        found[f"mbox:{email}"] = people
    by_digest = district_students_by_mbox_sha1(district_id=district_id, digests=digests)
    for digest, people in by_digest.items():
        found[f"sha1:{digest}"] = people
    for name, people in district_students_named(district_id=district_id, identifiers=names).items():
        found[f"account:{name}"] = people
    return found


def _actor_key(actor: dict) -> tuple[str, str]:
    if actor.get("objectType") == "Group":  # a group's work is no one student's evidence
        return "", ""
    if "mbox" in actor:
        return "mbox", actor["mbox"].removeprefix("mailto:").lower()
    if "mbox_sha1sum" in actor:
        return "sha1", actor["mbox_sha1sum"].lower()
    if "account" in actor:
        return "account", actor["account"]["name"]
    return "", ""


def _same_page(given: str, expected: str) -> bool:
    return bool(expected) and given.rstrip("/").lower() == expected.rstrip("/").lower()


def _who(actor: dict) -> str:
    kind, value = _actor_key(actor)
    if actor.get("objectType") == "Group":
        return "a group"
    return {"mbox": value, "sha1": "an address known by its SHA-1", "account": value}.get(
        kind, "an actor with no address or account"
    )


def _observed(statement: dict) -> datetime:
    return timestamp(statement.get("timestamp") or statement["stored"], "timestamp")


def _title(statement: dict, tool: str) -> str:
    definition = statement["object"].get("definition", {})
    names = definition.get("name", {})
    name = names.get("en-US") or names.get("en") or next(iter(names.values()), "")
    return f"{tool} · {name or statement['object']['id']}"


def _drafts(work: _Work, student: Person, rules: list[ActivityRule]) -> str:
    """The ratings of one statement, into `work.drafts`; a reason when there are none."""
    observed = _observed(work.statement)
    verb = work.statement["verb"].get("display", {})
    did = verb.get("en-US") or verb.get("en") or work.statement["verb"]["id"].rsplit("/", 1)[-1]
    reasons = []
    for rule in rules:
        reading = reading_of(work.statement, rule.mastery_score)
        if reading is None:
            reasons.append("its result has no score, success or completion to rate")
            continue
        level = rule.met_level if reading.met else rule.not_met_level
        if level is None:
            reasons.append(
                f"below the mastery score, and the rule for {rule.competency.code} "
                "records nothing then"
            )
            continue
        work.drafts.append(
            EvidenceDraft(
                assessor=None,
                student=student,
                competency=rule.competency,
                stage=rule.stage,
                level=level,
                observed_at=observed,
                source=EvidenceSource.EXTERNAL,
                feedback_present=f"{work.tool} reported that the student {did} "
                f"“{_title(work.statement, work.tool).split(' · ', 1)[1]}” and {reading.said}.",
                artifact_title=_title(work.statement, work.tool),
            )
        )
    return "; ".join(reasons)


def _map_batch(district_id: int, works: list[_Work]) -> MapCounts:
    book = RuleBook.of(district_id)
    stages_and_scales_prefetch(
        list({rule.competency_id: rule.competency for rule in _all_rules(book)}.values())
    )
    students = _students(district_id, (work.statement for work in works))
    for work in works:
        if work.voided:
            work.reason = "It was voided before it was mapped."
            continue
        kind, value = _actor_key(work.statement["actor"])
        if kind == "account" and not _same_page(
            work.statement["actor"]["account"]["homePage"], work.home_page
        ):
            work.reason = (
                f"Accounts of {work.statement['actor']['account']['homePage']} name no student: "
                "the tool's credentials name another home page for its accounts, or none."
            )
            continue
        found = students.get(f"{kind}:{value}", [])
        if not found:
            work.reason = f"No student of the district is {_who(work.statement['actor'])}."
            continue
        if len(found) > 1:
            work.reason = f"{len(found)} students are {_who(work.statement['actor'])}."
            continue
        rules = book.matching(_activity_id(work.statement), work.statement["verb"]["id"])
        if not rules:
            work.reason = "No rule maps this activity and verb any more."
            continue
        try:
            work.reason = _drafts(work, found[0], rules)
        except (ArithmeticError, ValueError, KeyError, TypeError) as error:
            work.drafts.clear()
            work.reason = f"Its result could not be read: {error}"
            continue
        if work.drafts or not work.reason:
            work.state = StatementOutcome.MAPPED
    _record(district_id, works)
    _outcomes_saved(works)
    return MapCounts(
        statements=len(works),
        ratings=sum(len(work.drafts) for work in works),
        unmatched=sum(work.state == StatementOutcome.UNMATCHED for work in works),
    )


def _outcomes_saved(works: list[_Work]) -> None:
    """One UPDATE per distinct outcome: a batch has few (mapped with one rating, and a handful
    of reasons), where bulk_update would write a CASE per row."""
    same: dict[tuple[str, str, int], list[int]] = {}
    for work in works:
        key = (work.state, work.reason, len(work.drafts))
        same.setdefault(key, []).append(work.pk)
    now = timezone.now()
    for (state, reason, ratings), ids in same.items():
        StatementOutcome.objects.filter(statement_id__in=ids).update(
            state=state, reason=reason, ratings=ratings, decided_at=now
        )


def _all_rules(book: RuleBook) -> list[ActivityRule]:
    return [*book.prefixes, *(rule for rules in book.exact.values() for rule in rules)]


def _record(district_id: int, works: list[_Work]) -> None:
    """Record every draft; a statement whose rating evidence refuses keeps the refusal as
    its reason, and the rest are recorded without it. Should the batch fail otherwise, each
    statement is recorded on its own, so one cannot hold back the district's others."""
    try:
        with transaction.atomic():
            _record_together(district_id, works)
    except Exception:
        logger.exception("Mapping statements of district %s together failed.", district_id)
        for work in works:
            if not work.drafts:
                continue
            try:
                with transaction.atomic():
                    evidence_record_many(actor=None, district_id=district_id, drafts=work.drafts)
            except Exception as error:
                work.drafts.clear()
                work.state = StatementOutcome.UNMATCHED
                work.reason = f"Its rating could not be recorded: {error}"
    students: dict[int, Person] = {}
    tools: set[str] = set()
    for work in works:
        for draft in work.drafts:
            students[draft.student.pk] = draft.student
            tools.add(work.tool)
    audit.record_views(
        actor=None,
        action=audit.STATEMENTS_MAPPED,
        students=list(students.values()),
        data={"tools": sorted(tools)},
    )


def _record_together(district_id: int, works: list[_Work]) -> None:
    while True:
        indexed = [(work, draft) for work in works for draft in work.drafts]
        if not indexed:
            return
        try:
            evidence_record_many(
                actor=None, district_id=district_id, drafts=[draft for _work, draft in indexed]
            )
        except InvalidInput as refused:
            placed = False
            for key, message in refused.errors.items():
                index, _dot, _field = key.partition(".")
                if index.isdigit() and int(index) < len(indexed):
                    work = indexed[int(index)][0]
                    work.drafts.clear()
                    work.state = StatementOutcome.UNMATCHED
                    work.reason = f"Evidence refused its rating: {message}"
                    placed = True
            if not placed:  # a refusal of the whole batch: nothing to leave out and retry
                raise
            continue
        return


def earlier_statements(rule: ActivityRule) -> list[int]:
    """The keys of the district's statements a rule matches that no rule had matched when
    they came: stored before it, never marked for mapping, not voided. Ids are compared here,
    case and all, as the rule book compares them (SQLite's LIKE would ignore case)."""
    activities = StatementActivity.objects.filter(
        district_pk=rule.district_id,
        primary=True,
        statement__voided=False,
        statement__outcome__isnull=True,
    )
    if rule.match == ActivityRule.PREFIX:
        activities = activities.filter(activity_id__startswith=rule.activity)
    else:
        activities = activities.filter(activity_id=rule.activity)
    if rule.verb:
        activities = activities.filter(statement__verb_id=rule.verb)
    return [
        statement_id
        for statement_id, activity_id in activities.values_list("statement_id", "activity_id")
        if activity_id == rule.activity
        or (rule.match == ActivityRule.PREFIX and activity_id.startswith(rule.activity))
    ]


@transaction.atomic
def rule_apply_to_earlier(*, actor: Person | None, district: District, rule_id: int | None) -> int:
    """Mark the statements stored before the district's rule `rule_id` that it matches for
    mapping, and queue the mapping; how many. NotVisible when the district has no such rule.
    Audited."""
    # Locked: one apply of a rule at a time.
    rule = ActivityRule.objects.select_for_update().filter(district=district, pk=rule_id).first()
    if rule is None:
        raise NotVisible("There is no such rule.")
    pks = earlier_statements(rule)
    fields = ("statement", "district", "state", "reason", "ratings", "decided_at")
    rows_insert(
        StatementOutcome,
        fields,
        ((pk, rule.district_id, StatementOutcome.PENDING, "", 0, None) for pk in pks),
    )
    if pks:
        from proficio.lrs.tasks import statements_map_in_background

        statements_map_in_background.enqueue(rule.district_id)
    audit.record(
        actor=actor,
        action=audit.ACTIVITY_RULE_CHANGED,
        district_id=rule.district_id,
        target=rule,
        data={"applied_to_earlier": len(pks), "activity": rule.activity},
    )
    return len(pks)
