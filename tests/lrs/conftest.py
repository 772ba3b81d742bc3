"""A tool with xAPI credentials in the world's district, and one in another district."""

import base64
import json
from dataclasses import dataclass

import pytest
from django.test import Client

from proficio.lrs.credentials import credential_create

VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


@dataclass
class Tool:
    """A learning tool talking to the store with its credentials."""

    client: Client
    key: str
    secret: str

    @property
    def auth(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {token}", **VERSION}

    def post(self, path: str, body: object, **extra):
        return self.client.post(
            f"/xapi/{path}", json.dumps(body), content_type="application/json", **self.auth, **extra
        )

    def put(self, path: str, body: object, **extra):
        content = body if isinstance(body, bytes) else json.dumps(body)
        content_type = extra.pop("content_type", "application/json")
        return self.client.put(
            f"/xapi/{path}", content, content_type=content_type, **self.auth, **extra
        )

    def get(self, path: str, **extra):
        return self.client.get(f"/xapi/{path}", **self.auth, **extra)

    def delete(self, path: str, **extra):
        return self.client.delete(f"/xapi/{path}", **self.auth, **extra)


def _tool(district, name: str) -> Tool:
    credential, secret = credential_create(actor=None, district=district, name=name)
    return Tool(Client(), credential.key, secret)


@pytest.fixture
def tool(world) -> Tool:
    return _tool(world.district, "Fraction Quest")


@pytest.fixture
def other_tool(world) -> Tool:
    return _tool(world.other_district_student.district, "Elsewhere Math")


def statement(**changes) -> dict:
    """A practice app's statement: a student answered a question."""
    base = {
        "actor": {"mbox": "mailto:student@example.org", "name": "Student"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "id": "https://fractions.example.org/q/1",
            "definition": {"name": {"en-US": "Question 1"}},
        },
        "result": {"success": True, "score": {"scaled": 0.8}},
    }
    base.update(changes)
    return base
