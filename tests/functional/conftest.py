"""Browser tests: Playwright (sync API) driving the system's Chromium against `live_server`.

Playwright's own browser download is not reachable here, so these tests use Debian's `chromium`
(at /usr/bin/chromium or on PATH). Without it, every browser test is skipped, and the run says so
loudly: in each skip reason and in a banner at the end of the run.
"""

import datetime
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SKIPPED_BECAUSE: list[str] = []


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _loud_skip(config: pytest.Config, reason: str) -> None:
    _SKIPPED_BECAUSE.append(reason)
    banner = f"\n{'!' * 78}\n!! BROWSER TESTS SKIPPED: {reason}\n{'!' * 78}\n"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(banner, red=True, bold=True)
    else:
        print(banner, file=sys.stderr)
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SKIPPED_BECAUSE:
        terminalreporter.section("BROWSER TESTS WERE SKIPPED", sep="!", red=True, bold=True)
        terminalreporter.write_line(_SKIPPED_BECAUSE[0], red=True, bold=True)
        terminalreporter.write_line(
            "Install Debian's chromium package (apt-get install chromium) to run them.", red=True
        )


@pytest.fixture(scope="package")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One Chromium for the whole functional suite.

    While Playwright's sync API runs, its event loop is the running loop of the test thread. Two
    things follow for Django, both handled here for as long as the browser lives (this package
    only, so nothing leaks into the rest of the run):

    - Django refuses ORM calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE
      is set. It is safe here: the loop is Playwright's, not ours. (`hearth check --deploy`,
      run by other tests in a subprocess, rightly rejects the variable, so it must not leak.)
    - Django's connection registry keeps per-context storage once a loop is running, so the test
      thread would open a second connection to the in-memory test database, apart from the one
      the live server was given: two connections to shared-cache SQLite fail with "database table
      is locked". We hand the test thread back the connections it had before.
    """
    executable = find_chromium()
    if executable is None:
        _loud_skip(request.config, "no Chromium at /usr/bin/chromium or on PATH (`chromium`).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        _loud_skip(request.config, "the playwright Python package is not installed.")
    from django.db import connections

    before = {conn.alias: conn for conn in connections.all()}
    with pytest.MonkeyPatch.context() as env, sync_playwright() as pw:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, conn in before.items():
            connections[alias] = conn
        chromium = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _OneRequestAtATime:
    """Mixed into the live server: handle one request at a time.

    On SQLite the test database lives in memory, and pytest-django hands the server's threads the
    test thread's one connection. Two requests at once (a page and its QR code image, say) would
    interleave their transactions on that connection and fail with "database table is locked".
    """

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def serial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            with lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(serial)  # type: ignore[misc]


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server (same helper, same settings), serving one request at a time."""
    from django.core.servers.basehttp import ThreadedWSGIServer
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = type(
        "SerialWSGIServer", (_OneRequestAtATime, ThreadedWSGIServer), {}
    )
    server.start()
    yield server
    server.stop()


@dataclass
class PageProblems:
    """What the browser complained about while a test ran."""

    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)
    failed_fonts: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No CSP violation, no JavaScript error, every stylesheet, script and image loaded.

        Fonts are checked on their own (test_no_font_fails_to_load).
        """
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"
        assert not self.page_errors, f"JavaScript errors: {self.page_errors}"
        assert not self.failed_assets, (
            f"Stylesheets, scripts or images failed to load: {self.failed_assets}"
        )


CSP_PATTERN = re.compile(
    r"Content Security Policy|Refused to (execute|apply|load|connect|frame)", re.I
)
ASSET_TYPES = {"stylesheet", "script", "image"}


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser: Any, live_server: Any, problems: PageProblems) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, watching the console for CSP violations."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_console(msg: Any) -> None:
        if msg.type != "error":
            return
        problems.console_errors.append(msg.text)
        if CSP_PATTERN.search(msg.text):
            problems.csp_violations.append(msg.text)

    def on_response(response: Any) -> None:
        kind = response.request.resource_type
        if response.status >= 400 and kind in ASSET_TYPES:
            problems.failed_assets.append(f"{response.status} {response.url}")
        elif response.status >= 400 and kind == "font":
            problems.failed_fonts.append(f"{response.status} {response.url}")

    def on_request_failed(request: Any) -> None:
        if request.resource_type in ASSET_TYPES:
            problems.failed_assets.append(f"{request.failure} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.page_errors.append(str(exc)))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    yield page
    context.close()
    # Every browser test is a CSP test, even one that forgets to call problems.assert_clean().
    if problems.csp_violations:
        pytest.fail(f"Content-Security-Policy violations: {problems.csp_violations}")


# --- data for the walk, built on the personas in tests/conftest.py -----------------------------


def load_event_taxonomy() -> None:
    """The default event types come from a data migration, which the flush after every
    live-server (transactional) test removes: put them back, exactly as the migration does."""
    from importlib import import_module

    from django.apps import apps

    import_module("hearth.chronology.migrations.0002_default_taxonomy").load(apps, None)


@dataclass
class Chronology:
    alice_home_visit: Any
    mandy_missed_appointment: Any
    ben_weight: Any
    ben_own_agency: Any


@pytest.fixture
def chronology(world: Any) -> Chronology:
    """Entries recorded by two agencies about Amy, her mother and her brother."""
    from hearth.chronology.models import EventType, SharingLevel
    from tests.factories.chronology import make_entry

    load_event_taxonomy()

    def kind(code: str) -> Any:
        return EventType.objects.get(code=code)

    return Chronology(
        alice_home_visit=make_entry(
            by=world.alice,
            subjects=[world.amy],
            event_type=kind("home-visit"),
            event_date=datetime.date(2025, 2, 1),
            description="Home visit: Amy seen alone in her bedroom; no bedding on the mattress.",
            impact_on_child="Amy sleeps on a bare mattress and says she is cold at night.",
        ),
        mandy_missed_appointment=make_entry(
            by=world.bob,
            subjects=[world.mandy],
            event_type=kind("missed-health-appointment"),
            event_date=datetime.date(2025, 1, 15),
            description="Mandy did not bring Ben to his 2-year review, the third missed appointment.",
            impact_on_child="Ben's development has not been checked since he was one.",
        ),
        ben_weight=make_entry(
            by=world.bob,
            subjects=[world.ben],
            event_type=kind("faltering-growth"),
            event_date=datetime.date(2024, 11, 20),
            description="Ben's weight has fallen from the 50th to the 9th centile.",
            impact_on_child="Ben may not be getting enough to eat.",
        ),
        ben_own_agency=make_entry(
            by=world.bob,
            subjects=[world.ben],
            event_type=kind("information-shared"),
            event_date=datetime.date(2024, 10, 1),
            description="Health visiting internal note only for health staff.",
            sharing_level=SharingLevel.OWN_AGENCY,
        ),
    )
