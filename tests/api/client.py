"""Speaking JSON to /api/v1 as any client does: sign in through the API, send a bearer token."""

import json
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, World

BASE = "/api/v1"

# Every person of the world who calls the API, and three ways of not being signed in.
PEOPLE = (
    "district_admin",
    "school_admin",
    "teacher",
    "other_teacher",
    "student",
    "guardian",
    "other_district_teacher",
)
NOT_SIGNED_IN = ("anonymous", "bad_token", "expired_token")
CALLERS = PEOPLE + NOT_SIGNED_IN


class Api:
    """`django.test.Client` speaking JSON to /api/v1 with an optional bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(BASE + path, params, **self._headers())

    def post(self, path: str, body: Any):
        return self.post_raw(path, json.dumps(body))

    def post_raw(self, path: str, raw: str | bytes, content_type: str = "application/json"):
        return self.client.post(BASE + path, raw, content_type=content_type, **self._headers())

    def delete(self, path: str):
        return self.client.delete(BASE + path, **self._headers())


def token_for(username: str, password: str = PASSWORD) -> str:
    response = Api().post("/auth/token", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def rating(world: World, **changes: Any) -> dict[str, Any]:
    """A valid rating of `world.student` on W1 stage 1 at Proficient, with `changes` applied."""
    return {
        "student": str(world.student.uuid),
        "competency": str(world.competency.uuid),
        "stage": 1,
        "level": 3,
        "observed_at": days_ago(1).isoformat(),
        "source": "task",
        "feedback_present": "Clear thesis.",
        "feedback_next": "Support each claim with evidence.",
    } | changes
