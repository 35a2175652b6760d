"""Fixtures of the review LMS tests: the sample course built once per session, one LMS per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.review.review_lms import RunningLms, build_sample, running_lms


@pytest.fixture(scope="session")
def sample_packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build_sample(tmp_path_factory.mktemp("review-build"), "scorm12,scorm2004,xapi,cmi5")


@pytest.fixture
def lms(tmp_path: Path) -> Iterator[RunningLms]:
    yield from running_lms(tmp_path / "review")
