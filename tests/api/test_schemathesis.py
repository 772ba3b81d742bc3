"""The JSON API keeps to its own OpenAPI description whatever a client sends.

schemathesis reads /api/v1/openapi.json and generates requests for every operation, valid
and not, sent through Django's WSGI app in this process on the test database, as a teacher
and as a student. Every answer must be no server error and exactly what the description
says: a documented status code, content type and headers, and a body that fits its schema.
Examples are bounded and derandomized, so a run is quick and the same every time.

How strictly requests are checked is not asked here (schemathesis' positive_data_acceptance
and negative_data_rejection): rules such as "not a future day" hold where no schema can say
them, and an unknown query parameter is ignored on purpose; tests/api pins those answers.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from proficio.people.services import api_token_issue

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

EXAMPLES_PER_OPERATION = 30
ANSWERS_AS_DESCRIBED = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _one_connection_for_the_test():
    """As Django's test client does: the app must not close the connection holding the test's
    transaction after each request (on PostgreSQL it would, and every later query fails)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(params=["teacher", "student"])
def caller(request, world):
    return getattr(world, request.param)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    # The world is built once per operation; each example runs in the same test transaction.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(case, caller):
    # A token of its own for each request: the API's sign-out revokes the one it is sent.
    token = api_token_issue(person=caller)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=ANSWERS_AS_DESCRIBED
    )
