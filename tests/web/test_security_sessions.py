"""Finding 9: a session ends after a while without activity, and after a fixed time anyway."""

import time

import pytest

from proficio.lib.http.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PROFICIO_SESSION_IDLE_MINUTES = 30
    settings.PROFICIO_SESSION_MAX_HOURS = 12


def signed_in(client, person):
    response = client.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def set_clocks(client, *, signed_in_ago: float, last_seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN_AT] = now - last_seen_ago
    session.save()


def test_signing_in_starts_both_clocks(client, world):
    session = signed_in(client, world.teacher).session
    assert time.time() - session[SIGNED_IN_AT] < 60
    assert time.time() - session[LAST_SEEN_AT] < 60


def test_a_session_idle_past_the_limit_is_signed_out_with_a_message(client, world):
    signed_in(client, world.teacher)
    set_clocks(client, signed_in_ago=31 * 60, last_seen_ago=31 * 60)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_open(client, world):
    signed_in(client, world.teacher)
    set_clocks(client, signed_in_ago=29 * 60, last_seen_ago=29 * 60)
    assert client.get(HOME).status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 60


def test_a_session_ends_at_its_maximum_lifetime_even_when_active(client, world):
    signed_in(client, world.teacher)
    set_clocks(client, signed_in_ago=12 * 3600 + 60, last_seen_ago=60)
    response = client.get(HOME, follow=True)
    assert "a session lasts at most 12 hours" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_after_the_timeout_loads_the_sign_in_page_whole(client, world):
    signed_in(client, world.teacher)
    set_clocks(client, signed_in_ago=31 * 60, last_seen_ago=31 * 60)
    gradebook = f"http://testserver/sections/{world.section.uuid}/"
    response = client.get(
        f"/students/{world.student.uuid}/",
        headers={"HX-Request": "true", "HX-Current-URL": gradebook},
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next=/sections/{world.section.uuid}/"
