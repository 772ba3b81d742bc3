"""API tokens end: with their person's password, when revoked, and a week after they were issued."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.people.models import ApiToken, Person
from proficio.people.services import person_grant_site_admin
from tests.api.client import Api, token_for

pytestmark = pytest.mark.django_db

SIGN_IN_AGAIN = {"detail": "Sign in: send a bearer token."}


def set_password_and_save(person: Person) -> None:
    person.set_password("another-long-passphrase")
    person.save()


def update_the_hash_directly(person: Person) -> None:
    """As a bulk update, a data migration or raw SQL would: no save(), no signal."""
    Person.objects.filter(pk=person.pk).update(password=make_password("another-long-passphrase"))


def make_the_password_unusable(person: Person) -> None:
    person.set_unusable_password()
    person.save(update_fields=["password"])


@pytest.mark.parametrize(
    "change", [set_password_and_save, update_the_hash_directly, make_the_password_unusable]
)
def test_a_token_stops_working_when_its_persons_password_changes(world, change):
    token = token_for("teacher")
    assert Api(token).get("/me").status_code == 200
    change(Person.objects.get(pk=world.teacher.pk))
    response = Api(token).get("/me")
    assert response.status_code == 401
    assert response.json() == SIGN_IN_AGAIN


def test_case_rest_refuses_a_token_after_a_password_change_too(world):
    token = token_for("teacher")
    url = "/ims/case/v1p1/CFDocuments"
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    set_password_and_save(Person.objects.get(pk=world.teacher.pk))
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_issued_under_the_new_password_works(world):
    set_password_and_save(Person.objects.get(pk=world.teacher.pk))
    token = token_for("teacher", "another-long-passphrase")
    assert Api(token).get("/me").status_code == 200


def test_saving_a_person_without_a_new_password_keeps_their_tokens(world):
    token = token_for("teacher")
    teacher = Person.objects.get(pk=world.teacher.pk)
    teacher.first_name = "Renamed"
    teacher.save()
    assert Api(token).get("/me").status_code == 200


def test_a_token_lives_seven_days_by_default(world, settings, monkeypatch):
    assert settings.API_TOKEN_LIFETIME_DAYS == 7
    token = token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    assert abs(stored.expires_at - stored.created_at - timedelta(days=7)) < timedelta(seconds=1)
    issued_at = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: issued_at + timedelta(days=6, hours=23))
    assert Api(token).get("/me").status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: issued_at + timedelta(days=7, seconds=1))
    response = Api(token).get("/me")
    assert response.status_code == 401


def test_the_lifetime_follows_the_setting(world, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 1
    token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    assert abs(stored.expires_at - stored.created_at - timedelta(days=1)) < timedelta(seconds=1)


def test_signing_in_answers_the_tokens_id_and_end(world):
    body = Api().post("/auth/token", {"username": "teacher", "password": "a-long-test-passphrase"})
    stored = ApiToken.objects.get(person=world.teacher)
    assert body.json()["id"] == str(stored.uuid)
    assert body.json()["expires_at"] == stored.expires_at.isoformat()


def test_the_owner_lists_their_live_tokens_with_the_current_one_marked(world):
    token_for("teacher")
    current = token_for("teacher")
    token_for("otherteacher")
    older, newer = ApiToken.objects.filter(person=world.teacher).order_by("created_at")
    listed = Api(current).get("/auth/tokens").json()
    assert [(item["id"], item["current"]) for item in listed] == [
        (str(newer.uuid), True),
        (str(older.uuid), False),
    ]


def test_deleting_the_current_token_signs_out_of_the_api_and_is_audited(world):
    token, kept = token_for("teacher"), token_for("teacher")
    response = Api(token).delete("/auth/token")
    assert response.status_code == 204
    assert Api(token).get("/me").status_code == 401
    assert Api(kept).get("/me").status_code == 200
    entry = AuditEntry.objects.get(action="api_token.revoked")
    assert entry.actor_id == world.teacher.pk
    assert entry.district_id == world.district.pk
    revoked = ApiToken.objects.get(revoked_at__isnull=False)
    assert revoked.revoked_by_id == world.teacher.pk
    assert entry.data["token"] == str(revoked.uuid)


def test_the_owner_revokes_another_of_their_tokens_by_id(world):
    lost, current = token_for("teacher"), token_for("teacher")
    lost_id = ApiToken.objects.filter(person=world.teacher).order_by("created_at")[0].uuid
    assert Api(current).delete(f"/auth/tokens/{lost_id}").status_code == 204
    assert Api(lost).get("/me").status_code == 401
    assert Api(current).get("/me").status_code == 200


@pytest.mark.parametrize(
    "caller", ["otherteacher", "student", "schooladmin", "elsewhereteacher", "guardian"]
)
def test_nobody_else_may_revoke_a_teachers_token(world, caller):
    token = token_for("teacher")
    token_id = ApiToken.objects.get(person=world.teacher).uuid
    response = Api(token_for(caller)).delete(f"/auth/tokens/{token_id}")
    assert response.status_code == 404
    assert Api(token).get("/me").status_code == 200
    assert not AuditEntry.objects.filter(action="api_token.revoked").exists()


def test_a_district_admin_revokes_the_token_of_a_person_of_their_district(world):
    token = token_for("teacher")
    token_id = ApiToken.objects.get(person=world.teacher).uuid
    admin = Api(token_for("districtadmin"))
    assert admin.delete(f"/auth/tokens/{token_id}").status_code == 204
    assert Api(token).get("/me").status_code == 401
    assert AuditEntry.objects.get(action="api_token.revoked").actor_id == world.district_admin.pk


def test_a_district_admin_cannot_revoke_a_token_of_another_district(world):
    token = token_for("elsewhereteacher")
    token_id = ApiToken.objects.get(person=world.other_district_teacher).uuid
    admin = Api(token_for("districtadmin"))
    assert admin.delete(f"/auth/tokens/{token_id}").status_code == 404
    assert Api(token).get("/me").status_code == 200


def test_revoking_twice_records_once(world):
    lost, current = token_for("teacher"), token_for("teacher")
    lost_id = ApiToken.objects.filter(person=world.teacher).order_by("created_at")[0].uuid
    api = Api(current)
    assert api.delete(f"/auth/tokens/{lost_id}").status_code == 204
    assert api.delete(f"/auth/tokens/{lost_id}").status_code == 204
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1
    assert Api(lost).get("/me").status_code == 401


@pytest.mark.parametrize("token_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_revoking_an_unknown_id_is_not_found(world, token_id):
    response = Api(token_for("teacher")).delete(f"/auth/tokens/{token_id}")
    assert response.status_code in (400, 404)
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def test_revoking_needs_a_token(world):
    assert Api().delete("/auth/token").status_code == 401


def test_last_use_is_noted_at_most_every_five_minutes(world, monkeypatch):
    token = token_for("teacher")
    assert ApiToken.objects.get().last_used_at is None
    Api(token).get("/me")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    monkeypatch.setattr(timezone, "now", lambda: first + timedelta(minutes=4))
    Api(token).get("/me")
    assert ApiToken.objects.get().last_used_at == first
    monkeypatch.setattr(timezone, "now", lambda: first + timedelta(minutes=6))
    Api(token).get("/me")
    assert ApiToken.objects.get().last_used_at == first + timedelta(minutes=6)


def test_the_django_admin_lists_tokens_and_revokes_them(client, world):
    token = token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    admin = person_grant_site_admin(person=world.district_admin)
    client.force_login(admin)
    listing = client.get("/admin/people/apitoken/")
    assert listing.status_code == 200
    assert b"Teacher Tester" in listing.content
    response = client.post(
        "/admin/people/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [stored.pk]},
    )
    assert response.status_code == 302
    assert Api(token).get("/me").status_code == 401
    entry = AuditEntry.objects.get(action="api_token.revoked")
    assert entry.actor_id == admin.pk
