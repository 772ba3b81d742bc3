"""A district with a mapping of standardized results, and results files to import into it."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from proficio.frameworks.models import Competency
from proficio.interop.models import ResultMapping
from proficio.interop.results.mapping import result_mapping_add
from proficio.people.models import Person
from tests.factories import World, make_competency

HEADER = "student,assessment,date,score,band"


@dataclass
class Mapped:
    """The world, its second competency, and the mapping of "State Reading"'s bands."""

    world: World
    reading: Competency  # W1 is the world's competency; R1 the second
    rules: list[ResultMapping]


@pytest.fixture
def mapped(world) -> Mapped:
    """Below → W1 stage 1 at 2; Proficient → W1 stage 1 at 3 and R1 stage 2 at 3;
    Advanced → W1 stage 2 at 4. The world's student has the sourcedId S-1."""
    reading = make_competency(world.framework, "R1")
    Person.objects.filter(pk=world.student.pk).update(sourced_id="S-1")
    world.student.refresh_from_db()
    rules = [
        result_mapping_add(
            actor=world.district_admin,
            district=world.district,
            assessment=assessment,
            band=band,
            competency=competency,
            stage=stage,
            level=Decimal(level),
        )
        for assessment, band, competency, stage, level in (
            ("State Reading", "Below", world.competency, 1, 2),
            ("State Reading", "Proficient", world.competency, 1, 3),
            ("State Reading", "Proficient", reading, 2, 3),
            ("State Reading", "Advanced", world.competency, 2, 4),
        )
    ]
    return Mapped(world=world, reading=reading, rules=rules)


def days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def results_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def write_results(tmp_path: Path, *rows: str, name: str = "results.csv", **kwargs) -> Path:
    path = tmp_path / name
    path.write_bytes(results_csv(*rows, **kwargs))
    return path
