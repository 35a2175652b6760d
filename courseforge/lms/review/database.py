"""The review LMS's SQLite database: users and their tokens, the packages published, learners' attempts.

It is the preview harness's store (:class:`courseforge.stages.preview.harness.store.HarnessStore`: what
each launch sends, SCORM commits and recorded calls, in ``launches``, ``commits`` and ``events``) with the
review LMS's own tables beside them (``review_*``), on its one connection behind its lock (uvicorn's thread
and a command's both use it), in WAL mode so a reader does not wait for a writer.

The xAPI and cmi5 sides' one embedded LRS keeps its tables in the same file (``lrs/sqlite.py``:
``statements``, ``documents``, ...; no name is shared with the tables here) on connections of its own: a
writer behind its lock and a reader per thread, WAL mode, and ``PRAGMA user_version`` is the LRS schema's
version (nothing here uses it: these tables are created if missing). Each connection's transactions are
short and none waits on the other's lock while it holds SQLite's write lock, so the two only queue briefly
for that lock (``busy_timeout``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from courseforge.lms.review.credentials import PasswordHash, hash_password, new_token, token_digest
from courseforge.lms.review.facts import PackageFacts
from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness.store import HarnessStore

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS review_users (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer')),
  salt BLOB, key BLOB, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS review_tokens (
  digest TEXT PRIMARY KEY, user INTEGER NOT NULL REFERENCES review_users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('api', 'session')), created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS review_packages (
  sha256 TEXT PRIMARY KEY, course TEXT NOT NULL, locale TEXT NOT NULL, format TEXT NOT NULL,
  version INTEGER NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, duration TEXT NOT NULL,
  objectives TEXT NOT NULL, launch TEXT NOT NULL, size INTEGER NOT NULL, published REAL NOT NULL,
  publisher TEXT NOT NULL, UNIQUE (course, locale, format, version));
CREATE TABLE IF NOT EXISTS review_attempts (
  package TEXT NOT NULL REFERENCES review_packages(sha256) ON DELETE CASCADE, unit TEXT NOT NULL,
  learner TEXT NOT NULL, number INTEGER NOT NULL, data TEXT NOT NULL, resumed INTEGER NOT NULL,
  fresh INTEGER NOT NULL, started REAL NOT NULL, PRIMARY KEY (package, unit, learner, number));
CREATE TABLE IF NOT EXISTS review_launches (
  id TEXT PRIMARY KEY, package TEXT NOT NULL, unit TEXT NOT NULL, learner TEXT NOT NULL,
  number INTEGER NOT NULL, opened REAL NOT NULL,
  FOREIGN KEY (package, unit, learner, number) REFERENCES review_attempts ON DELETE CASCADE);
"""


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class StoredPackage:
    """One published version of a course in one locale and format."""

    sha256: str
    facts: PackageFacts
    version: int
    size: int
    published: float
    """Seconds since the epoch."""
    publisher: str

    def to_json(self, base_url: str, created: bool | None = None) -> dict[str, Any]:
        """The API's package object (``created`` only in an upload's answer)."""
        facts = self.facts
        found: dict[str, Any] = {} if created is None else {"created": created}
        return {**found, "course": facts.course, "locale": facts.locale, "format": facts.format.value,
                "version": self.version, "sha256": self.sha256, "size": self.size,
                "url": f"{base_url}/versions/{self.sha256}", "title": facts.title,
                "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.published))}


@dataclass(frozen=True)
class AttemptRow:
    package: str
    unit: str
    learner: str
    number: int
    data: Mapping[str, Any]
    resumed: bool
    fresh: bool
    """Started by a reset: the next launch begins it from nothing."""
    started: float


class DuplicateUser(ValueError):
    pass


class ReviewDatabase(HarnessStore):
    """The harness store's launches, commits and events, and the review LMS's own tables, on one connection."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        with self._lock:
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.executescript(SCHEMA)

    def _rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    # ---------------------------------------------------------------- users and tokens

    def user_count(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM review_users")[0][0])

    def add_user(self, name: str, role: Role, password: str | None = None) -> tuple[User, str]:
        """A new user and its first API token (returned once, kept only hashed)."""
        secret = hash_password(password) if password else None
        token = new_token()
        try:
            with self._transaction() as db:
                cursor = db.execute("INSERT INTO review_users (name, role, salt, key, created) VALUES (?, ?, ?, ?, ?)",
                                    (name, role.value, secret and secret.salt, secret and secret.key, time.time()))
                user_id = int(cursor.lastrowid or 0)
                db.execute("INSERT INTO review_tokens VALUES (?, ?, 'api', ?)", (token_digest(token), user_id,
                                                                                 time.time()))
        except sqlite3.IntegrityError:
            raise DuplicateUser(f"a user named {name!r} already exists") from None
        return User(user_id, name, role), token

    def add_token(self, name: str, kind: str = "api") -> str:
        """Another token of an existing user (an API token, or a browser session)."""
        user = self.user_named(name)
        if user is None:
            raise LookupError(f"no user named {name!r}")
        token = new_token()
        with self._transaction() as db:
            db.execute("INSERT INTO review_tokens VALUES (?, ?, ?, ?)", (token_digest(token), user.id, kind,
                                                                         time.time()))
        return token

    def drop_token(self, token: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM review_tokens WHERE digest = ?", (token_digest(token),))

    def user_named(self, name: str) -> User | None:
        found = self._rows("SELECT id, name, role FROM review_users WHERE name = ?", (name,))
        return User(found[0][0], found[0][1], Role(found[0][2])) if found else None

    def user_of_token(self, token: str, kind: str = "api", max_age_s: float | None = None) -> User | None:
        """The user a token belongs to; with ``max_age_s``, only a token younger than that (a browser session)."""
        oldest = 0.0 if max_age_s is None else time.time() - max_age_s
        found = self._rows("SELECT u.id, u.name, u.role FROM review_tokens t JOIN review_users u ON t.user = u.id "
                           "WHERE t.digest = ? AND t.kind = ? AND t.created >= ?", (token_digest(token), kind, oldest))
        return User(found[0][0], found[0][1], Role(found[0][2])) if found else None

    def password_of(self, name: str) -> tuple[User, PasswordHash] | None:
        found = self._rows("SELECT id, name, role, salt, key FROM review_users WHERE name = ?", (name,))
        if not found or found[0][3] is None:
            return None
        row = found[0]
        return User(row[0], row[1], Role(row[2])), PasswordHash(bytes(row[3]), bytes(row[4]))

    # ---------------------------------------------------------------- packages

    def insert_package(self, sha256: str, facts: PackageFacts, size: int, publisher: str) -> tuple[StoredPackage, bool]:
        """The package as stored, and whether it is new: a known sha256 is answered with the stored row; a new
        one becomes the next version of its (course, locale, format)."""
        with self._transaction() as db:
            known = db.execute(f"{PACKAGE_SELECT} WHERE sha256 = ?", (sha256,)).fetchone()
            if known is not None:
                return _package(known), False
            last = db.execute("SELECT MAX(version) FROM review_packages WHERE course = ? AND locale = ? AND format = ?",
                              (facts.course, facts.locale, facts.format.value)).fetchone()[0]
            stored = StoredPackage(sha256, facts, int(last or 0) + 1, size, time.time(), publisher)
            db.execute("INSERT INTO review_packages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (sha256, facts.course, facts.locale, facts.format.value, stored.version, facts.title,
                        facts.description, facts.duration, json.dumps(list(facts.objectives)), facts.launch, size,
                        stored.published, publisher))
        return stored, True

    def package(self, sha256: str) -> StoredPackage | None:
        found = self._rows(f"{PACKAGE_SELECT} WHERE sha256 = ?", (sha256,))
        return _package(found[0]) if found else None

    def packages(self) -> list[StoredPackage]:
        """Every version, by course, locale, format, newest version first."""
        return [_package(row) for row in self._rows(f"{PACKAGE_SELECT} ORDER BY title, course, locale, format, "
                                                    "version DESC")]

    def delete_package(self, sha256: str) -> bool:
        """Remove a version with its attempts and everything its launches sent."""
        with self._transaction() as db:
            launches = "SELECT id FROM launches WHERE package = ?"
            db.execute(f"DELETE FROM events WHERE launch IN ({launches})", (sha256,))
            db.execute(f"DELETE FROM commits WHERE launch IN ({launches})", (sha256,))
            db.execute("DELETE FROM launches WHERE package = ?", (sha256,))
            return db.execute("DELETE FROM review_packages WHERE sha256 = ?", (sha256,)).rowcount > 0

    # ---------------------------------------------------------------- attempts

    def latest_attempt(self, package: str, unit: str, learner: str) -> AttemptRow | None:
        found = self._rows(f"{ATTEMPT_SELECT} WHERE package = ? AND unit = ? AND learner = ? ORDER BY number DESC "
                           "LIMIT 1", (package, unit, learner))
        return _attempt(found[0]) if found else None

    def attempts(self, package: str, learner: str | None = None) -> list[AttemptRow]:
        if learner is None:
            rows = self._rows(f"{ATTEMPT_SELECT} WHERE package = ? ORDER BY learner, unit, number", (package,))
        else:
            rows = self._rows(f"{ATTEMPT_SELECT} WHERE package = ? AND learner = ? ORDER BY unit, number",
                              (package, learner))
        return [_attempt(row) for row in rows]

    def record_launch(self, launch_id: str, attempt: AttemptRow) -> None:
        """The attempt a launch belongs to, written (new, or its data updated) with the launch in one step."""
        with self._transaction() as db:
            db.execute("INSERT INTO review_attempts VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO UPDATE SET "
                       "data = excluded.data, resumed = excluded.resumed, fresh = 0",
                       (attempt.package, attempt.unit, attempt.learner, attempt.number, json.dumps(dict(attempt.data)),
                        int(attempt.resumed), attempt.started))
            db.execute("INSERT INTO review_launches VALUES (?, ?, ?, ?, ?, ?)",
                       (launch_id, attempt.package, attempt.unit, attempt.learner, attempt.number, time.time()))

    def reset_attempt(self, package: str, unit: str, learner: str) -> int:
        """Start a new attempt (the earlier ones kept); its number."""
        with self._transaction() as db:
            last = db.execute("SELECT MAX(number) FROM review_attempts WHERE package = ? AND unit = ? AND learner = ?",
                              (package, unit, learner)).fetchone()[0]
            number = int(last or 0) + 1
            db.execute("INSERT INTO review_attempts VALUES (?, ?, ?, ?, '{}', 0, 1, ?)",
                       (package, unit, learner, number, time.time()))
        return number

    def launches_of(self, attempt: AttemptRow) -> list[str]:
        rows = self._rows("SELECT id FROM review_launches WHERE package = ? AND unit = ? AND learner = ? "
                          "AND number = ? ORDER BY opened",
                          (attempt.package, attempt.unit, attempt.learner, attempt.number))
        return [row[0] for row in rows]

    def learners(self, package: str) -> list[str]:
        return [row[0] for row in self._rows("SELECT DISTINCT learner FROM review_attempts WHERE package = ? "
                                             "ORDER BY learner", (package,))]


PACKAGE_SELECT = ("SELECT sha256, course, locale, format, version, title, description, duration, objectives, launch, "
                  "size, published, publisher FROM review_packages")
ATTEMPT_SELECT = "SELECT package, unit, learner, number, data, resumed, fresh, started FROM review_attempts"


def _package(row: tuple[Any, ...]) -> StoredPackage:
    facts = PackageFacts(format=PackageFormat(row[3]), course=row[1], locale=row[2], title=row[5], description=row[6],
                         duration=row[7], objectives=tuple(json.loads(row[8])), launch=row[9])
    return StoredPackage(row[0], facts, int(row[4]), int(row[10]), float(row[11]), row[12])


def _attempt(row: tuple[Any, ...]) -> AttemptRow:
    return AttemptRow(row[0], row[1], row[2], int(row[3]), json.loads(row[4]), bool(row[5]), bool(row[6]),
                      float(row[7]))
