"""CASE export: valid against the official 1.1 schema, and import → export → import round-trips."""

import json

import pytest

from proficio.frameworks.models import Framework, Standard
from proficio.interop.case.export import case_package
from proficio.interop.case.writer import import_case
from proficio.people.services import district_create

pytestmark = pytest.mark.django_db


def snapshot(framework: Framework) -> dict:
    """What a framework says, without its database ids or timestamps."""
    by_pk = {standard.pk: standard for standard in framework.standards.all()}
    items = sorted(
        (
            str(s.identifier),
            s.human_coding_scheme,
            s.full_statement,
            s.abbreviated_statement,
            s.item_type,
            tuple(s.education_level),
            s.language,
            s.list_enumeration,
            s.notes,
            tuple(s.concept_keywords),
            str(by_pk[s.parent_id].identifier) if s.parent_id else None,
            s.position,
            json.dumps(s.extra, sort_keys=True),
        )
        for s in by_pk.values()
    )
    associations = sorted(
        (
            str(a.identifier),
            a.association_type,
            a.origin_identifier,
            a.destination_identifier,
            a.sequence_number,
        )
        for a in framework.standard_associations.all()
    )
    document = (
        framework.case_identifier,
        framework.title,
        framework.creator,
        framework.adoption_status,
        framework.version,
        framework.language,
        json.dumps(framework.license, sort_keys=True),
    )
    return {"document": document, "items": items, "associations": associations}


def errors(validator, package: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]


def test_the_schema_validator_checks_formats(case_schema):
    """Without a format checker `format: uuid` would pass anything; the tests rely on it."""
    bad = {
        "CFDocument": {
            "identifier": "not-a-uuid",
            "uri": "x",
            "creator": "c",
            "title": "t",
            "lastChangeDateTime": "yesterday",
        }
    }
    messages = " ".join(errors(case_schema, bad))
    assert "is not a 'uuid'" in messages and "is not a 'date-time'" in messages


def test_every_importable_file_round_trips_and_its_export_validates(case_files, case_schema):
    for path in case_files:
        first = district_create(name=f"First {path.name}")
        report = import_case(data=path.read_bytes(), source=path.name, actor=None, district=first)
        framework = Framework.objects.get(uuid=report.extra["framework"]["id"])
        package = case_package(framework)
        assert errors(case_schema, package) == [], path.name

        second = district_create(name=f"Second {path.name}")
        exported = json.dumps(package).encode()
        again = import_case(data=exported, source="export.json", actor=None, district=second)
        copy = Framework.objects.get(uuid=again.extra["framework"]["id"])
        assert snapshot(copy) == snapshot(framework), path.name
        assert case_package(copy)["CFItems"] == package["CFItems"], path.name


def test_a_proficio_framework_exports_its_whole_progression(world, case_schema):
    package = case_package(world.framework)
    assert errors(case_schema, package) == []
    items = {item["identifier"]: item for item in package["CFItems"]}
    competency = items[str(world.competency.uuid)]
    assert competency["CFItemType"] == "Competency"
    assert competency["humanCodingScheme"] == "W1"
    stages = list(world.competency.stages.all())
    for stage in stages:
        item = items[str(stage.uuid)]
        assert item["CFItemType"] == "Stage" and item["abbreviatedStatement"] == stage.label
        statement = stage.evidence_statements.get()
        assert items[str(statement.uuid)]["CFItemType"] == "Evidence Statement"
    child_of = {
        (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"]): a
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    assert child_of[(str(stages[1].uuid), str(world.competency.uuid))]["sequenceNumber"] == 2
    document = str(world.framework.uuid)
    assert (str(world.competency.uuid), document) in child_of
    precedes = [a for a in package["CFAssociations"] if a["associationType"] == "precedes"]
    assert len(precedes) == len(stages) - 1
    [rubric] = package["CFRubrics"]
    levels = rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [level["quality"] for level in levels] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Advanced",
    ]
    again = case_package(world.framework)
    assert [item["identifier"] for item in again["CFItems"]] == list(items)
    assert [a["identifier"] for a in again["CFAssociations"]] == [
        a["identifier"] for a in package["CFAssociations"]
    ]


def test_a_proficio_framework_arrives_whole_in_another_district(world, case_schema):
    elsewhere = world.other_district_student.district
    data = json.dumps(case_package(world.framework)).encode()
    report = import_case(data=data, source="writing.json", actor=None, district=elsewhere)
    assert report.created["items"] == 1 + 3 + 3
    stage = Standard.objects.get(framework__district=elsewhere, item_type="Stage", position=2)
    assert stage.parent.human_coding_scheme == "W1"
    assert stage.children.get().item_type == "Evidence Statement"
    assert report.created["scales"] == 1
