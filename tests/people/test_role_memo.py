"""The requester's roles are read once per request, and a role granted or ended during the
request is seen by the rest of it; outside a request every check reads them afresh."""

from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proficio.lib.http.request_memo import RequestMemoMiddleware
from proficio.people.models import Role, RoleAssignment
from proficio.people.permissions import role_names
from proficio.people.services import role_assign

ROLE_TABLE = RoleAssignment._meta.db_table


def role_reads(captured: CaptureQueriesContext) -> int:
    """Queries that read a person's roles themselves (not the role subqueries of a filter)."""
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith(f'SELECT "{ROLE_TABLE}"."id"')
    )


def in_a_request(work):
    """Run `work()` as a view would, inside the request memo's scope."""
    outcome = []
    RequestMemoMiddleware(lambda request: outcome.append(work()))(RequestFactory().get("/"))
    return outcome[0]


def test_a_page_reads_the_requesters_roles_once(world):
    client = Client()
    client.force_login(world.teacher)
    page = reverse("mastery:student", kwargs={"student_id": world.student.uuid})
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    assert role_reads(captured) == 1


def test_a_role_granted_during_a_request_is_seen_by_the_rest_of_it(world):
    def grant_then_ask():
        before = role_names(world.teacher)
        role_assign(
            person=world.teacher,
            role=Role.SCHOOL_ADMIN,
            district=world.district,
            school=world.school,
        )
        return before, role_names(world.teacher)

    before, after = in_a_request(grant_then_ask)
    assert Role.SCHOOL_ADMIN not in before
    assert Role.SCHOOL_ADMIN in after


def test_within_a_request_roles_are_read_once(world):
    def ask_twice():
        with CaptureQueriesContext(connection) as captured:
            role_names(world.teacher)
            role_names(world.teacher)
        return role_reads(captured)

    assert in_a_request(ask_twice) == 1


def test_outside_a_request_every_check_reads_the_roles_afresh(world):
    assert role_names(world.teacher) == [Role.TEACHER]
    RoleAssignment.objects.filter(person=world.teacher).update(active=False)
    assert role_names(world.teacher) == []
