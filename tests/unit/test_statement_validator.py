"""The xAPI statement validator the preview's rules run is the one the run's LMS runtime found
(``LmsRuntime.xapi_validation``), handed down explicitly, not looked up again through the environment."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from courseforge.stages.preview.harness.plugins.xapi_statements import StatementValidator, validator_for
from courseforge.stages.preview.harness.runtime import (
    XAPI_VALIDATION,
    FoundFile,
    LmsRuntime,
    RuntimeMissing,
    find_runtime,
)
from tests.chromium import missing

STATEMENT = {"id": "6f1c1b4e-2c1d-4c59-9d7f-6a3f3c1d2e10", "actor": {"mbox": "mailto:learner@example.com"},
             "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
             "object": {"id": "https://courses.example.com/course"}}


@pytest.fixture(scope="module")
def runtime() -> LmsRuntime:
    try:
        return find_runtime()
    except RuntimeMissing as error:
        missing(str(error).splitlines()[0])


def usable(found: StatementValidator | str) -> StatementValidator:
    if isinstance(found, str):
        missing(found.splitlines()[0])
    return found


def test_the_rules_validator_is_the_runtimes_own(runtime: LmsRuntime) -> None:
    validator = usable(validator_for(runtime))
    assert validator.node_modules == runtime.xapi_validation.node_modules
    assert validator.validate([STATEMENT]) == ()
    assert validator.validate([{**STATEMENT, "verb": {"id": "experienced"}}])  # it really judges


def test_a_runtime_elsewhere_is_followed_not_looked_up_again(runtime: LmsRuntime, tmp_path: Path) -> None:
    """A runtime naming another folder gets that folder's validator, though the usual lookup would find one."""
    node_modules = tmp_path / "node_modules"
    elsewhere = replace(runtime, xapi_validation=FoundFile(
        XAPI_VALIDATION, node_modules / XAPI_VALIDATION.name / XAPI_VALIDATION.file, "--lms-runtime"))
    validator = usable(validator_for(elsewhere))
    assert validator.node_modules == node_modules
    with pytest.raises(RuntimeError, match=XAPI_VALIDATION.name):  # nothing there: node cannot load it
        validator.validate([STATEMENT])

