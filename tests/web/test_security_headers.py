"""Finding 9: a strict Content-Security-Policy that the pages keep to, Permissions-Policy, and
no caching of anything but static files."""

import json
import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2] / "src" / "proficio"
TEMPLATES = sorted(SOURCE.glob("*/templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def test_pages_carry_a_strict_content_security_policy(client, world):
    client.force_login(world.teacher)
    policy = directives(client.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert not any("unsafe" in value for value in policy["script-src"] + policy["style-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_htmx_is_configured_without_eval_script_tags_or_injected_styles(client):
    page = client.get("/accounts/login/").content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)[1])
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_no_template_holds_code_the_policy_would_block(template):
    text = template.read_text()
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]
    assert [tag for tag in inline_scripts if "csp_nonce" not in tag] == []
    assert "<style" not in text
    assert not re.search(r"\shx-on[:-]", text), "hx-on needs eval; add the behaviour to app.js"
    assert not re.search(r"\son[a-z]+=", text), "inline event handlers do not run under the CSP"


def test_the_api_docs_still_open_under_the_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response


def test_permissions_policy_turns_off_unused_features_and_keeps_the_microphone(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=(self)" in policy


def test_a_signed_in_page_is_not_stored(client, world):
    client.force_login(world.teacher)
    response = client.get(f"/students/{world.student.uuid}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_api_answer_is_not_stored(client, world):
    credentials = {"username": world.teacher.username, "password": PASSWORD}
    issued = client.post("/api/v1/auth/token", credentials, content_type="application/json")
    assert "no-store" in issued["Cache-Control"]
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    response = client.get("/api/v1/students", headers=bearer)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_caching(client, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/proficio/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Permissions-Policy" not in response
