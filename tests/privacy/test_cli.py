"""`proficio student export ID` and `proficio student erase ID`, by id, UUID or username."""

import argparse
import zipfile

import pytest

from proficio.audit.models import AuditEntry
from proficio.lib.errors import NotVisible
from proficio.people.models import Person
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
