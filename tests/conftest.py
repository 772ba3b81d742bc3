import os
from pathlib import Path

import pytest

from tests.factories import World, build_world


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
