"""Fixtures for the browser tests: the packaged test LMS (one server per test session), a fresh browser
context per test and the independent xAPI statement validator.

The ``chromium`` fixture (Debian's /usr/bin/chromium) is declared in tests/conftest.py, shared with
the cmi5 and preview browser tests; a missing prerequisite skips on a developer machine and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lms import ScormSession
from playwright.sync_api import Browser, BrowserContext

from courseforge.stages.preview.harness import PreviewServer, RuntimeMissing, find_runtime
from courseforge.stages.preview.harness.plugins.xapi_statements import StatementValidator, ValidatorMissing
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


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """A browser context of the test's own (a module may define its own, e.g. with a seeded Math.random)."""
    context = chromium.new_context()
    yield context
    context.close()


@pytest.fixture(scope="module")
def validator() -> StatementValidator:
    """@learninglocker/xapi-validation (run by node), or the missing prerequisite reported."""
    try:
        return StatementValidator.find()
    except ValidatorMissing as error:
        _missing(str(error).splitlines()[0])
