"""`proficio student export ID` and `proficio student erase ID`, by id, UUID or username."""

import argparse
import zipfile

import pytest

from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.models import Person
from proficio.people.selectors import student_for_operator
from proficio.privacy.cli import erase_command, export_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("given", ["username", "pk", "uuid"])
def test_export_finds_the_student_by_username_id_or_uuid(world, tmp_path, capsys, given):
    output = tmp_path / "export.zip"
    identifier = str(getattr(world.student, given))
    assert export_command(argparse.Namespace(student=identifier, output=output)) == 0
    assert "tables/people_person.json" in zipfile.ZipFile(output).namelist()
    assert f"to {output}" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="student.exported")
    assert (entry.actor, entry.student, entry.data["via"]) == (None, world.student, "command line")


def test_export_of_someone_who_is_not_a_student_is_refused(world, tmp_path):
    with pytest.raises(NotVisible):
        export_command(argparse.Namespace(student="teacher", output=tmp_path / "x.zip"))


def test_erase_asks_for_the_username_and_stops_without_it(world, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "not-the-username")
    assert erase_command(argparse.Namespace(student="student", yes=False)) == 1
    assert "nothing was changed" in capsys.readouterr().err
    assert Person.objects.get(pk=world.student.pk).username == "student"


def test_erase_with_the_username_typed_erases(world, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "student")
    assert erase_command(argparse.Namespace(student="student", yes=False)) == 0
    erased = Person.objects.get(pk=world.student.pk)
    assert f"now {erased.username}" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="student.erased")
    assert (entry.actor, entry.data["via"]) == (None, "command line")


@pytest.fixture
def numeric_username(world):
    """A student whose username is another student's id, as rosters of numeric ids make."""
    Person.objects.filter(pk=world.classmate.pk).update(username=str(world.student.pk))
    return str(world.student.pk)


def test_an_identifier_that_names_two_students_is_refused_with_both(
    world, numeric_username, monkeypatch
):
    monkeypatch.setattr("builtins.input", lambda prompt: numeric_username)
    with pytest.raises(InvalidInput) as refused:
        erase_command(argparse.Namespace(student=numeric_username, yes=True))
    message = refused.value.errors["student"]
    assert f"id {numeric_username}: Student Tester" in message
    assert f"username {numeric_username}: Classmate Tester" in message
    assert f"id:{numeric_username} or username:{numeric_username}" in message
    assert not Person.objects.filter(first_name="Erased").exists()
    assert not AuditEntry.objects.filter(action="student.erased").exists()


@pytest.mark.parametrize(
    ("form", "who"), [("id", "student"), ("username", "classmate"), ("uuid", "student")]
)
def test_an_explicit_identifier_names_one_student(world, numeric_username, form, who):
    value = str(world.student.uuid) if form == "uuid" else numeric_username
    assert erase_command(argparse.Namespace(student=f"{form}:{value}", yes=True)) == 0
    erased = Person.objects.get(first_name="Erased")
    assert erased.pk == getattr(world, who).pk


def test_an_explicit_identifier_of_nobody_is_not_found(world):
    with pytest.raises(NotVisible):
        student_for_operator("id:student")
    with pytest.raises(NotVisible):
        student_for_operator(f"username:{world.student.pk}")
