"""The suite makes its test databases from the models (`--no-migrations`): the migrations must
say exactly what the models say, or a site migrated by `proficio start` would differ from the
database every test ran on. (The migrations themselves run from nothing wherever a test runs
the `proficio` command in a fresh home, and on PostgreSQL in the backup round trip.)"""

from django.apps import apps
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState


def test_the_migrations_hold_every_change_to_the_models():
    # What `makemigrations --check` compares, without a database to read applied ones from.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    detector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps))
    changes = detector.changes(graph=loader.graph)
    assert changes == {}, {app: [m.operations for m in found] for app, found in changes.items()}
