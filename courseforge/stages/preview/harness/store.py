"""The test LMS's memory: launches, every commit and every recorded event, in one SQLite file.

Written by the server's request handlers (uvicorn's thread), read by the session (the caller's
thread), hence one connection behind a lock. Events come from the LMS page (the API calls it recorded,
numbered by the page) or from the server (what a plug-in's LRS stored, :meth:`HarnessStore.note`); a
launch's events are read back in time order. A host-page API's record (SCORM) is kept per learner +
package + unit + attempt: each launch belongs to one attempt, and the record of an attempt is its last
commit. An LMS side's own memory of its launches (a cmi5 registration, an xAPI launch's actor) is kept in
``side_records`` (:class:`SideRecords`), so a store that outlasts its server (the review LMS's database)
lets the next server's sides read what the earlier one's launched.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courseforge.model.preview import ApiEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS launches (
  id TEXT PRIMARY KEY, package TEXT NOT NULL, sco TEXT NOT NULL, learner TEXT NOT NULL,
  attempt INTEGER NOT NULL, profile TEXT NOT NULL, config TEXT NOT NULL, opened REAL NOT NULL);
CREATE TABLE IF NOT EXISTS commits (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, launch TEXT NOT NULL REFERENCES launches(id),
  terminate INTEGER NOT NULL, cmi TEXT NOT NULL, received REAL NOT NULL, stored REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  launch TEXT NOT NULL REFERENCES launches(id), source TEXT NOT NULL, seq INTEGER NOT NULL, at_ms REAL NOT NULL,
  method TEXT NOT NULL, arguments TEXT NOT NULL, result TEXT, error TEXT NOT NULL,
  PRIMARY KEY (launch, source, seq));
CREATE TABLE IF NOT EXISTS not_found (path TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS side_records (
  side TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (side, kind, key));
"""
PAGE = "page"
SERVER = "server"


@dataclass(frozen=True)
class Commit:
    """One commit the content's LMS API posted: the learner record as the LMS stores it."""

    launch: str
    terminate: bool
    """True for the commit LMSFinish makes."""
    cmi: Mapping[str, Any]
    """The nested data model (``{"core": {"lesson_status": ...}, "suspend_data": ...}``)."""
    received_s: float
    """Seconds after the launch was opened that the request arrived."""
    stored_s: float
    """Seconds after the launch was opened that it was stored (later than received under ``slow``)."""


@dataclass(frozen=True)
class LaunchRow:
    id: str
    package: str
    sco: str
    learner: str
    attempt: int
    profile: str
    config: Mapping[str, Any]
    opened: float


class HarnessStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_launch(self, row: LaunchRow) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO launches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (row.id, row.package, row.sco, row.learner, row.attempt, row.profile,
                        json.dumps(row.config), row.opened))

    def launch(self, launch_id: str) -> LaunchRow | None:
        with self._lock:
            found = self._db.execute("SELECT * FROM launches WHERE id = ?", (launch_id,)).fetchone()
        return None if found is None else _launch_row(found)

    def last_launch(self, package: str, sco: str, learner: str) -> LaunchRow | None:
        """The learner's latest launch of this SCO, whichever session made it."""
        with self._lock:
            found = self._db.execute("SELECT * FROM launches WHERE package = ? AND sco = ? AND learner = ? "
                                     "ORDER BY rowid DESC LIMIT 1", (package, sco, learner)).fetchone()
        return None if found is None else _launch_row(found)

    def add_commit(self, launch: LaunchRow, terminate: bool, cmi: Mapping[str, Any], received: float) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO commits (launch, terminate, cmi, received, stored) VALUES (?, ?, ?, ?, ?)",
                       (launch.id, int(terminate), json.dumps(cmi), received - launch.opened,
                        time.time() - launch.opened))

    def commits(self, launch_id: str) -> tuple[Commit, ...]:
        with self._lock:
            rows = self._db.execute("SELECT launch, terminate, cmi, received, stored FROM commits "
                                    "WHERE launch = ? ORDER BY seq", (launch_id,)).fetchall()
        return tuple(Commit(r[0], bool(r[1]), json.loads(r[2]), float(r[3]), float(r[4])) for r in rows)

    def attempt_commits(self, package: str, sco: str, learner: str, attempt: int) -> tuple[Commit, ...]:
        """Every commit of one attempt, across its launches, in arrival order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.launch, c.terminate, c.cmi, c.received, c.stored FROM commits c JOIN launches l "
                "ON c.launch = l.id WHERE l.package = ? AND l.sco = ? AND l.learner = ? AND l.attempt = ? "
                "ORDER BY c.seq", (package, sco, learner, attempt)).fetchall()
        return tuple(Commit(r[0], bool(r[1]), json.loads(r[2]), float(r[3]), float(r[4])) for r in rows)

    def add_events(self, launch_id: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Recorded calls from the host page; a batch sent twice (a beacon after a fetch) is kept once."""
        rows = [(launch_id, PAGE, int(e["seq"]), float(e["at_ms"]), str(e["method"]),
                 json.dumps([str(a) for a in e.get("args") or []]),
                 None if e.get("result") is None else str(e["result"]), str(e.get("error", "0")))
                for e in events]
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def note(self, launch_id: str, method: str, arguments: Sequence[str], result: str | None,
             error: str = "0") -> None:
        """One event the server saw (a statement or state write), timed now, after the launch's earlier ones."""
        with self._transaction() as db:
            opened = db.execute("SELECT opened FROM launches WHERE id = ?", (launch_id,)).fetchone()
            if opened is None:
                raise LookupError(f"unknown launch {launch_id!r}")
            at_ms = (time.time() - float(opened[0])) * 1000
            last = db.execute("SELECT MAX(seq), MAX(at_ms) FROM events WHERE launch = ? AND source = ?",
                              (launch_id, SERVER)).fetchone()
            seq = 0 if last[0] is None else int(last[0]) + 1
            at_ms = max(at_ms, float(last[1])) if last[1] is not None else at_ms
            db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (launch_id, SERVER, seq, at_ms, method, json.dumps([str(a) for a in arguments]),
                        result, error))

    def events(self, launch_id: str) -> tuple[ApiEvent, ...]:
        with self._lock:
            rows = self._db.execute("SELECT at_ms, method, arguments, result, error FROM events WHERE launch = ? "
                                    "ORDER BY at_ms, source, seq", (launch_id,)).fetchall()
        return tuple(ApiEvent(at_ms=float(r[0]), method=r[1], arguments=tuple(json.loads(r[2])),
                              result="null" if r[3] is None else r[3], error=r[4]) for r in rows)

    def put_side_record(self, side: str, kind: str, key: str, value: Mapping[str, Any]) -> None:
        """Write (or overwrite, keeping its place in the order) one record of an LMS side."""
        with self._transaction() as db:
            db.execute("INSERT INTO side_records VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                       (side, kind, key, json.dumps(value)))

    def side_records(self, side: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every record of one kind of an LMS side, in the order they were first written."""
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM side_records WHERE side = ? AND kind = ? ORDER BY rowid",
                                    (side, kind)).fetchall()
        return [(str(r[0]), json.loads(r[1])) for r in rows]

    def add_not_found(self, path: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO not_found VALUES (?)", (path,))

    def not_found(self, prefix: str = "/") -> tuple[str, ...]:
        with self._lock:
            rows = self._db.execute("SELECT path FROM not_found ORDER BY rowid").fetchall()
        return tuple(r[0] for r in rows if r[0].startswith(prefix))


def _launch_row(found: tuple[Any, ...]) -> LaunchRow:
    return LaunchRow(found[0], found[1], found[2], found[3], int(found[4]), found[5], json.loads(found[6]),
                     float(found[7]))


@dataclass(frozen=True)
class SideRecords:
    """One LMS side's records in a harness store (``courseforge.lms.cmi5.records.RecordBook``)."""

    store: HarnessStore
    side: str

    def put(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        self.store.put_side_record(self.side, kind, key, value)

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return self.store.side_records(self.side, kind)
