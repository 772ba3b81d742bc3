"""The xAPI resources under /xapi/: Statements, the three document resources, Activities,
Agents and About. Each reads its parameters, calls the store and answers; protocol.py has
already checked the credentials, the version and the syntax."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from proficio.lrs import documents
from proficio.lrs.documents import Address, Preconditions
from proficio.lrs.models import Document
from proficio.lrs.protocol import XAPI_VERSION, BadRequest, XapiRequest, answer, xapi_resource
from proficio.lrs.statements import (
    AttachmentPart,
    StatementQuery,
    activity_definition_of,
    attachments_of,
    statement_get,
    statements_find,
    statements_store,
)
from proficio.lrs.xapi import multipart
from proficio.lrs.xapi.shapes import agent_key, canonical_format, ids_format
from proficio.lrs.xapi.validation import BadStatement, actor, iri, loads, timestamp, uuid_text

_MORE_SALT = "proficio.lrs.more"
_QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
_SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}


def _unknown_params(given: dict[str, str], allowed: set[str]) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise BadRequest(f"Unknown parameters: {', '.join(sorted(unknown))}.")


def _boolean(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false.")
    return value == "true"


def _json_param(params: dict[str, str], name: str) -> object:
    try:
        return loads(params[name])
    except BadStatement as error:
        raise BadRequest(f"{name} must be JSON.") from error


def _agent_param(params: dict[str, str], name: str = "agent") -> str:
    if name not in params:
        raise BadRequest(f"The parameter {name!r} is required.")
    value = _json_param(params, name)
    actor(value, name)
    key = agent_key(value)  # type: ignore[arg-type]
    if key is None:
        raise BadRequest(f"{name} must be an Agent or an identified Group.")
    return key


def _moment(params: dict[str, str], name: str) -> datetime | None:
    if name not in params:
        return None
    moment = timestamp(params[name], name)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------- Statements


@xapi_resource(("GET", "PUT", "POST"), statements=True)
def statements(request: XapiRequest) -> HttpResponse:
    """POST one statement or a batch, PUT one by id, GET one or a filtered page."""
    if request.method == "GET":
        return _statements_get(request)
    parts: dict[str, AttachmentPart] = {}
    if request.content_type == "multipart/mixed":
        sent, attached = multipart.parse(request.header("content-type") or "", request.body)
        parts = {sha2: AttachmentPart(sha2, kind, content) for sha2, kind, content in attached}
    elif request.content_type == "application/json":
        sent = loads(request.body)
    else:
        raise BadRequest("Send statements as application/json or multipart/mixed.")
    authority = _authority(request)
    if request.method == "PUT":
        _unknown_params(request.params, {"statementId"})
        if "statementId" not in request.params:
            raise BadRequest("PUT needs the statementId parameter.")
        statement_id = uuid_text(request.params["statementId"], "statementId")
        if not isinstance(sent, dict):
            raise BadRequest("PUT takes one statement.")
        if "id" in sent and uuid_text(sent["id"], "statement.id") != statement_id:
            raise BadRequest("The statement's id is not the statementId parameter.")
        sent["id"] = statement_id
        statements_store(
            credential=request.credential, statements=[sent], authority=authority, parts=parts
        )
        return answer(204)
    _unknown_params(request.params, set())
    batch = sent if isinstance(sent, list) else [sent]
    if not batch:
        raise BadRequest("The batch has no statements.")
    ids = statements_store(
        credential=request.credential, statements=batch, authority=authority, parts=parts
    )
    return answer(200, ids)


def _authority(request: XapiRequest) -> dict:
    credential = request.credential
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": request.base, "name": credential.key},
    }


def _shape_of(params: dict[str, str]) -> tuple[str, bool]:
    """The format asked for, and whether attachments come with the statements."""
    shape = params.get("format", "exact")
    if shape not in ("exact", "ids", "canonical"):
        raise BadRequest("format is exact, ids or canonical.")
    return shape, _boolean(params, "attachments")


def _statements_get(request: XapiRequest) -> HttpResponse:
    params = request.params
    shape, with_attachments = _shape_of(params)
    if "statementId" in params or "voidedStatementId" in params:
        _unknown_params(params, _SINGLE_PARAMS)
        if "statementId" in params and "voidedStatementId" in params:
            raise BadRequest("Ask for statementId or voidedStatementId, not both.")
        voided = "voidedStatementId" in params
        name = "voidedStatementId" if voided else "statementId"
        found = statement_get(request.credential, uuid_text(params[name], name), voided=voided)
        if found is None:
            return answer(404, {"error": "There is no such statement."})
        return _statements_answer(request, found, [found], shape, with_attachments)
    if "more" in params:
        query = _query_from_more(params)
        shape, with_attachments = _shape_of(query.echo)  # as the first page was asked
    else:
        _unknown_params(params, _QUERY_PARAMS)
        query = _query(params)
    found, more = statements_find(request.credential, query)
    result = {"statements": found, "more": _more_url(query) if more else ""}
    return _statements_answer(request, result, found, shape, with_attachments)


def _statements_answer(
    request: XapiRequest, result: dict, found: list[dict], shape: str, with_attachments: bool
) -> HttpResponse:
    if shape == "ids":
        shaped = [ids_format(statement) for statement in found]
    elif shape == "canonical":
        languages = _languages(request.header("accept-language") or "")
        shaped = [canonical_format(statement, languages) for statement in found]
    else:
        shaped = found
    result = {**result, "statements": shaped} if "statements" in result else shaped[0]
    if with_attachments:
        stored = attachments_of(request.credential, found)
        body, content_type = multipart.compose(
            result, [(a.sha2, a.content_type, bytes(a.content)) for a in stored]
        )
        response = HttpResponse(body, content_type=content_type)
    else:
        response = answer(200, result)
    response["Last-Modified"] = http_date(timezone.now().timestamp())
    return response


def _languages(header: str) -> list[str]:
    weighted = []
    for item in header.split(","):
        tag, _semicolon, quality = item.strip().partition(";q=")
        if tag and tag != "*":
            try:
                weighted.append((float(quality or 1), tag))
            except ValueError:
                continue
    return [tag for _quality, tag in sorted(weighted, key=lambda pair: -pair[0])]


def _query(params: dict[str, str]) -> StatementQuery:
    query = StatementQuery(echo=dict(params))
    if "agent" in params:
        query.agent = _agent_param(params)
    if "verb" in params:
        query.verb = iri(params["verb"], "verb")
    if "activity" in params:
        query.activity = iri(params["activity"], "activity")
    if "registration" in params:
        query.registration = uuid_text(params["registration"], "registration")
    query.related_activities = _boolean(params, "related_activities")
    query.related_agents = _boolean(params, "related_agents")
    query.ascending = _boolean(params, "ascending")
    query.since = _moment(params, "since")
    query.until = _moment(params, "until")
    limit = params.get("limit", "0")
    if not limit.isdigit():
        raise BadRequest("limit must be a whole number.")
    query.limit = int(limit)
    return query


def _more_url(query: StatementQuery) -> str:
    token = signing.dumps({"q": query.echo, "after": query.after}, salt=_MORE_SALT, compress=True)
    return "/xapi/statements?" + urlencode({"more": token})


def _query_from_more(params: dict[str, str]) -> StatementQuery:
    try:
        saved = signing.loads(params["more"], salt=_MORE_SALT, max_age=24 * 3600)
    except signing.BadSignature as error:
        raise BadRequest("The more link is not one this store gave, or it is a day old.") from error
    query = _query(saved["q"])
    query.after = saved["after"]
    return query


# ---------------------------------------------------------------- Documents


def _preconditions(request: XapiRequest) -> Preconditions:
    return Preconditions(request.header("if-match"), request.header("if-none-match"))


def _document_answer(document: Document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = "attachment"  # a tool's data, never a page here
    response["ETag"] = f'"{document.etag}"'
    response["Last-Modified"] = http_date(document.updated.timestamp())
    return response


def _documents(
    request: XapiRequest, address: Address, id_name: str, allowed: set[str]
) -> HttpResponse:
    params = request.params
    _unknown_params(params, allowed | {id_name, "since"})
    document_id = params.get(id_name)
    if request.method == "GET":
        if document_id is None:
            return answer(200, documents.document_ids(address, _moment(params, "since")))
        found = documents.document_get(address, document_id)
        if found is None:
            return answer(404, {"error": "There is no such document."})
        return _document_answer(found)
    if "since" in params:
        raise BadRequest("since is only for GET.")
    if request.method == "DELETE":
        if document_id is None and address.kind != Document.STATE:
            raise BadRequest(f"DELETE needs {id_name}.")
        documents.document_delete(address, document_id, preconditions=_preconditions(request))
        return answer(204)
    if document_id is None:
        raise BadRequest(f"{request.method} needs {id_name}.")
    write = documents.document_put if request.method == "PUT" else documents.document_post
    content_type = request.header("content-type") or "application/octet-stream"
    if request.method == "POST" and content_type.startswith(documents.JSON):
        try:
            loads(request.body)
        except BadStatement as error:
            raise BadRequest("The document says it is JSON but is not.") from error
    write(
        address,
        document_id,
        content=request.body,
        content_type=content_type,
        preconditions=_preconditions(request),
    )
    return answer(204)


def _activity_id(params: dict[str, str]) -> str:
    if "activityId" not in params:
        raise BadRequest("The parameter 'activityId' is required.")
    return iri(params["activityId"], "activityId")


_DOCUMENT_METHODS = ("GET", "PUT", "POST", "DELETE")


@xapi_resource(_DOCUMENT_METHODS)
def activity_state(request: XapiRequest) -> HttpResponse:
    """An activity's state for an agent (and a registration)."""
    params = request.params
    registration = params.get("registration")
    address = Address(
        request.credential.district_id,
        Document.STATE,
        activity_id=_activity_id(params),
        agent_key=_agent_param(params),
        registration=uuid_text(registration, "registration") if registration else "",
    )
    return _documents(request, address, "stateId", {"activityId", "agent", "registration"})


@xapi_resource(_DOCUMENT_METHODS)
def activity_profile(request: XapiRequest) -> HttpResponse:
    """An activity's profile documents."""
    address = Address(
        request.credential.district_id,
        Document.ACTIVITY_PROFILE,
        activity_id=_activity_id(request.params),
    )
    return _documents(request, address, "profileId", {"activityId"})


@xapi_resource(_DOCUMENT_METHODS)
def agent_profile(request: XapiRequest) -> HttpResponse:
    """An agent's profile documents."""
    address = Address(
        request.credential.district_id,
        Document.AGENT_PROFILE,
        agent_key=_agent_param(request.params),
    )
    return _documents(request, address, "profileId", {"agent"})


# ---------------------------------------------------------------- Activities, Agents, About


@xapi_resource(("GET",))
def activities(request: XapiRequest) -> HttpResponse:
    """The activity with the definition its statements gave it."""
    _unknown_params(request.params, {"activityId"})
    activity_id = _activity_id(request.params)
    definition = activity_definition_of(request.credential, activity_id)
    shown = {"objectType": "Activity", "id": activity_id}
    if definition:
        shown["definition"] = definition
    return answer(200, shown)


@xapi_resource(("GET",))
def agents(request: XapiRequest) -> HttpResponse:
    """The Person object of an agent: each identifier and name it is known by."""
    _unknown_params(request.params, {"agent"})
    _agent_param(request.params)
    agent = _json_param(request.params, "agent")
    if agent.get("objectType") == "Group":  # type: ignore[union-attr]
        raise BadRequest("agent must be an Agent.")
    person: dict[str, object] = {"objectType": "Person"}
    for key in ("name", "mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:  # type: ignore[operator]
            person[key] = [agent[key]]  # type: ignore[index]
    return answer(200, person)


@xapi_resource(("GET",), open_to_all=True)
def about(request: XapiRequest) -> HttpResponse:
    """The versions of xAPI this store speaks."""
    return answer(200, {"version": [XAPI_VERSION, "1.0.2", "1.0.1", "1.0.0"]})
