"""What the Learning Record Store reads off a valid statement, and the shapes it answers in.

Agents and identified Groups are the same when they have the same objectType and the same
inverse functional identifier (IFI); `agent_key` writes that as one string, the key every
filter and document matches on. Pure Python, like validation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime

from proficio.lrs.xapi.validation import CONTEXT_ACTIVITY_KINDS, IFI_KEYS, timestamp


def agent_key(agent: dict) -> str | None:
    """`Agent|mbox|mailto:…` for an Agent or identified Group; None for an anonymous Group."""
    kind = agent.get("objectType", "Agent")
    for ifi in IFI_KEYS:
        if ifi in agent:
            value = agent[ifi]
            if ifi == "account":
                value = f"{value['homePage']}|{value['name']}"
            return f"{kind}|{ifi}|{value}"
    return None


def _agent_keys(agent: dict, *, with_members: bool) -> Iterator[str]:
    key = agent_key(agent)
    if key is not None:
        yield key
    if with_members or key is None:
        for member in agent.get("member", ()):
            yield from _agent_keys(member, with_members=False)


def _object_is_agent(target: dict) -> bool:
    return target.get("objectType") in ("Agent", "Group")


def _context_agents(context: dict) -> Iterator[str]:
    for role in ("instructor", "team"):
        if role in context:
            yield from _agent_keys(context[role], with_members=True)


def agents_of(statement: dict) -> tuple[set[str], set[str]]:
    """The keys of the agents a statement is about (actor, object) and of every agent it names
    (also authority, instructor, team and the same in a SubStatement): the `agent` filter
    reads the first, `related_agents` the second."""
    primary = set(_agent_keys(statement["actor"], with_members=False))
    target = statement["object"]
    if _object_is_agent(target):
        primary |= set(_agent_keys(target, with_members=False))
    related = set(primary)
    related |= set(_agent_keys(statement["actor"], with_members=True))
    if "authority" in statement:
        related |= set(_agent_keys(statement["authority"], with_members=True))
    related |= set(_context_agents(statement.get("context", {})))
    if target.get("objectType") == "SubStatement":
        related |= set(_agent_keys(target["actor"], with_members=True))
        if _object_is_agent(target["object"]):
            related |= set(_agent_keys(target["object"], with_members=True))
        related |= set(_context_agents(target.get("context", {})))
    return primary, related


def _context_activity_ids(context: dict) -> Iterator[str]:
    for kind in CONTEXT_ACTIVITY_KINDS:
        listed = context.get("contextActivities", {}).get(kind, [])
        for item in listed if isinstance(listed, list) else [listed]:
            yield item["id"]


def _is_activity(target: dict) -> bool:
    return target.get("objectType", "Activity") == "Activity"


def activities_of(statement: dict) -> tuple[set[str], set[str]]:
    """The ids of the activity a statement is about, and of every activity it names."""
    target = statement["object"]
    primary = {target["id"]} if _is_activity(target) else set()
    related = primary | set(_context_activity_ids(statement.get("context", {})))
    if target.get("objectType") == "SubStatement":
        inner = target["object"]
        if _is_activity(inner):
            related.add(inner["id"])
        related |= set(_context_activity_ids(target.get("context", {})))
    return primary, related


def activity_definitions(statement: dict) -> Iterator[tuple[str, dict]]:
    """Every activity a statement defines, with its definition (for the Activities resource)."""
    target = statement["object"]
    if _is_activity(target) and "definition" in target:
        yield target["id"], target["definition"]
    for kind in CONTEXT_ACTIVITY_KINDS:
        listed = statement.get("context", {}).get("contextActivities", {}).get(kind, [])
        for item in listed if isinstance(listed, list) else [listed]:
            if "definition" in item:
                yield item["id"], item["definition"]


def definition_merged(stored: dict, new: dict) -> dict:
    """An activity's definition with a new one over it; language maps gain languages."""
    merged = dict(stored)
    for key, value in new.items():
        if key in ("name", "description") and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def normalised(statement: dict) -> dict:
    """A statement as stored: contextActivities always lists, objectType on the object."""
    context = statement.get("context", {}).get("contextActivities")
    if context:
        for kind, value in list(context.items()):
            if not isinstance(value, list):
                context[kind] = [value]
    inner = statement["object"]
    if inner.get("objectType") == "SubStatement":
        normalised(inner)
    elif "objectType" not in inner:
        inner["objectType"] = "Activity"
    return statement


def iso(moment: datetime) -> str:
    """A moment the way the store writes it: UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# What statement comparison leaves out: the properties the LRS sets or may rewrite.
_NOT_COMPARED = ("id", "stored", "authority", "version")


def _comparable(value: object, path: str = "") -> object:
    if isinstance(value, dict):
        return {
            key: _comparable(item, key)
            for key, item in value.items()
            if not (path == "" and key in _NOT_COMPARED)
        }
    if isinstance(value, list):
        return [_comparable(item, path) for item in value]
    if path == "timestamp" and isinstance(value, str):
        return timestamp(value, "timestamp")
    return value


def same_statement(first: dict, second: dict) -> bool:
    """Whether two statements with one id say the same thing (xAPI's statement comparison)."""
    return _comparable(normalised(copy.deepcopy(first))) == _comparable(
        normalised(copy.deepcopy(second))
    )


def _ids_agent(agent: dict) -> dict:
    kept = {key: agent[key] for key in ("objectType", *IFI_KEYS) if key in agent}
    if agent.get("objectType") == "Group" and agent_key(agent) is None:
        kept["member"] = [_ids_agent(member) for member in agent.get("member", ())]
    return kept


def _ids_object(target: dict) -> dict:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {"id": target["id"]}
    if kind in ("Agent", "Group"):
        return _ids_agent(target)
    if kind == "SubStatement":
        return _ids_statement(target)
    return target


def _ids_context(context: dict) -> dict:
    context = dict(context)
    for role in ("instructor", "team"):
        if role in context:
            context[role] = _ids_agent(context[role])
    if "contextActivities" in context:
        context["contextActivities"] = {
            kind: [{"id": item["id"]} for item in listed]
            for kind, listed in context["contextActivities"].items()
        }
    return context


def _ids_statement(statement: dict) -> dict:
    shaped = dict(statement)
    shaped["actor"] = _ids_agent(statement["actor"])
    shaped["verb"] = {"id": statement["verb"]["id"]}
    shaped["object"] = _ids_object(statement["object"])
    if "authority" in statement:
        shaped["authority"] = _ids_agent(statement["authority"])
    if "context" in statement:
        shaped["context"] = _ids_context(statement["context"])
    return shaped


def ids_format(statement: dict) -> dict:
    """`format=ids`: agents by their identifier, activities and verbs by id alone."""
    return _ids_statement(statement)


_LANGUAGE_MAPS = {"display", "name", "description"}


def _pick_language(language_map: dict, languages: list[str]) -> dict:
    for wanted in languages:
        for tag, text in language_map.items():
            if tag.lower() == wanted:
                return {tag: text}
        for tag, text in language_map.items():
            if tag.lower().split("-")[0] == wanted.split("-")[0]:
                return {tag: text}
    first = next(iter(language_map.items()), None)
    return dict([first]) if first else {}


def _canonical(value: object, languages: list[str], key: str = "") -> object:
    if isinstance(value, dict):
        if key in _LANGUAGE_MAPS and all(isinstance(text, str) for text in value.values()):
            return _pick_language(value, languages)
        if key == "extensions":
            return value
        return {name: _canonical(item, languages, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item, languages, key) for item in value]
    return value


def canonical_format(statement: dict, languages: list[str]) -> dict:
    """`format=canonical`: each language map down to the reader's language."""
    return _canonical(statement, [language.lower() for language in languages])  # type: ignore[return-value]
