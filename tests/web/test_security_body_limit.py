"""Finding 3: a request body is refused by its declared size before anything reads it."""

from uuid import uuid4

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.test import Client

pytestmark = pytest.mark.django_db

CASE_IMPORT = "/imports/case/"
BOUNDARY = "proficio-test-boundary"


class RecordingUploadHandler(MemoryFileUploadHandler):
    """Notes each time Django starts parsing a multipart body (where it would write a file)."""

    parsed = 0

    def new_file(self, *args, **kwargs):
        type(self).parsed += 1
        super().new_file(*args, **kwargs)


@pytest.fixture
def upload_handler(settings):
    RecordingUploadHandler.parsed = 0
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingUploadHandler"]
    return RecordingUploadHandler


def multipart(size: int) -> bytes:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="case.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    return head + b" " * size + f"\r\n--{BOUNDARY}--\r\n".encode()


def post_file(client, size: int, url: str = CASE_IMPORT):
    return client.post(
        url, data=multipart(size), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def test_an_anonymous_large_upload_is_refused_before_its_body_is_parsed(upload_handler):
    # As a browser posts it, CSRF check and all: that check reads the body before the login.
    response = post_file(Client(enforce_csrf_checks=True), 200 * 1024)
    assert response.status_code == 413
    assert upload_handler.parsed == 0


def test_an_anonymous_small_post_still_reaches_the_login_check(upload_handler):
    response = post_file(Client(), 1024)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_signed_in_upload_over_the_limit_gets_413(client, world, settings, upload_handler):
    settings.PROFICIO_MAX_UPLOAD_MB = 1
    client.force_login(world.district_admin)
    response = post_file(client, 3 * 1024 * 1024)
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    assert upload_handler.parsed == 0


def test_a_signed_in_upload_within_the_limit_is_parsed(client, world, settings, upload_handler):
    settings.PROFICIO_MAX_UPLOAD_MB = 1
    client.force_login(world.district_admin)
    post_file(client, 512 * 1024)
    assert upload_handler.parsed == 1


def test_a_file_sent_with_a_made_up_token_is_refused_past_what_memory_holds(
    client, settings, upload_handler
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024
    response = client.post(
        CASE_IMPORT,
        data=multipart(200 * 1024),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"Authorization": "Bearer made-up"},
    )
    assert response.status_code == 413
    assert upload_handler.parsed == 0


def test_the_api_that_takes_students_files_checks_the_token_before_reading_any(
    client, settings, upload_handler
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024
    settings.PROFICIO_MAX_UPLOAD_MB = 1
    address = f"/api/v1/tasks/{uuid4()}/submissions"

    def send(size: int):
        return client.post(
            address,
            data=multipart(size),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            headers={"Authorization": "Bearer made-up"},
        )

    assert send(200 * 1024).status_code == 401  # past memory, within the upload limit
    assert send(2 * 1024 * 1024).status_code == 413  # past the upload limit
    assert upload_handler.parsed == 0


def test_an_anonymous_json_body_over_the_limit_gets_413_as_json(client):
    response = client.post(
        "/api/v1/auth/token",
        data=b'{"username": "' + b"x" * 100 * 1024 + b'"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_a_body_without_a_length_is_refused(client):
    response = client.post(
        "/accounts/login/", data=b"", content_type="text/plain", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411


def test_a_length_that_is_not_a_number_is_refused(client):
    response = client.post(
        "/accounts/login/", data=b"", content_type="text/plain", CONTENT_LENGTH="-1"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/policies/", "/accounts/password/", "/admin/people/person/"])
def test_a_page_that_takes_no_file_refuses_what_would_go_to_a_temporary_file(
    client, world, upload_handler, url
):
    client.force_login(world.student)
    response = post_file(client, 3 * 1024 * 1024, url)
    assert response.status_code == 413
    assert "at most 2.5 MB can be sent here" in response.content.decode()
    assert upload_handler.parsed == 0
