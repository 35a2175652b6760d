"""Fixtures for the browser tests: one local LMS server and one Chromium per test session, a fresh
browser context per test.

The ``chromium`` fixture (Debian's /usr/bin/chromium) is declared in tests/conftest.py, shared with
the cmi5 browser test; a missing prerequisite skips on a developer machine and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lms import SCORM_AGAIN, LmsServer, ScormSession
from playwright.sync_api import Browser

from tests.chromium import missing as _missing


@pytest.fixture(scope="session")
def lms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LmsServer]:
    """The LMS web server on 127.0.0.1: ``.base_url`` and ``.root`` (the served temp folder)."""
    if not SCORM_AGAIN.is_file():
        _missing(f"scorm-again not installed ({SCORM_AGAIN} missing)")
    server = LmsServer(tmp_path_factory.mktemp("lms-root"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def scorm_session(chromium: Browser, lms_server: LmsServer) -> Iterator[ScormSession]:
    """A SCORM 1.2 learner session in its own browser context (no state shared between tests)."""
    context = chromium.new_context()
    session = ScormSession(context, lms_server)
    yield session
    session.close()
    context.close()
