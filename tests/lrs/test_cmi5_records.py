"""The cmi5 LMS's record book: an LMS started again on the same LRS and records (real SQLite files: the LRS's,
and a harness store's side records as the review LMS keeps them) knows its registrations and earlier sessions.
A launch after the restart abandons the session left open, writes LaunchData and a launched statement for a
new session and hands out a new one-time fetch token; the old ticket is not honoured. A token fetched before
the restart still authenticates its AU until its session is abandoned, and an abandoned session's stays
refused. With the default book (memory) the registration is unknown after a restart, which is what the book
is for."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from courseforge.lms.cmi5.app import Cmi5Host, create_cmi5_host
from courseforge.lms.cmi5.launch import Learner
from courseforge.lms.cmi5.records import RecordBook
from courseforge.lms.cmi5.service import Cmi5Error
from courseforge.lms.cmi5.structure import CourseStructure, parse_course_structure
from courseforge.lms.cmi5.vocabulary import EXT_SESSION_ID
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.store import StatementQuery, open_store
from courseforge.stages.preview.harness.store import HarnessStore, SideRecords
from tests.lrs.cmi5_au.au_client import QUIZ

COURSE_XML = Path(__file__).parent / "cmi5_au" / "cmi5.xml"
BASE_URL = "http://127.0.0.1:9"
"""Where the LMS says it is served: nothing is requested here, the LMS is called in process."""
LEARNER = Learner("https://courseforge.example/learners", "ann")


@pytest.fixture(scope="module")
def course() -> CourseStructure:
    return parse_course_structure(COURSE_XML.read_bytes())


@contextmanager
def lms_on(folder: Path, course: CourseStructure, kept: bool = True) -> Iterator[Cmi5Host]:
    """One LMS process's worth: the LRS file and (``kept``) the harness store's side records under ``folder``."""
    store = open_store(folder / "lrs.sqlite")
    harness = HarnessStore(folder / "lms.sqlite")
    records: RecordBook | None = SideRecords(harness, "cmi5-lms") if kept else None
    host = create_cmi5_host(store, StaticCredentials({}), base_url=BASE_URL, records=records)
    host.lms.add_course(course, f"{BASE_URL}/packages/test/")
    try:
        yield host
    finally:
        store.close()
        harness.close()


def ticket(fetch_url: str) -> str:
    return fetch_url.rsplit("/", 1)[-1]


def verbs_by_session(host: Cmi5Host, registration: str) -> list[tuple[str, str]]:
    page = host.lms.store.query_statements(StatementQuery(registration=registration, ascending=True), None, 100)
    found = [json.loads(stored.json) for stored in page.statements]
    return [(s["verb"]["id"].rsplit("/", 1)[-1], s["context"]["extensions"].get(EXT_SESSION_ID, "")) for s in found]


def test_a_registration_launches_again_after_a_restart(tmp_path: Path, course: CourseStructure) -> None:
    with lms_on(tmp_path, course) as first:
        registration = first.lms.register(course.id, LEARNER).id
        before = first.lms.launch(registration, QUIZ)
        assert "auth-token" in first.lms.fetch(ticket(before.fetch_url)).body
    with lms_on(tmp_path, course) as again:
        after = again.lms.launch(registration, QUIZ)
        old, new = str(before.session.session_id), str(after.session.session_id)
        assert old != new and after.fetch_url != before.fetch_url
        assert verbs_by_session(again, str(registration))[-3:] == [("launched", old), ("abandoned", old),
                                                                   ("launched", new)]
        assert again.lms.fetch(ticket(before.fetch_url)).body["error-code"] == "2"
        assert "auth-token" in again.lms.fetch(ticket(after.fetch_url)).body
        assert again.lms.fetch(ticket(after.fetch_url)).body["error-code"] == "1"
        ledger = again.lms.ledger(registration)
        assert ledger.sessions[before.session.session_id].abandoned
        assert ledger.sessions[after.session.session_id].open


def test_without_a_kept_book_the_registration_is_gone_after_a_restart(tmp_path: Path,
                                                                       course: CourseStructure) -> None:
    with lms_on(tmp_path, course, kept=False) as first:
        registration = first.lms.register(course.id, LEARNER).id
        first.lms.launch(registration, QUIZ)
    with lms_on(tmp_path, course, kept=False) as again, pytest.raises(Cmi5Error, match="unknown registration"):
        again.lms.launch(registration, QUIZ)


def client_of(host: Cmi5Host, fetch_url: str) -> tuple[str, str]:
    """The fetch's auth-token as the LRS's Basic key and secret."""
    token = str(host.lms.fetch(ticket(fetch_url)).body["auth-token"])
    key, secret = base64.b64decode(token).decode().split(":", 1)
    return key, secret


def test_a_token_fetched_before_a_restart_lasts_as_long_as_its_session(tmp_path: Path,
                                                                       course: CourseStructure) -> None:
    with lms_on(tmp_path, course) as first:
        registration = first.lms.register(course.id, LEARNER).id
        abandoned = client_of(first, first.lms.launch(registration, QUIZ).fetch_url)
        running = client_of(first, first.lms.launch(registration, QUIZ).fetch_url)  # abandons the first
        assert first.lms.credentials.authenticate(*abandoned) is None
    with lms_on(tmp_path, course) as again:
        client = again.lms.credentials.authenticate(*running)
        assert client is not None and client.key == running[0]
        assert again.lms.credentials.authenticate(running[0], running[1] + "x") is None
        assert again.lms.credentials.authenticate(*abandoned) is None
        again.lms.launch(registration, QUIZ)  # the running session is abandoned now
        assert again.lms.credentials.authenticate(*running) is None
    with lms_on(tmp_path, course) as third:
        assert third.lms.credentials.authenticate(*running) is None
    with closing(sqlite3.connect(tmp_path / "lms.sqlite")) as db:
        kept = " ".join(row[0] for row in db.execute("SELECT value FROM side_records WHERE kind = 'client'"))
    assert running[1] not in kept and abandoned[1] not in kept
