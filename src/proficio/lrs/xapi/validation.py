"""xAPI 1.0.3 statements checked against the specification's MUST rules (Part 2, Data).

`check_statement` raises `BadStatement` with the path of the first property at fault and the
rule it breaks, so a tool's developer reads why the Learning Record Store refused it. It
checks types strictly (a number is never taken for a string), refuses properties the
specification does not define (except inside extensions), and values that are null or empty
objects. It is pure Python with no Django, so the tests and the benchmark call it directly.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
# SHA-224, SHA-256, SHA-384 or SHA-512, by the length of the hexadecimal digest.
_SHA2 = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^1\.0(\.\d+)?$")
# RFC 5646 in the shape tools send: a primary subtag, then subtags of up to eight characters.
_LANGUAGE = re.compile(r"^(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*$")
_NUMBER = r"\d+(?:[.,]\d+)?"
# ISO 8601 durations: weeks stand alone (P4W), or years to seconds (P1Y2M3DT4H5M6.5S).
_DURATION = re.compile(
    rf"^P(?:{_NUMBER}W|(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?)$"
)
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
# Moments outside these years are typing mistakes, and near year 1 or 9999 a time zone
# would carry them out of what dates can hold.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
_NEGATIVE_ZERO_OFFSET = re.compile(r"-00(?::?00)?$")


class BadStatement(ValueError):
    """A statement (or a part of a request) that breaks a rule of the specification."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


def _fail(path: str, problem: str) -> BadStatement:
    return BadStatement(path, problem)


def _object(value: object, path: str, *, allowed: set[str], required: tuple[str, ...] = ()):
    if not isinstance(value, dict):
        raise _fail(path, "must be a JSON object")
    unknown = set(value) - allowed
    if unknown:
        raise _fail(path, f"has properties xAPI does not define: {', '.join(sorted(unknown))}")
    for key, item in value.items():
        if item is None:
            raise _fail(f"{path}.{key}", "must not be null")
    for key in required:
        if key not in value:
            raise _fail(path, f"needs the property {key!r}")
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    return value


def _boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "must be true or false")
    return value


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, "must be a number")
    try:
        number = float(value)
    except OverflowError as error:
        raise _fail(path, "is too large a number") from error
    if not math.isfinite(number):
        raise _fail(path, "must be a finite number")
    return number


def _matching(value: object, path: str, pattern: re.Pattern[str], what: str) -> str:
    text = _string(value, path)
    if not pattern.fullmatch(text):
        raise _fail(path, f"must be {what}, not {text!r}")
    return text


def iri(value: object, path: str) -> str:
    return _matching(value, path, _SCHEME, "an absolute IRI")


def uuid_text(value: object, path: str) -> str:
    return str(uuid.UUID(_matching(value, path, _UUID, "a UUID")))


def timestamp(value: object, path: str) -> datetime:
    text = _string(value, path)
    if not _TIMESTAMP.fullmatch(text) or _NEGATIVE_ZERO_OFFSET.search(text):
        raise _fail(path, f"must be an ISO 8601 date and time (not a -00:00 offset): {text!r}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        in_utc = moment.astimezone(UTC) if moment.tzinfo else moment
    except (ValueError, OverflowError) as error:
        raise _fail(path, f"is not a real date and time: {text!r}") from error
    if not EARLIEST_YEAR <= in_utc.year <= LATEST_YEAR:
        raise _fail(path, f"must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


def language_tag(value: object, path: str) -> str:
    return _matching(value, path, _LANGUAGE, "an RFC 5646 language tag")


def language_map(value: object, path: str) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "must be a language map (an object of language tags)")
    for tag, text in value.items():
        language_tag(tag, f"{path} key")
        _string(text, f"{path}.{tag}")


def _extensions(value: object, path: str) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object keyed by IRIs")
    for key in value:
        iri(key, f"{path} key")


def _account(value: object, path: str) -> None:
    _object(value, path, allowed={"homePage", "name"}, required=("homePage", "name"))
    iri(value["homePage"], f"{path}.homePage")
    _string(value["name"], f"{path}.name")


IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def _ifis(value: dict, path: str) -> int:
    found = [key for key in IFI_KEYS if key in value]
    if len(found) > 1:
        raise _fail(path, f"must have one identifier, not {' and '.join(found)}")
    if "mbox" in value:
        mbox = _string(value["mbox"], f"{path}.mbox")
        if not _MAILTO.fullmatch(mbox):
            raise _fail(f"{path}.mbox", f"must be a mailto: address, not {mbox!r}")
    if "mbox_sha1sum" in value and not _SHA1.fullmatch(
        _string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")
    ):
        raise _fail(f"{path}.mbox_sha1sum", "must be a SHA-1 in hexadecimal")
    if "openid" in value:
        iri(value["openid"], f"{path}.openid")
    if "account" in value:
        _account(value["account"], f"{path}.account")
    return len(found)


_AGENT_KEYS = {"objectType", "name", *IFI_KEYS}


def agent(value: object, path: str) -> None:
    _object(value, path, allowed=_AGENT_KEYS)
    if value.get("objectType", "Agent") != "Agent":
        raise _fail(f"{path}.objectType", "must be 'Agent'")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    if _ifis(value, path) != 1:
        raise _fail(path, "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account")


def group(value: object, path: str) -> None:
    _object(value, path, allowed=_AGENT_KEYS | {"member"}, required=("objectType",))
    if value["objectType"] != "Group":
        raise _fail(f"{path}.objectType", "must be 'Group'")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    identified = _ifis(value, path)
    members = value.get("member")
    if members is not None:
        if not isinstance(members, list):
            raise _fail(f"{path}.member", "must be a list of Agents")
        for index, member in enumerate(members):
            agent(member, f"{path}.member[{index}]")
    if not identified and not members:
        raise _fail(path, "an anonymous Group needs its members")


def actor(value: object, path: str) -> None:
    if isinstance(value, dict) and _object_type(value, path, "Agent") == "Group":
        group(value, path)
    else:
        agent(value, path)


def verb(value: object, path: str) -> None:
    _object(value, path, allowed={"id", "display"}, required=("id",))
    iri(value["id"], f"{path}.id")
    if "display" in value:
        language_map(value["display"], f"{path}.display")


def _components(value: object, path: str) -> None:
    if not isinstance(value, list):
        raise _fail(path, "must be a list of interaction components")
    seen = set()
    for index, component in enumerate(value):
        where = f"{path}[{index}]"
        _object(component, where, allowed={"id", "description"}, required=("id",))
        ident = _string(component["id"], f"{where}.id")
        if ident in seen:
            raise _fail(f"{where}.id", f"repeats the id {ident!r}")
        seen.add(ident)
        if "description" in component:
            language_map(component["description"], f"{where}.description")


_DEFINITION_KEYS = {
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    *COMPONENT_LISTS,
}


def _definition(value: object, path: str) -> None:
    _object(value, path, allowed=_DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            language_map(value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            iri(value[key], f"{path}.{key}")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")
    interaction = value.get("interactionType")
    if interaction is not None and (
        not isinstance(interaction, str) or interaction not in INTERACTION_TYPES
    ):
        raise _fail(f"{path}.interactionType", f"is not an xAPI interaction type: {interaction!r}")
    if "correctResponsesPattern" in value:
        if interaction is None:
            raise _fail(path, "correctResponsesPattern needs an interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            raise _fail(f"{path}.correctResponsesPattern", "must be a list of strings")
    for key in COMPONENT_LISTS:
        if key in value:
            if interaction is None or key not in INTERACTION_TYPES[interaction]:
                raise _fail(f"{path}.{key}", f"is not used by the interaction type {interaction!r}")
            _components(value[key], f"{path}.{key}")


def activity(value: object, path: str) -> None:
    _object(value, path, allowed={"objectType", "id", "definition"}, required=("id",))
    if value.get("objectType", "Activity") != "Activity":
        raise _fail(f"{path}.objectType", "must be 'Activity'")
    iri(value["id"], f"{path}.id")
    if "definition" in value:
        _definition(value["definition"], f"{path}.definition")


def statement_ref(value: object, path: str) -> None:
    _object(value, path, allowed={"objectType", "id"}, required=("objectType", "id"))
    if value["objectType"] != "StatementRef":
        raise _fail(f"{path}.objectType", "must be 'StatementRef'")
    uuid_text(value["id"], f"{path}.id")


def _object_type(value: dict, path: str, default: str) -> str:
    kind = value.get("objectType", default)
    if not isinstance(kind, str):
        raise _fail(f"{path}.objectType", "must be a string")
    return kind


def _statement_object(value: object, path: str, *, inside_substatement: bool) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "must be a JSON object")
    kind = _object_type(value, path, "Activity")
    checks: dict[str, Callable[[object, str], None]] = {
        "Activity": activity,
        "Agent": agent,
        "Group": group,
        "StatementRef": statement_ref,
    }
    if kind == "SubStatement":
        if inside_substatement:
            raise _fail(f"{path}.objectType", "a SubStatement cannot hold another SubStatement")
        _statement(value, path, substatement=True)
    elif kind in checks:
        checks[kind](value, path)
    else:
        raise _fail(f"{path}.objectType", f"is not an xAPI object type: {kind!r}")


def _score(value: object, path: str) -> None:
    _object(value, path, allowed={"scaled", "raw", "min", "max"})
    numbers = {key: _number(value[key], f"{path}.{key}") for key in value}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        raise _fail(f"{path}.scaled", "must be between -1 and 1")
    low, high = numbers.get("min"), numbers.get("max")
    if low is not None and high is not None and low > high:
        raise _fail(path, "min must not be above max")
    raw = numbers.get("raw")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise _fail(f"{path}.raw", "must be between min and max")


def result(value: object, path: str) -> None:
    allowed = {"score", "success", "completion", "response", "duration", "extensions"}
    _object(value, path, allowed=allowed)
    if "score" in value:
        _score(value["score"], f"{path}.score")
    for key in ("success", "completion"):
        if key in value:
            _boolean(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value and not _DURATION.fullmatch(
        _string(value["duration"], f"{path}.duration")
    ):
        raise _fail(f"{path}.duration", "must be an ISO 8601 duration such as PT1M30S")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")


def _context_activities(value: object, path: str) -> None:
    _object(value, path, allowed=set(CONTEXT_ACTIVITY_KINDS))
    for kind, activities in value.items():
        listed = activities if isinstance(activities, list) else [activities]
        for index, item in enumerate(listed):
            activity(item, f"{path}.{kind}[{index}]")


def context(value: object, path: str, *, object_kind: str) -> None:
    allowed = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    _object(value, path, allowed=allowed)
    if "registration" in value:
        uuid_text(value["registration"], f"{path}.registration")
    if "instructor" in value:
        actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        group(value["team"], f"{path}.team")
    if "contextActivities" in value:
        _context_activities(value["contextActivities"], f"{path}.contextActivities")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if object_kind != "Activity":
                raise _fail(f"{path}.{key}", "is only allowed when the object is an Activity")
    if "language" in value:
        language_tag(value["language"], f"{path}.language")
    if "statement" in value:
        statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")


def _attachments(value: object, path: str) -> None:
    if not isinstance(value, list):
        raise _fail(path, "must be a list")
    allowed = {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        required = ("usageType", "display", "contentType", "length", "sha2")
        _object(item, where, allowed=allowed, required=required)
        iri(item["usageType"], f"{where}.usageType")
        language_map(item["display"], f"{where}.display")
        if "description" in item:
            language_map(item["description"], f"{where}.description")
        _string(item["contentType"], f"{where}.contentType")
        length = item["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise _fail(f"{where}.length", "must be a whole number of bytes")
        if not _SHA2.fullmatch(_string(item["sha2"], f"{where}.sha2")):
            raise _fail(f"{where}.sha2", "must be a SHA-2 in hexadecimal")
        if "fileUrl" in item:
            iri(item["fileUrl"], f"{where}.fileUrl")
        if (
            item["usageType"] == SIGNATURE_USAGE
            and item["contentType"] != "application/octet-stream"
        ):
            raise _fail(f"{where}.contentType", "a signature must be application/octet-stream")


_STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
_SUBSTATEMENT_KEYS = {
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
}


def _statement(value: object, path: str, *, substatement: bool) -> None:
    allowed = _SUBSTATEMENT_KEYS if substatement else _STATEMENT_KEYS
    _object(value, path, allowed=allowed, required=("actor", "verb", "object"))
    if "id" in value:
        uuid_text(value["id"], f"{path}.id")
    actor(value["actor"], f"{path}.actor")
    verb(value["verb"], f"{path}.verb")
    target = value["object"]
    _statement_object(target, f"{path}.object", inside_substatement=substatement)
    if "result" in value:
        result(value["result"], f"{path}.result")
    if "context" in value:
        object_kind = target.get("objectType", "Activity")
        context(value["context"], f"{path}.context", object_kind=object_kind)
    if "timestamp" in value:
        timestamp(value["timestamp"], f"{path}.timestamp")
    if "stored" in value:
        timestamp(value["stored"], f"{path}.stored")
    if "authority" in value:
        authority = value["authority"]
        actor(authority, f"{path}.authority")
        if authority.get("objectType") == "Group" and (
            len(authority.get("member", ())) != 2 or any(key in authority for key in IFI_KEYS)
        ):
            raise _fail(
                f"{path}.authority", "a Group as authority is anonymous, with two members (OAuth)"
            )
    if "version" in value and not _VERSION.fullmatch(_string(value["version"], f"{path}.version")):
        raise _fail(f"{path}.version", "must be an xAPI 1.0.x version")
    if "attachments" in value:
        _attachments(value["attachments"], f"{path}.attachments")
    if value["verb"]["id"] == VOIDED_VERB and target.get("objectType") != "StatementRef":
        raise _fail(f"{path}.object", "a voiding statement's object must be a StatementRef")


def _no_constant(name: str) -> object:
    raise BadStatement("body", f"{name} is not a JSON number")


def loads(text: str | bytes) -> object:
    """JSON as the specification reads it: NaN and Infinity, which Python would take, are not
    numbers; nesting too deep to read is refused like any other bad body."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError as error:
        raise BadStatement("body", "the JSON is nested too deeply") from error
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, BadStatement):
            raise
        raise BadStatement("body", "the body is not JSON") from error


def check_statement(value: object, path: str = "statement") -> dict:
    """Raise BadStatement unless `value` is a statement xAPI 1.0.3 allows; return it."""
    try:
        _statement(value, path, substatement=False)
    except BadStatement:
        raise
    except (
        RecursionError,
        TypeError,
        AttributeError,
        KeyError,
        ValueError,
        OverflowError,
    ) as error:
        # a shape no rule above foresaw
        raise _fail(path, "is not shaped as xAPI defines a statement") from error
    return value  # type: ignore[return-value]
