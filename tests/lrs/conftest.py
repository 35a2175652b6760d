"""Fixtures for the LRS tests: one LRS (uvicorn thread, SQLite file) per session, an httpx client on it.

The test that runs @learninglocker/xapi-validation over every stored statement is moved to the end of
this folder's tests, so it judges what all the others stored.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest
from lrs_harness import ThreadedLrs

LAST_MODULE = "test_lrs_stored_valid.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    last = [item for item in items if item.path.name == LAST_MODULE]
    items[:] = [item for item in items if item.path.name != LAST_MODULE] + last


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not installed (the @xapi/xapi and xapi-validation tests need it)", pytrace=False)
    return found


@pytest.fixture(scope="session")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedLrs]:
    server = ThreadedLrs(tmp_path_factory.mktemp("lrs") / "lrs.sqlite").start()
    yield server
    server.stop()


@pytest.fixture
def client(lrs: ThreadedLrs) -> Iterator[httpx.Client]:
    with lrs.client() as http:
        yield http
