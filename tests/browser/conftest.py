"""Fixtures for the browser tests: one local LMS server and one Chromium per test session, a fresh
browser context per test.

Debian's /usr/bin/chromium is used because Playwright's own browser download is not available here.
A missing prerequisite skips these tests on a developer machine (with the fix in the message) but
fails them in CI, where scripts/setup.sh must have installed everything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from lms import SCORM_AGAIN, LmsServer, ScormSession
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Without these Chromium keeps trying to reach the network (closed here) and to use a GPU.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _missing(what: str) -> NoReturn:
    message = f"{what}; run scripts/setup.sh"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def lms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LmsServer]:
    """The LMS web server on 127.0.0.1: ``.base_url`` and ``.root`` (the served temp folder)."""
    if not SCORM_AGAIN.is_file():
        _missing(f"scorm-again not installed ({SCORM_AGAIN} missing)")
    server = LmsServer(tmp_path_factory.mktemp("lms-root"))
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium, shared by every browser test of the session (launch costs ~0.6 s)."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def scorm_session(chromium: Browser, lms_server: LmsServer) -> Iterator[ScormSession]:
    """A SCORM 1.2 learner session in its own browser context (no state shared between tests)."""
    context = chromium.new_context()
    session = ScormSession(context, lms_server)
    yield session
    session.close()
    context.close()
