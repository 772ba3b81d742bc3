"""Bearer tokens: issued for a username and password, refused the same way for every failure."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from proficio.people.models import ApiToken, Person
from tests.api.client import Api, rating, token_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REFUSED = {"detail": "Unknown username or wrong password."}


def test_a_token_is_issued_for_the_right_password_and_opens_the_api(world):
    response = Api().post("/auth/token", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"token", "id", "expires_at"}
    me = Api(response.json()["token"]).get("/me")
    assert me.status_code == 200 and me.json()["username"] == "teacher"


def test_only_the_digest_of_a_token_is_stored(world):
    token = token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest() != token


def test_each_sign_in_gets_its_own_token_and_both_work(world):
    first, second = token_for("teacher"), token_for("teacher")
    assert first != second
    assert Api(first).get("/me").status_code == Api(second).get("/me").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("teacher", "not-the-password"),
        ("nobody-by-this-name", PASSWORD),
        ("teacher", ""),
        ("", ""),
    ],
)
def test_bad_credentials_are_refused_alike(world, username, password):
    response = Api().post("/auth/token", {"username": username, "password": password})
    assert response.status_code == 401
    assert response.json() == REFUSED
    assert not ApiToken.objects.exists()


def test_an_inactive_person_is_refused_like_an_unknown_one(world):
    Person.objects.filter(pk=world.teacher.pk).update(is_active=False)
    response = Api().post("/auth/token", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == REFUSED


def test_a_token_stops_working_when_its_person_is_deactivated(world):
    token = token_for("teacher")
    Person.objects.filter(pk=world.teacher.pk).update(is_active=False)
    assert Api(token).get("/me").status_code == 401


def test_an_expired_token_is_refused(world):
    token = token_for("teacher")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Api(token).get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in: send a bearer token."}


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Token abc",
        "Basic dGVhY2hlcjpwdw==",
        "Bearer ünïcødé",
        "Bearer " + "x" * 5000,
    ],
)
def test_malformed_authorization_headers_are_refused(world, header):
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("", "body"),
        ("not json", "body"),
        ("[]", "username"),
        ('{"username": "teacher"}', "password"),
        ('{"username": 7, "password": "x"}', "username"),
        ('{"username": "teacher", "password": null}', "password"),
        ('{"username": "' + "u" * 151 + '", "password": "x"}', "username"),
        ('{"username": "teacher\\u0000", "password": "x"}', "username"),
        ('{"username": "\\ud800", "password": "x"}', "username"),
        ('{"username": "teacher", "password": "\\udfff"}', "password"),
    ],
)
def test_a_malformed_sign_in_is_a_400_naming_the_field(world, raw, field):
    response = Api().post_raw("/auth/token", raw)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_signing_in_needs_no_csrf_token_so_scripts_can_use_it(world):
    api = Api(client=Client(enforce_csrf_checks=True))
    response = api.post("/auth/token", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 200


def test_a_bearer_token_needs_no_csrf_token_to_write(world):
    api = Api(token_for("teacher"), client=Client(enforce_csrf_checks=True))
    assert api.post("/evidence", rating(world)).status_code == 201
