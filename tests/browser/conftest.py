"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against a live server.

One browser per test session, a fresh context (cookies, storage, viewport, JavaScript on or off)
per page. The site is served by pytest-django's `live_server`; every test starts from the seed
data, an empty cache (rate limits) and form anti-bot timers set to zero.

Playwright never downloads a browser here: it launches the system's /usr/bin/chromium (or
$SMSN_CHROMIUM). When that is missing the tests are skipped and say why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP

# Never let Playwright fetch a browser build of its own.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
# Generous waits: CI machines are small and may be busy; a passing step never waits this long.
expect.set_options(timeout=10_000)

CHROMIUM = os.environ.get("SMSN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Settings that hold back forms filled faster than a person could; zero in browser tests, where a
# robot is the person. Names that do not exist yet are harmless overrides.
ANTI_BOT_SETTINGS = {
    "SMSN_FORM_MIN_SECONDS": 0,
    "SMSN_COMMENT_MIN_SECONDS": 0,
    "SMSN_DISTINCTION_MIN_SECONDS": 0,
}


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium once for all browser tests, or skip saying why it cannot.

    Package scope closes the browser (and Playwright's event loop) before other tests run.
    """
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}, which is missing: install Debian's "
            "`chromium` package (./bin/test does so when it can) or set SMSN_CHROMIUM"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        pytest.skip(f"browser tests need the playwright package: {exc}")
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django's ORM
    # refuses to run in such a thread unless told it is deliberate: the tests call the ORM
    # between browser steps, never concurrently with them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(browser, live_server, settings) -> str:
    """Serve the seeded site for this test and return its base URL (no trailing slash)."""
    for name, value in ANTI_BOT_SETTINGS.items():
        setattr(settings, name, value)
    cache.clear()
    call_command("loadsources", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server.url


@dataclass
class PageLog:
    """What a page said on its console, and the errors it threw."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console + self.errors if "Content Security Policy" in m]


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., object]]:
    """Return a factory of pages, each in its own fresh browser context.

    `new_page(javascript=False, viewport=PHONE)` gives a visitor with JavaScript off on a phone.
    Each page carries `.log`, a PageLog of its console messages and uncaught errors.
    """
    contexts = []
    pages = []

    def make(*, javascript: bool = True, viewport: dict | None = None):
        context = browser.new_context(
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,
            locale="en-GB",
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        log = PageLog()
        page.on("console", lambda m: log.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: log.errors.append(str(e)))
        page.log = log
        pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()
    # Whatever the journey, a page that broke its own scripts or the CSP has failed it.
    problems = [line for page in pages for line in page.log.errors + page.log.csp_violations]
    if problems:
        pytest.fail("the pages reported script errors or CSP violations:\n" + "\n".join(problems))


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request) -> bool:
    """Run the test once with JavaScript on and once with it off."""
    return request.param


@pytest.fixture
def page(new_page, javascript):
    """A desktop page, with JavaScript on or off according to the `javascript` parameter."""
    return new_page(javascript=javascript)
