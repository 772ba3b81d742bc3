"""Every page answers each role as the rules say: a page, a redirect to sign in, or not found."""

import pytest
from django.urls import reverse

from proficio.mastery.models import PolicyPreviewRun
from proficio.people.models import ApiToken, Role
from proficio.people.services import api_token_issue, guardian_link, role_assign

pytestmark = pytest.mark.django_db

ANONYMOUS = None


def get_as(client, world, who, url):
    if who is not ANONYMOUS:
        client.force_login(getattr(world, who))
    return client.get(url)


def assert_sent_to_login(response, url):
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),
        ("school_admin", 200),
        ("district_admin", 200),
        ("other_teacher", 404),
        ("other_district_teacher", 404),
        # Enrolled in the section, but a gradebook of classmates is for staff.
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_gradebook_opens_only_for_staff_serving_the_section(client, world, who, status):
    url = reverse("mastery:gradebook", args=[world.section.uuid])
    assert get_as(client, world, who, url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("guardian", 200),
        ("teacher", 200),
        ("school_admin", 200),
        ("district_admin", 200),
        ("classmate", 404),
        ("other_teacher", 404),
        ("other_district_teacher", 404),
    ],
)
def test_student_page_opens_for_the_student_their_guardian_and_their_staff(
    client, world, who, status
):
    url = reverse("mastery:student", args=[world.student.uuid])
    assert get_as(client, world, who, url).status_code == status


@pytest.mark.parametrize(("who", "status"), [("school_admin", 404), ("district_admin", 200)])
def test_a_school_admin_does_not_see_another_schools_student(client, world, who, status):
    url = reverse("mastery:student", args=[world.far_student.uuid])
    assert get_as(client, world, who, url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("guardian", 200),
        ("teacher", 200),
        ("classmate", 404),
        ("other_teacher", 404),
        ("other_district_teacher", 404),
    ],
)
def test_evidence_page_follows_the_student_page_rules(client, world, who, status):
    url = reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    assert get_as(client, world, who, url).status_code == status


@pytest.mark.parametrize("name", ["audit", "audit_export"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("district_admin", 200),
        # Every other role, even an admin of one school, finds no such page.
        ("school_admin", 404),
        ("teacher", 404),
        ("other_district_teacher", 404),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_the_audit_log_opens_only_for_district_admins(client, world, name, who, status):
    assert get_as(client, world, who, reverse(name)).status_code == status


@pytest.mark.parametrize("name", ["privacy:student", "privacy:export"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("district_admin", 200),
        ("school_admin", 200),
        # Staff who teach the student, the student and their family ask an admin.
        ("teacher", 404),
        ("other_teacher", 404),
        ("other_district_teacher", 404),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_a_students_data_page_opens_only_for_their_admins(client, world, name, who, status):
    url = reverse(name, args=[world.student.uuid])
    assert get_as(client, world, who, url).status_code == status


@pytest.mark.parametrize("name", ["privacy:student", "privacy:export"])
@pytest.mark.parametrize(("who", "status"), [("school_admin", 404), ("district_admin", 200)])
def test_a_school_admin_does_not_reach_another_schools_students_data(
    client, world, name, who, status
):
    url = reverse(name, args=[world.far_student.uuid])
    assert get_as(client, world, who, url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("district_admin", 200),
        ("school_admin", 200),
        ("teacher", 404),
        ("other_district_teacher", 404),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_the_student_data_requests_page_opens_only_for_admins(client, world, who, status):
    assert get_as(client, world, who, reverse("privacy:requests")).status_code == status


def test_nobody_outside_the_students_schools_can_erase_them(client, world):
    url = reverse("privacy:student", args=[world.student.uuid])
    for who in ("teacher", "student", "guardian", "other_district_teacher"):
        client.force_login(getattr(world, who))
        assert client.post(url, {"confirm": "student"}).status_code == 404
    client.logout()
    assert_sent_to_login(client.post(url, {"confirm": "student"}), url)
    world.student.refresh_from_db()
    assert world.student.is_active


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("district_admin", 200),
        (ANONYMOUS, 302),
        ("school_admin", 404),
        ("teacher", 404),
        ("student", 404),
        ("guardian", 404),
        ("other_district_teacher", 404),
    ],
)
def test_a_background_policy_preview_opens_only_for_the_admin_who_asked(client, world, who, status):
    preview = PolicyPreviewRun.objects.create(
        requested_by=world.district_admin, district=world.district, proposal={}
    )
    url = reverse("mastery:policy_preview_run", args=[preview.uuid])
    assert get_as(client, world, who, url).status_code == status


def test_guardian_home_is_for_guardians_only(client, world):
    url = reverse("guardian_home")
    assert get_as(client, world, "guardian", url).status_code == 200
    client.logout()
    assert get_as(client, world, "teacher", url).status_code == 404


@pytest.mark.parametrize(
    "url_of",
    [
        lambda world: reverse("home"),
        lambda world: reverse("guardian_home"),
        lambda world: reverse("mastery:gradebook", args=[world.section.uuid]),
        lambda world: reverse("mastery:student", args=[world.student.uuid]),
        lambda world: reverse(
            "mastery:student_competency", args=[world.student.uuid, world.competency.uuid]
        ),
        lambda world: reverse("audit"),
        lambda world: reverse("audit_export"),
        lambda world: reverse("privacy:requests"),
        lambda world: reverse("privacy:student", args=[world.student.uuid]),
        lambda world: reverse("privacy:export", args=[world.student.uuid]),
        lambda world: reverse("account"),
        lambda world: reverse("password_change"),
        lambda world: reverse("password_change_done"),
    ],
)
def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, world, url_of):
    url = url_of(world)
    assert_sent_to_login(client.get(url), url)


@pytest.mark.parametrize("name", ["account", "password_change", "password_change_done"])
@pytest.mark.parametrize(
    "who",
    ["student", "guardian", "teacher", "school_admin", "district_admin", "other_district_teacher"],
)
def test_everyone_signed_in_opens_their_own_account_pages(client, world, name, who):
    assert get_as(client, world, who, reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "url_of",
    [
        lambda: reverse("password_reset"),
        lambda: reverse("password_reset_done"),
        lambda: reverse("password_reset_confirm", args=["MQ", "not-a-reset-token"]),
        lambda: reverse("password_reset_complete"),
    ],
)
@pytest.mark.parametrize("who", [ANONYMOUS, "student", "teacher"])
def test_the_password_reset_pages_open_for_anyone(client, world, url_of, who):
    """They are for someone who cannot sign in; they show nobody's data."""
    assert get_as(client, world, who, url_of()).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 302),  # their own token
        ("district_admin", 302),  # a person of their district
        ("other_teacher", 404),
        ("school_admin", 404),
        ("student", 404),
        ("guardian", 404),
        ("other_district_teacher", 404),
    ],
)
def test_a_token_is_revoked_only_by_its_owner_or_their_district_admin(client, world, who, status):
    api_token_issue(person=world.teacher)
    token = ApiToken.objects.get(person=world.teacher)
    client.force_login(getattr(world, who))
    response = client.post(reverse("api_token_revoke", args=[token.uuid]))
    assert response.status_code == status
    token.refresh_from_db()
    assert (token.revoked_at is not None) == (status == 302)


def test_revoking_a_token_sends_an_anonymous_visitor_to_sign_in(client, world):
    api_token_issue(person=world.teacher)
    url = reverse("api_token_revoke", args=[ApiToken.objects.get(person=world.teacher).uuid])
    assert_sent_to_login(client.post(url), url)
    assert ApiToken.objects.get(person=world.teacher).revoked_at is None


def test_a_hidden_student_gets_the_same_styled_not_found_page_as_a_wrong_address(client, world):
    client.force_login(world.classmate)
    hidden = client.get(reverse("mastery:student", args=[world.student.uuid]))
    wrong = client.get("/students/00000000-0000-0000-0000-000000000000/")
    assert hidden.status_code == wrong.status_code == 404
    for response in (hidden, wrong):
        assert b"We could not find that page" in response.content
        assert b"Sign out" in response.content  # the full layout, not Django's bare page


def test_home_shows_a_teacher_only_the_sections_they_teach(client, world):
    client.force_login(world.teacher)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Studio A" in response.content
    assert b"Studio B" not in response.content
    assert reverse("mastery:gradebook", args=[world.section.uuid]).encode() in response.content


def test_home_shows_a_school_admin_the_sections_of_their_school(client, world):
    client.force_login(world.school_admin)
    content = client.get(reverse("home")).content
    assert b"Studio A" in content and b"Studio B" in content
    assert b"Studio C" not in content


def test_home_shows_a_district_admin_every_section_of_the_district(client, world):
    client.force_login(world.district_admin)
    content = client.get(reverse("home")).content
    assert b"Studio A" in content and b"Studio B" in content and b"Studio C" in content


def test_home_shows_another_districts_teacher_nothing_of_this_district(client, world):
    client.force_login(world.other_district_teacher)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Studio" not in response.content


def test_home_sends_a_student_to_their_work(client, world):
    client.force_login(world.student)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("work:home")


def test_home_sends_a_guardian_to_their_children(client, world):
    client.force_login(world.guardian)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("guardian_home")


def test_home_of_a_teacher_who_is_also_a_guardian_links_to_their_child(client, world):
    role_assign(person=world.teacher, role=Role.GUARDIAN, district=world.district)
    guardian_link(guardian=world.teacher, student=world.other_student)
    client.force_login(world.teacher)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("mastery:student", args=[world.other_student.uuid]).encode() in (
        response.content
    )
    assert reverse("guardian_home").encode() in response.content  # in the top bar


@pytest.mark.parametrize(
    "who", [ANONYMOUS, "student", "guardian", "teacher", "school_admin", "district_admin"]
)
def test_the_setup_wizard_is_gone_for_everyone_once_a_district_exists(client, world, who):
    for method in (client.get, client.post):
        if who is not ANONYMOUS:
            client.force_login(getattr(world, who))
        assert method(reverse("onboarding:setup")).status_code == 404


def test_a_guardian_opening_the_family_page_is_in_the_audit_trail(client, world):
    from proficio.audit.models import AuditEntry

    client.force_login(world.guardian)
    assert client.get(reverse("guardian_home")).status_code == 200

    entry = AuditEntry.objects.get(actor=world.guardian, action="student.viewed")
    assert entry.student == world.student and entry.data == {"via": "family page"}
