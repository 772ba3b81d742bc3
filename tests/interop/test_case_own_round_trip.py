"""Re-importing Proficio's own CASE export of a framework updates that framework: its
identifiers round-trip, so nothing is duplicated and an unchanged file changes nothing."""

import json

import pytest

from proficio.frameworks.models import (
    Competency,
    EvidenceStatement,
    Framework,
    Scale,
    ScaleLevel,
    Stage,
    Standard,
    StandardAssociation,
)
from proficio.interop.case.export import case_package
from proficio.interop.case.writer import import_case

pytestmark = pytest.mark.django_db

MODELS = (
    Framework,
    Competency,
    Stage,
    EvidenceStatement,
    Scale,
    ScaleLevel,
    Standard,
    StandardAssociation,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def undated(items: list[dict]) -> list[dict]:
    """Items without their change stamps (an export stamps what it derives with its moment)."""
    return [{k: v for k, v in item.items() if k != "lastChangeDateTime"} for item in items]


def reimport(world, package: dict):
    return import_case(
        data=json.dumps(package).encode(),
        source="export.json",
        actor=world.district_admin,
        district=world.district,
    )


def test_re_importing_a_frameworks_own_export_changes_nothing(world):
    before = counts()
    package = case_package(world.framework)
    report = reimport(world, package)
    assert counts() == before
    assert report.extra["framework"]["id"] == str(world.framework.uuid)
    assert sum(report.created.values()) == 0 and sum(report.updated.values()) == 0
    again = case_package(Framework.objects.get(pk=world.framework.pk))
    assert undated(again["CFItems"]) == undated(package["CFItems"])


def test_an_edited_export_updates_the_same_competency_and_stage(world):
    package = case_package(world.framework)
    for item in package["CFItems"]:
        if item["identifier"] == str(world.competency.uuid):
            item["abbreviatedStatement"] = "Argument, renamed"
        if item["identifier"] == str(world.competency.stages.get(ordinal=1).uuid):
            item["abbreviatedStatement"] = "Opinion, renamed"
    before = counts()
    report = reimport(world, package)
    assert counts() == before
    world.competency.refresh_from_db()
    assert world.competency.title == "Argument, renamed"
    assert world.competency.stages.get(ordinal=1).label == "Opinion, renamed"
    assert report.updated["competencies"] == 1 and report.updated["stages"] == 1


def test_an_imported_framework_with_competencies_comes_back_unchanged(world, case_files):
    """Items chosen as competencies get Proficio trajectories; the export carries both the
    standards and those trajectories, and importing it again duplicates neither."""
    path = next(p for p in case_files if p.name == "ItemTypeTestFramework.json")
    competencies_before = Competency.objects.count()
    first = import_case(
        data=path.read_bytes(),
        source=path.name,
        actor=world.district_admin,
        district=world.district,
        competency_types=["Standard", "Domain", "Cluster", "Competency"],
    )
    framework = Framework.objects.get(uuid=first.extra["framework"]["id"])
    assert Competency.objects.count() > competencies_before
    assert framework.standards.exists()
    before = counts()
    report = reimport(world, case_package(framework))
    assert counts() == before
    assert report.extra["framework"]["id"] == str(framework.uuid)
    assert sum(report.created.values()) == 0
