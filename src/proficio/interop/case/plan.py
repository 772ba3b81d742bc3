"""A framework import as a plan: document, items, associations and scales, validated whole.

Readers (CASE JSON here, spreadsheets later) turn their input into a `FrameworkPlan`
and say where each part came from; `plan_problems` then checks what every format
must satisfy. Only a plan without problems is written.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from uuid import UUID

from proficio.frameworks.api import (
    AssociationSpec,
    CaseDocumentSpec,
    RubricScaleSpec,
    StandardSpec,
)
from proficio.interop.report import Problem


@dataclass(frozen=True)
class Where:
    """A place in the input: a JSON-pointer-like path (or column) and, when known, a line."""

    field: str | None = None
    line: int | None = None


class Fixes:
    """What a lenient reader repaired, each kind of repair counted once with how often."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()

    def note(self, message: str, kind: str = "") -> None:
        self._counts[(message, kind)] += 1

    def as_list(self) -> list[str]:
        lines = []
        for (message, kind), count in self._counts.items():
            lines.append(f"{message} ({count} {kind})" if kind else message)
        return lines


@dataclass
class FrameworkPlan:
    """Everything one import would write, with where each part came from."""

    source: str
    document: CaseDocumentSpec
    items: list[StandardSpec] = field(default_factory=list)
    associations: list[AssociationSpec] = field(default_factory=list)
    scales: list[RubricScaleSpec] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    # Where each item (by identifier) and each item's parent link was read.
    item_where: dict[UUID, Where] = field(default_factory=dict)
    parent_where: dict[UUID, Where] = field(default_factory=dict)
    association_where: dict[UUID, Where] = field(default_factory=dict)
    # Turns a `Where.field` into a line when the reader could not say at once (lazily,
    # so a clean file never pays for it).
    line_of: Callable[[str], int | None] = field(default=lambda _field: None)

    def problem(self, where: Where | None, message: str) -> Problem:
        where = where or Where()
        line = where.line
        if line is None and where.field:
            line = self.line_of(where.field)
        return Problem(file=self.source, message=message, line=line, field=where.field)


def _duplicates(plan: FrameworkPlan) -> list[Problem]:
    problems = []
    seen: dict[UUID, int] = {}
    for index, item in enumerate(plan.items):
        if item.identifier == plan.document.identifier:
            problems.append(
                plan.problem(
                    plan.item_where.get(item.identifier),
                    f"The item {item.identifier} has the document's own identifier.",
                )
            )
        if item.identifier in seen:
            problems.append(
                plan.problem(
                    _nth_where(plan, index),
                    f"Two items have the identifier {item.identifier}; each needs its own.",
                )
            )
        seen[item.identifier] = index
    seen_associations: set[UUID] = set()
    for association in plan.associations:
        if association.identifier in seen_associations:
            problems.append(
                plan.problem(
                    plan.association_where.get(association.identifier),
                    f"Two associations have the identifier {association.identifier}.",
                )
            )
        seen_associations.add(association.identifier)
    return problems


def _nth_where(plan: FrameworkPlan, index: int) -> Where:
    """The location of the item at `index` (duplicates share an identifier, not a place)."""
    where = plan.item_where.get(plan.items[index].identifier)
    if where is not None and where.field is not None and where.field.startswith("/CFItems/"):
        return Where(field=f"/CFItems/{index}/identifier")
    return where or Where()


def _hierarchy(plan: FrameworkPlan) -> list[Problem]:
    known = {item.identifier for item in plan.items}
    problems = []
    for item in plan.items:
        if not item.full_statement.strip():
            problems.append(
                plan.problem(
                    plan.item_where.get(item.identifier),
                    f"The item {item.identifier} has no full statement.",
                )
            )
        if item.parent is not None and item.parent not in known:
            problems.append(
                plan.problem(
                    plan.parent_where.get(item.identifier),
                    f"The item {item.identifier} is a child of {item.parent}, which is neither "
                    "this document nor one of its items.",
                )
            )
    if problems:
        return problems
    return _loops(plan)


def _loops(plan: FrameworkPlan) -> list[Problem]:
    parent_of = {item.identifier: item.parent for item in plan.items}
    done: set[UUID] = set()
    problems = []
    for start in parent_of:
        path: list[UUID] = []
        on_path: set[UUID] = set()
        node: UUID | None = start
        while node is not None and node not in done:
            if node in on_path:
                problems.append(
                    plan.problem(
                        plan.parent_where.get(node),
                        f"The item {node} is (through its parents) a child of itself.",
                    )
                )
                break
            path.append(node)
            on_path.add(node)
            node = parent_of.get(node)
        done.update(path)
    return problems


def plan_problems(plan: FrameworkPlan) -> list[Problem]:
    """Everything wrong with a plan, whatever format it was read from."""
    problems = []
    if not plan.document.title.strip():
        problems.append(
            plan.problem(Where(field="/CFDocument/title"), "The document has no title.")
        )
    problems += _duplicates(plan)
    return problems or _hierarchy(plan)


def order_siblings(plan_items: list[StandardSpec], keys: dict[UUID, tuple]) -> list[StandardSpec]:
    """Number each parent's children 1, 2, … by `keys` (sequence number, then input order)."""
    children: dict[UUID | None, list[StandardSpec]] = defaultdict(list)
    for item in plan_items:
        children[item.parent].append(item)
    position: dict[UUID, int] = {}
    for siblings in children.values():
        for number, item in enumerate(sorted(siblings, key=lambda i: keys[i.identifier]), 1):
            position[item.identifier] = number
    return [replace(item, position=position[item.identifier]) for item in plan_items]
