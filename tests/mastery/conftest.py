from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.mastery.services import evidence_record


@pytest.fixture
def rate(world):
    """Record a rating as the world's teacher: rate(level=3, days_ago=2, stage=1, student=…)."""

    def record(*, level=3, days_ago=1, stage=1, student=None, **extra):
        return evidence_record(
            assessor=world.teacher,
            student=student or world.student,
            competency=extra.pop("competency", world.competency),
            stage=stage,
            level=level,
            observed_at=timezone.now() - timedelta(days=days_ago),
            source=extra.pop("source", "observation"),
            **extra,
        )

    return record


@pytest.fixture
def database_tasks(settings):
    """The production task backend: a task is a row, written in its caller's transaction,
    that nothing runs during the test."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
