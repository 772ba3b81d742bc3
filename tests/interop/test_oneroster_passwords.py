"""Passwords a roster brings meet the same rules as any other (AUTH_PASSWORD_VALIDATORS): a weak
one refuses the package at its file, line and column, says which rule, and never repeats it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from proficio.interop.oneroster.writer import import_oneroster
from proficio.interop.report import ImportRefused
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    PACKAGE_1_2,
    copy_package,
    edit,
    line_of,
    replace,
    row_counts,
    zip_package,
)

pytestmark = pytest.mark.django_db

STRONG = {PACKAGE_1_1: "Lantern-Orchard-Quill-58", PACKAGE_1_2: "Copper-Kettle-Meadow-31"}


def with_password(tmp_path, package, password: str):
    copy = copy_package(package, tmp_path)
    edit(copy, "users.csv", replace(STRONG[package], password))
    return copy


@pytest.mark.parametrize(
    ("package", "password", "rule"),
    [
        (PACKAGE_1_1, "a", "too short"),
        (PACKAGE_1_1, "password123", "too common"),
        (PACKAGE_1_2, "Elena2026", "too similar to the first name"),
        (PACKAGE_1_2, "Harbor-Point-Elena-7", "too similar to the email address"),
    ],
)
def test_a_weak_password_refuses_the_package_at_its_place(tmp_path, package, password, rule):
    copy = with_password(tmp_path, package, password)
    before = row_counts()

    with pytest.raises(ImportRefused) as refused:
        import_oneroster(copy)

    [problem] = refused.value.problems
    where = (problem.file, problem.line, problem.field)
    assert where == ("users.csv", line_of(package, "users.csv", STRONG[package]), "password")
    assert rule in problem.message
    assert len(password) == 1 or password not in problem.message, "the password is not repeated"
    assert row_counts() == before


def test_the_preview_lists_the_weak_password_and_nothing_is_written(world, tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path / "home"))
    archive = zip_package(with_password(tmp_path, PACKAGE_1_1, "a"), tmp_path / "roster.zip")
    client = Client()
    client.force_login(world.district_admin)
    before = row_counts()

    uploaded = client.post(
        "/imports/oneroster/", {"package": SimpleUploadedFile("roster.zip", archive.read_bytes())}
    )
    page = client.get(uploaded["Location"])

    html = page.content.decode()
    assert page.status_code == 422
    line = line_of(PACKAGE_1_1, "users.csv", STRONG[PACKAGE_1_1])
    assert f"users.csv</code>, line {line}" in html and "password" in html
    assert "breaks the password rules" in html and "too short" in html
    assert row_counts() == before
