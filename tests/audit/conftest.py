import pytest

from proficio.audit.models import AuditEntry


@pytest.fixture
def world(world):
    """The shared world with an empty log: building it enrols students and grants roles,
    which the services audit (tests/audit/test_recorded.py checks those entries)."""
    AuditEntry.objects.all()._prune()
    return world
