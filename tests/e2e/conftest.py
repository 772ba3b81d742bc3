"""Browser tests: Playwright driving the system's Chromium against a live server.

Without /usr/bin/chromium they are skipped with a plain reason; in CI (CI=true)
a missing browser is a failure, never a silent skip.
"""

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PROFICIO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests need {CHROMIUM}; CI must install chromium.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the session: its sync API keeps an event loop in this thread, and
    a second one in the same thread would not start."""
    from playwright.sync_api import sync_playwright

    # The ORM calls the tests make from here are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright):
    from playwright.sync_api import expect

    # The live server answers one request at a time (OneRequestAtATime): on a busy CI machine
    # a page and its assets can take longer than Playwright's default five seconds.
    expect.set_options(timeout=10_000)
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


class OneRequestAtATime:
    """The live server's WSGI app, one request at a time, its body read before the next.

    On SQLite the server's threads share the tests' one in-memory connection: two requests at
    once, or a request still running when a test ends, would leave that connection inside a
    transaction the next test then runs in (its commit hooks never fire). Holding `lock`
    also waits for the server to be idle."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


@pytest.fixture
def idle_server(live_server):
    """The live server, serving one request at a time; waits at the end of the test until
    the server has finished what the browser asked of it."""
    server = live_server.thread.httpd
    app = server.get_app()
    if not isinstance(app, OneRequestAtATime):
        app = OneRequestAtATime(app)
        server.set_app(app)
    yield live_server
    with app.lock:
        pass


@pytest.fixture
def new_page(browser, idle_server):
    """Open a fresh, cookie-less page; `new_page(width=390)` for a phone."""
    contexts = []

    def open_page(width: int = 1280, height: int = 860):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=idle_server.url
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
