"""Headless Debian Chromium for every browser test (tests/browser, tests/lrs): one per test session.

Debian's /usr/bin/chromium is used because Playwright's own browser download is not available here.
A missing prerequisite skips these tests on a developer machine (with the fix in the message) but
fails them in CI, where scripts/setup.sh must have installed everything. The ``chromium`` fixture is
declared once, in tests/conftest.py, so a session never starts two Playwright drivers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
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


def missing(what: str) -> NoReturn:
    message = f"{what}; run scripts/setup.sh"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium, shared by every browser test of the session (launch costs ~0.6 s)."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
