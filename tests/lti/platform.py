"""A small LTI 1.3 platform for the tests: what an LMS does, with its own keys, over real HTTP.

It serves what Proficio fetches (its JWKS, an OAuth2 token for the services, the course
roster through Names and Roles Provisioning, line items and scores through Assignment and
Grade Services, and the OpenID configuration and client registration of dynamic
registration) from a thread on 127.0.0.1; what a browser would carry (the login initiation,
the signed launch, the deep-linking answer) the tests carry with Django's test client.

Every request Proficio makes is checked as an LMS would: tokens signed with the tool's key
for the token endpoint, bearer tokens with the scopes the services need, media types."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Member:
    user_id: str
    name: str
    email: str
    roles: list[str]
    sourced_id: str = ""


@dataclass
class Course:
    id: str
    title: str
    members: list[Member] = field(default_factory=list)
    lineitems: dict[str, dict] = field(default_factory=dict)  # id → line item
    scores: list[tuple[str, dict]] = field(default_factory=list)  # (line item id, score)


class TestPlatform:
    """Start with `start()`, stop with `stop()`; `url` is its base address."""

    __test__ = False  # a platform, not a test class

    issuer_path = ""
    client_id = "proficio-tool"
    deployment_id = "deployment-1"

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host  # the name the platform is reached by (it listens on 127.0.0.1)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.kid = "platform-key-1"
        self.courses: dict[str, Course] = {}
        self.tool_jwks: dict | None = None  # set by the test from Proficio's /lti/jwks.json
        self.tokens: dict[str, list[str]] = {}  # access token → scopes
        self.registration_token = "reg-" + uuid.uuid4().hex
        self.registrations: list[dict] = []
        self.requests: list[tuple[str, str]] = []
        self.links: dict[str, tuple[dict, str]] = {}  # resource link → (item, line item)
        self.tool_login = ""  # for the browser pages: Proficio's login initiation URL
        self._server: WSGIServer | None = None

    # --- running -------------------------------------------------------------------------
    def start(self) -> TestPlatform:
        self._server = make_server("127.0.0.1", 0, self._app, handler_class=_Quiet)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def issuer(self) -> str:
        return self.url

    def registration_fields(self, name: str = "Test LMS") -> dict[str, str]:
        """What an LMS admin copies into Proficio's registration form."""
        return {
            "name": name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_url": f"{self.url}/auth",
            "token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
        }

    def course(self, course_id: str, title: str, members: list[Member]) -> Course:
        self.courses[course_id] = Course(course_id, title, list(members))
        return self.courses[course_id]

    # --- what a browser carries ----------------------------------------------------------
    def login_initiation(self, user: Member, target: str, hint: str = "") -> dict[str, str]:
        return {
            "iss": self.issuer,
            "login_hint": user.user_id,
            "target_link_uri": target,
            "lti_message_hint": hint or "hint",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(
        self,
        *,
        auth_request: dict[str, str],
        user: Member,
        course: Course,
        message_type: str = "LtiResourceLinkRequest",
        resource_link: str = "link-1",
        custom: dict[str, str] | None = None,
        lineitem: str = "",
        scopes: list[str] | None = None,
    ) -> str:
        """The id_token the platform posts to the tool after its sign-in (the OIDC answer
        to `auth_request`, the query the tool redirected the browser to us with)."""
        assert auth_request["client_id"] == self.client_id
        assert auth_request["response_type"] == "id_token"
        assert auth_request["login_hint"] == user.user_id
        now = int(time.time())
        scopes = AGS_SCOPES if scopes is None else scopes
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user.user_id,
            "exp": now + 300,
            "iat": now,
            "nonce": auth_request["nonce"],
            "name": user.name,
            "email": user.email,
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "roles": user.roles,
            LTI + "context": {"id": course.id, "title": course.title, "label": course.id},
            LTI + "target_link_uri": auth_request["redirect_uri"],
            LTI + "launch_presentation": {
                "document_target": "iframe",
                "return_url": f"{self.url}/course?course={course.id}",
            },
            LTI + "lis": {"person_sourcedid": user.sourced_id} if user.sourced_id else {},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/nrps/{course.id}",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": scopes,
                "lineitems": f"{self.url}/ags/{course.id}/lineitems",
                **({"lineitem": lineitem} if lineitem else {}),
            },
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": resource_link, "title": "Proficio"}
            if custom:
                claims[LTI + "custom"] = custom
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            }
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": self.kid})

    def deep_link_answer(self, signed: str) -> list[dict]:
        """Check the tool's deep-linking answer as the platform does; its content items."""
        claims = self._verify_tool_jwt(signed, audience=self.issuer)
        assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
        assert claims[LTI + "deployment_id"] == self.deployment_id
        assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
        return claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]

    def place(self, course: Course, item: dict, resource_link: str) -> str:
        """Place a deep-linked item as a link of the course: its line item's id, if any."""
        if "lineItem" not in item:
            self.links[resource_link] = (item, "")
            return ""
        lineitem_id = f"{self.url}/ags/{course.id}/lineitems/{len(course.lineitems) + 1}"
        course.lineitems[lineitem_id] = {
            "id": lineitem_id,
            "resourceLinkId": resource_link,
            **item["lineItem"],
        }
        self.links[resource_link] = (item, lineitem_id)
        return lineitem_id

    # --- what Proficio fetches -----------------------------------------------------------
    def _verify_tool_jwt(self, signed: str, audience: str) -> dict:
        assert self.tool_jwks is not None, "give the platform Proficio's keys first"
        kid = jwt.get_unverified_header(signed).get("kid")
        keys = [k for k in self.tool_jwks["keys"] if kid is None or k.get("kid") == kid]
        assert keys, f"no tool key {kid}"
        public = RSAAlgorithm.from_jwk(json.dumps(keys[0]))
        return jwt.decode(signed, public, algorithms=["RS256"], audience=audience)

    # --- what a browser sees of the LMS (the browser journeys) ---------------------------
    def _member(self, course: Course, user_id: str) -> Member:
        return next(m for m in course.members if m.user_id == user_id)

    def _course_page(self, query: dict[str, str]) -> str:
        """A course page of the LMS with Proficio in its frame, as a link opens it."""
        course = self.courses[query["course"]]
        hint = "|".join([course.id, query.get("link", ""), query.get("kind", "resource")])
        initiation = self.login_initiation(self._member(course, query["user"]), "", hint)
        initiation["target_link_uri"] = self.tool_login.replace("/login/", "/launch/")
        source = self.tool_login + "?" + urlencode(initiation)
        return (
            f"<!doctype html><html><head><title>Test LMS · {escape(course.title)}</title></head>"
            "<body style='font-family:sans-serif;margin:0'>"
            "<header style='background:#2d3b45;color:#fff;padding:12px 20px'>"
            f"Test LMS · {escape(course.title)}</header>"
            f"<iframe title='Proficio' src='{escape(source)}' "
            "style='border:0;width:100%;height:760px'></iframe></body></html>"
        )

    def _auth_page(self, query: dict[str, str]) -> str:
        """The platform's OIDC answer: the signed launch, posted by the browser to the tool."""
        course_id, link, kind = query["lti_message_hint"].split("|")
        course = self.courses[course_id]
        user = self._member(course, query["login_hint"])
        claims: dict[str, Any] = {}
        if kind == "deep":
            claims["message_type"] = "LtiDeepLinkingRequest"
        else:
            item, lineitem = self.links.get(link, ({}, ""))
            claims.update(resource_link=link, custom=item.get("custom"), lineitem=lineitem)
        token = self.id_token(auth_request=query, user=user, course=course, **claims)
        return (
            "<!doctype html><html><body>"
            f"<form id='launch' method='post' action='{escape(query['redirect_uri'])}'>"
            f"<input type='hidden' name='id_token' value='{token}'>"
            f"<input type='hidden' name='state' value='{escape(query['state'])}'></form>"
            "<script>document.getElementById('launch').submit()</script></body></html>"
        )

    def _deep_link_return(self, body: bytes) -> str:
        signed = parse_qs(body.decode())["JWT"][0]
        course = next(iter(self.courses.values()))
        placed = []
        for number, item in enumerate(self.deep_link_answer(signed), start=1):
            self.place(course, item, resource_link=f"placed-{len(self.links) + number}")
            placed.append(escape(item["title"]))
        return (
            "<!doctype html><html><body style='font-family:sans-serif'>"
            f"<p id='placed'>Placed in the course: {', '.join(placed)}</p></body></html>"
        )

    def _app(self, environ: dict, start_response: Any) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.requests.append((method, path))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        pages = {
            "/course": lambda: self._course_page(query),
            "/auth": lambda: self._auth_page(query),
            "/deep-link-return": lambda: self._deep_link_return(body),
        }
        if path in pages:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [pages[path]().encode()]
        try:
            status, answer, kind = self._route(environ, method, path, body)
        except AssertionError as refused:
            status, answer, kind = "400 Bad Request", {"error": str(refused)}, "application/json"
        start_response(status, [("Content-Type", kind)])
        return [json.dumps(answer).encode()]

    def _scopes(self, environ: dict) -> list[str]:
        header = environ.get("HTTP_AUTHORIZATION", "")
        assert header.startswith("Bearer "), "no bearer token"
        token = header.removeprefix("Bearer ")
        assert token in self.tokens, "unknown token"
        return self.tokens[token]

    def _route(self, environ: dict, method: str, path: str, body: bytes):
        ok = "200 OK"
        if path == "/jwks":
            public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
            return (
                ok,
                {"keys": [public | {"kid": self.kid, "alg": "RS256", "use": "sig"}]},
                ("application/json"),
            )
        if path == "/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            assert form["grant_type"] == "client_credentials"
            assert form["client_assertion_type"].endswith("jwt-bearer")
            claims = self._verify_tool_jwt(form["client_assertion"], audience=f"{self.url}/token")
            assert claims["iss"] == claims["sub"] == self.client_id
            token = uuid.uuid4().hex
            self.tokens[token] = form["scope"].split()
            answer = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
            return ok, answer, "application/json"
        if match := re.fullmatch(r"/nrps/([^/]+)", path):
            assert NRPS_SCOPE in self._scopes(environ)
            course = self.courses[match[1]]
            members = [
                {
                    "user_id": m.user_id,
                    "name": m.name,
                    "email": m.email,
                    "roles": m.roles,
                    "status": "Active",
                    **({"lis_person_sourcedid": m.sourced_id} if m.sourced_id else {}),
                }
                for m in course.members
            ]
            answer = {"id": path, "context": {"id": course.id}, "members": members}
            return ok, answer, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        if match := re.fullmatch(r"/ags/([^/]+)/lineitems", path):
            scopes = self._scopes(environ)
            course = self.courses[match[1]]
            if method == "POST":
                assert AGS_SCOPES[0] in scopes
                assert environ["CONTENT_TYPE"] == "application/vnd.ims.lis.v2.lineitem+json"
                item = json.loads(body)
                assert item["label"] and item["scoreMaximum"] > 0
                lineitem_id = f"{self.url}{path}/{len(course.lineitems) + 1}"
                course.lineitems[lineitem_id] = item | {"id": lineitem_id}
                return (
                    "201 Created",
                    course.lineitems[lineitem_id],
                    ("application/vnd.ims.lis.v2.lineitem+json"),
                )
            return (
                ok,
                list(course.lineitems.values()),
                ("application/vnd.ims.lis.v2.lineitemcontainer+json"),
            )
        if match := re.fullmatch(r"/ags/([^/]+)/lineitems/(\d+)/scores", path):
            assert AGS_SCOPES[2] in self._scopes(environ)
            assert environ["CONTENT_TYPE"] == "application/vnd.ims.lis.v1.score+json"
            course = self.courses[match[1]]
            lineitem_id = f"{self.url}/ags/{match[1]}/lineitems/{match[2]}"
            assert lineitem_id in course.lineitems, "no such line item"
            score = json.loads(body)
            assert {"userId", "scoreGiven", "scoreMaximum", "activityProgress"} <= set(score)
            assert score["gradingProgress"] == "FullyGraded"
            assert 0 <= score["scoreGiven"] <= score["scoreMaximum"]
            assert score["userId"] in {m.user_id for m in course.members}, "not a member"
            course.scores.append((lineitem_id, score))
            return ok, {}, "application/json"
        if path == "/.well-known/openid-configuration":
            header = environ.get("HTTP_AUTHORIZATION", "")
            assert header == f"Bearer {self.registration_token}", "bad registration token"
            return ok, self.openid_configuration(), "application/json"
        if path == "/register" and method == "POST":
            header = environ.get("HTTP_AUTHORIZATION", "")
            assert header == f"Bearer {self.registration_token}", "bad registration token"
            request = json.loads(body)
            assert request["token_endpoint_auth_method"] == "private_key_jwt"
            assert request["initiate_login_uri"] and request["redirect_uris"]
            tool = request["https://purl.imsglobal.org/spec/lti-tool-configuration"]
            assert {m["type"] for m in tool["messages"]} >= {"LtiDeepLinkingRequest"}
            self.registrations.append(request)
            answer = request | {
                "client_id": self.client_id,
                "https://purl.imsglobal.org/spec/lti-tool-configuration": tool
                | {"deployment_id": self.deployment_id},
            }
            return "201 Created", answer, "application/json"
        return "404 Not Found", {"error": path}, "application/json"

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/auth",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "registration_endpoint": f"{self.url}/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "scopes_supported": ["openid", *AGS_SCOPES, NRPS_SCOPE],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "test-lms",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
