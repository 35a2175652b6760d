"""Fixtures for the preview tests: one packaged test LMS per test session, one browser context per module.

The ``chromium`` fixture is tests/conftest.py's (one Playwright driver for the whole session). A test
LMS needs scorm-again and axe-core from npm: missing, these tests skip on a developer machine with the
fix in the message, and fail in CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from courseforge.stages.preview.harness import PreviewServer, RuntimeMissing, find_runtime
from tests.chromium import missing


@pytest.fixture(scope="session")
def preview_server() -> Iterator[PreviewServer]:
    try:
        runtime = find_runtime()
    except RuntimeMissing as error:
        missing(str(error).splitlines()[0])
    with PreviewServer(runtime) as server:
        yield server


@pytest.fixture(scope="module")
def preview_context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context()
    yield context
    context.close()
