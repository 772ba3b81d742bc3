"""What the mapping page shows a district's admin: the statements kept aside with their
reasons, the activities tools sent that no rule maps yet, and the counts of each outcome."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from proficio.lrs.models import StatementActivity, StatementOutcome
from proficio.people.api import District

# Activities without a rule are counted over this many recent days, so the page stays quick
# however many years of statements the store holds.
RECENT_DAYS = 30


@dataclass(frozen=True)
class Unmatched:
    stored: datetime
    tool: str
    actor: str
    verb: str
    activity: str
    reason: str


def _actor_named(actor: dict) -> str:
    if "mbox" in actor:
        return actor["mbox"].removeprefix("mailto:")
    if "account" in actor:
        return f"{actor['account']['name']} ({actor['account']['homePage']})"
    if "mbox_sha1sum" in actor:
        return f"sha1 {actor['mbox_sha1sum'][:10]}…"
    return actor.get("name") or "?"


def unmatched_of(district: District, *, limit: int = 50) -> tuple[int, list[Unmatched]]:
    """How many statements of the district are kept aside, and the latest `limit` of them."""
    outcomes = StatementOutcome.objects.filter(district=district, state=StatementOutcome.UNMATCHED)
    latest = outcomes.select_related("statement__credential").order_by("-statement_id")[:limit]
    shown = []
    for outcome in latest:
        body = json.loads(outcome.statement.body)
        shown.append(
            Unmatched(
                stored=outcome.statement.stored,
                tool=outcome.statement.credential.name,
                actor=_actor_named(body["actor"]),
                verb=body["verb"]["id"].rsplit("/", 1)[-1],
                activity=body["object"].get("id", ""),
                reason=outcome.reason,
            )
        )
    return outcomes.count(), shown


def outcome_counts_of(district: District) -> dict[str, int]:
    counts = (
        StatementOutcome.objects.filter(district=district)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["state"]: row["n"] for row in counts}


def unmapped_activities_of(district: District, *, limit: int = 20) -> list[tuple[str, int]]:
    """The activities recent statements were about that no rule matched, most frequent first."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = (
        StatementActivity.objects.filter(
            district_pk=district.pk,
            primary=True,
            statement__stored__gte=since,
            statement__outcome__isnull=True,
        )
        .values("activity_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "activity_id")[:limit]
    )
    return [(row["activity_id"], row["n"]) for row in rows]
