from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.people.models import ApiToken, Person
from tests.api.client import Api, token_for
from tests.factories import World


@pytest.fixture
def api_as(world: World) -> Callable[[str], Api]:
    """`api_as("teacher")`: a client signed in as that person of the world, or not signed in."""

    def build(caller: str) -> Api:
        if caller == "anonymous":
            return Api()
        if caller == "bad_token":
            return Api("not-a-token-anyone-was-given")
        if caller == "expired_token":
            token = token_for(world.teacher.username)
            ApiToken.objects.filter(person=world.teacher).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            )
            return Api(token)
        person: Person = getattr(world, caller)
        return Api(token_for(person.username))

    return build
