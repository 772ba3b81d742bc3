"""Credentials for a learning tool: the district admins' page (the secret shown once), the
`proficio xapi credentials` commands, and the audit trail of both."""

import argparse
import base64
import io
from contextlib import redirect_stdout

import pytest
from django.test import Client

from proficio.audit.models import AuditEntry
from proficio.lib.errors import ProficioError
from proficio.lrs.cli import register
from proficio.lrs.models import Credential
from proficio.people.services import district_create

pytestmark = pytest.mark.django_db


def _cli(*argv: str) -> str:
    parser = argparse.ArgumentParser(prog="proficio")
    register(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    with redirect_stdout(out):
        assert args.command(args) == 0
    return out.getvalue()


def _works(key: str, secret: str) -> int:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return (
        Client()
        .get(
            "/xapi/statements",
            HTTP_AUTHORIZATION=f"Basic {token}",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
        .status_code
    )


def test_the_command_prints_key_and_secret_once_and_they_open_the_store(world):
    district_create(name="Elsewhere Two")  # the world already has two districts
    with pytest.raises(ProficioError, match="--district"):
        _cli("xapi", "credentials", "create", "Fraction Quest")
    out = _cli("xapi", "credentials", "create", "Fraction Quest", "--district", "Riverside")
    key = out.split("key:")[1].split()[0]
    secret = out.split("secret:")[1].split()[0]
    credential = Credential.objects.get(key=key)
    assert credential.district == world.district and secret not in credential.secret_digest
    assert _works(key, secret) == 200
    listed = _cli("xapi", "credentials", "list", "--district", "Riverside")
    assert key in listed and "live" in listed
    _cli("xapi", "credentials", "revoke", key, "--district", "Riverside")
    assert _works(key, secret) == 401
    changes = AuditEntry.objects.filter(action="lrs_credential.changed").order_by("pk")
    assert [entry.data["change"] for entry in changes] == ["created", "revoked"]
    assert all(entry.district_id == world.district.pk for entry in changes)


def test_the_page_shows_the_secret_on_its_answer_alone_and_revokes(world):
    client = Client()
    client.force_login(world.district_admin)
    created = client.post("/lrs/", {"name": "Word Garden"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    secret = created.context["created"]["secret"]
    credential = created.context["created"]["credential"]
    assert secret in created.content.decode()
    assert _works(credential.key, secret) == 200
    again = client.get("/lrs/")
    assert secret not in again.content.decode() and credential.key in again.content.decode()
    assert client.post("/lrs/", {"revoke": credential.pk}).status_code == 302
    assert _works(credential.key, secret) == 401
    entry = AuditEntry.objects.filter(action="lrs_credential.changed").first()
    assert entry.actor == world.district_admin


def test_a_name_is_needed_and_no_one_but_the_districts_admins_opens_the_page(world):
    client = Client()
    client.force_login(world.district_admin)
    assert client.post("/lrs/", {"name": "  "}).status_code == 422
    for person in (world.teacher, world.school_admin, world.student, world.guardian):
        client.force_login(person)
        assert client.get("/lrs/").status_code == 404


def test_an_admin_cannot_revoke_another_districts_credentials(world, other_tool):
    client = Client()
    client.force_login(world.district_admin)
    theirs = Credential.objects.get(key=other_tool.key)
    assert client.post("/lrs/", {"revoke": theirs.pk}).status_code == 404
    assert Credential.objects.get(pk=theirs.pk).revoked_at is None
