"""Fixtures for the browser tests: the packaged test LMS (one server per test session) and a fresh
browser context per test.

The ``chromium`` fixture (Debian's /usr/bin/chromium) is declared in tests/conftest.py, shared with
the cmi5 and preview browser tests; a missing prerequisite skips on a developer machine and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lms import ScormSession
from playwright.sync_api import Browser

from courseforge.stages.preview.harness import PreviewServer, RuntimeMissing, find_runtime
from tests.chromium import missing as _missing


@pytest.fixture(scope="session")
def lms_server() -> Iterator[PreviewServer]:
    """The test LMS on 127.0.0.1: ``.base_url`` and ``.root`` (the served temp folder)."""
    try:
        runtime = find_runtime()
    except RuntimeMissing as error:
        _missing(str(error).splitlines()[0])
    with PreviewServer(runtime) as server:
        yield server


@pytest.fixture
def scorm_session(chromium: Browser, lms_server: PreviewServer) -> Iterator[ScormSession]:
    """A SCORM 1.2 learner session in its own browser context (no state shared between tests)."""
    context = chromium.new_context()
    session = ScormSession(context, lms_server)
    yield session
    session.close()
    context.close()
