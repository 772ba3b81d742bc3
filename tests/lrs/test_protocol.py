"""What every request goes through: the version header, HEAD, CORS, the alternate request
syntax, attachments as multipart/mixed and signed statements."""

import base64
import hashlib
import json
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from proficio.lrs.xapi import multipart
from tests.lrs.conftest import statement

pytestmark = pytest.mark.django_db


def test_a_request_without_the_version_header_is_400_and_every_answer_names_the_version(tool):
    auth = {"HTTP_AUTHORIZATION": tool.auth["HTTP_AUTHORIZATION"]}
    response = tool.client.get("/xapi/statements", **auth)
    assert response.status_code == 400
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert response["X-Experience-API-Consistent-Through"]


def test_head_answers_as_get_without_a_body_and_cors_lets_browser_content_in(tool):
    head = tool.client.head("/xapi/statements", **tool.auth)
    assert head.status_code == 200 and head.content == b""
    preflight = tool.client.options("/xapi/statements", HTTP_ORIGIN="https://course.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Version" in preflight["Access-Control-Allow-Headers"]


def test_the_alternate_request_syntax_puts_a_statement_with_its_headers_in_the_form(tool):
    form = {
        "statementId": "7ccd3322-e1a5-411a-a67d-6a735c76f119",
        "content": json.dumps(statement()),
        "Authorization": tool.auth["HTTP_AUTHORIZATION"],
        "X-Experience-API-Version": "1.0.3",
    }
    response = tool.client.post(
        "/xapi/statements?method=PUT",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    stored = tool.get("statements", data={"statementId": form["statementId"]})
    assert stored.status_code == 200
    extra = tool.client.post(
        "/xapi/statements?method=PUT&limit=1",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert extra.status_code == 400


def _multipart(body: object, parts: list[tuple[bytes, dict[str, str]]]) -> tuple[bytes, str]:
    boundary = "xapi-test-boundary"
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
        + json.dumps(body).encode()
    ]
    for content, headers in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        chunks.append(f"\r\n--{boundary}\r\n{head}\r\n".encode() + content)
    return b"".join(
        chunks
    ) + f"\r\n--{boundary}--\r\n".encode(), f"multipart/mixed; boundary={boundary}"


def _attachment(content: bytes, **changes) -> dict:
    return {
        "usageType": "http://id.tincanapi.com/attachment/supporting_media",
        "display": {"en-US": "Work sample"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
        **changes,
    }


def test_an_attachment_is_stored_with_its_statement_and_comes_back_as_multipart(tool):
    content = b"My answer, written out in full.\n"
    sha2 = hashlib.sha256(content).hexdigest()
    body, content_type = _multipart(
        statement(attachments=[_attachment(content)]),
        [
            (
                content,
                {
                    "Content-Type": "text/plain",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": sha2,
                },
            )
        ],
    )
    response = tool.client.post("/xapi/statements", body, content_type=content_type, **tool.auth)
    assert response.status_code == 200, response.content
    (statement_id,) = response.json()
    back = tool.get("statements", data={"statementId": statement_id, "attachments": "true"})
    assert back["Content-Type"].startswith("multipart/mixed; boundary=")
    statements, parts = multipart.parse(back["Content-Type"], back.content)
    assert statements["id"] == statement_id
    assert parts == [(sha2, "text/plain", content)]


def test_an_attachment_without_its_bytes_or_with_the_wrong_hash_is_refused(tool):
    content = b"bytes"
    missing = tool.post("statements", statement(attachments=[_attachment(content)]))
    assert missing.status_code == 400
    body, content_type = _multipart(
        statement(attachments=[_attachment(content)]),
        [
            (
                b"other bytes",
                {
                    "Content-Type": "text/plain",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": hashlib.sha256(content).hexdigest(),
                },
            )
        ],
    )
    wrong = tool.client.post("/xapi/statements", body, content_type=content_type, **tool.auth)
    assert wrong.status_code == 400


def _signed(sent: dict, algorithm: str = "RS256", payload: dict | None = None) -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm.startswith("HS"):
        key = "a shared secret that is long enough"
    token = jwt.encode(payload or sent, key, algorithm=algorithm).encode()
    signed = {
        **sent,
        "attachments": [
            _attachment(
                token,
                usageType="http://adlnet.gov/expapi/attachments/signature",
                contentType="application/octet-stream",
            )
        ],
    }
    sha2 = hashlib.sha256(token).hexdigest()
    return _multipart(
        signed,
        [
            (
                token,
                {
                    "Content-Type": "application/octet-stream",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": sha2,
                },
            )
        ],
    )


def test_a_signed_statement_is_taken_when_its_jws_holds_the_statement(tool):
    sent = statement(id="5ec2b2f1-8f67-4a4a-a22c-0d8b8ec9f0a1")
    body, content_type = _signed(sent)
    response = tool.client.post("/xapi/statements", body, content_type=content_type, **tool.auth)
    assert response.status_code == 200, response.content
    for bad in (
        _signed(sent, "HS256"),
        _signed(sent, payload=statement(result={"success": False})),
    ):
        body, content_type = bad
        refused = tool.client.post("/xapi/statements", body, content_type=content_type, **tool.auth)
        assert refused.status_code == 400


def test_basic_credentials_that_are_not_base64_are_401(tool):
    bad = {"HTTP_AUTHORIZATION": "Basic %%%", "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    assert tool.client.get("/xapi/statements", **bad).status_code == 401
    encoded = base64.b64encode(b"no-colon").decode()
    no_colon = {**bad, "HTTP_AUTHORIZATION": f"Basic {encoded}"}
    assert tool.client.get("/xapi/statements", **no_colon).status_code == 401
