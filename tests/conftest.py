import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import World, build_world

# Fixtures through which a test reaches the suite's database without the django_db mark.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark `db_independent` every test the suite's choice of database cannot reach: those that
    use no database. (Tests that run the `proficio` command in a home of their own, always on
    SQLite, carry the mark by hand.) The PostgreSQL run leaves them out: they would only run
    the same code a second time."""
    for item in items:
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES.intersection(
            getattr(item, "fixturenames", ())
        )
        if not uses_database:
            item.add_marker(pytest.mark.db_independent)


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Spanish leaves Spanish active in its thread (as LocaleMiddleware does):
    the next test starts in the site's language again."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs `collectstatic`; tests serve static files straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Background tasks run at once, in the test's transaction: a policy change recomputes
    # before the service returns.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # and the xAPI store's statements are mapped with no moment to gather.
    settings.PROFICIO_XAPI_GATHER_SECONDS = 0


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(scope="session")
def testdata() -> Path:
    """Real files no one on this project wrote: PROFICIO_TESTDATA, else <repo>/../shared/testdata.

    Skipped with the reason where they are absent, except in CI, where that is a failure.
    """
    default = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
    path = Path(os.environ.get("PROFICIO_TESTDATA", default))
    if not path.is_dir():
        message = f"The shared test data is not at {path} (clone shared/ beside the repo)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def migrated_home(tmp_path_factory) -> Callable[[Path], Path]:
    """Makes a home at a path (its database with every migration applied, and a secret key), for
    a test that runs the `proficio` command in a home but is not about migrating one from
    nothing: that takes about 15 s, so the database is migrated once per test process and
    copied."""
    from tests.test_cli import run_proficio

    template = tmp_path_factory.mktemp("migrated")
    result = run_proficio(template, "manage", "check")
    assert result.returncode == 0, result.stderr

    def make(home: Path) -> Path:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in ("proficio.sqlite3", "secret_key"):
            shutil.copyfile(template / name, home / name)
            (home / name).chmod(0o600)
        return home

    return make
