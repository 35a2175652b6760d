"""SQLite implementation of ``LrsStore``: WAL mode, one writer connection behind a lock, one reader
connection per thread, schema versioned with ``PRAGMA user_version`` and migrated on open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from courseforge.lms.lrs.documents import Document, DocumentContent, DocumentKey, DocumentScope, etag_of
from courseforge.lms.lrs.indexing import StatementIndex, index_statement
from courseforge.lms.lrs.store import (
    Attachment,
    Cursor,
    LrsStore,
    NewStatement,
    SaveResult,
    StatementConflict,
    StatementPage,
    StatementQuery,
    StoredStatement,
    VoidingRejected,
)
from courseforge.lms.lrs.timestamps import iso_from_us, now_us

MIGRATIONS: tuple[str, ...] = (
    # 1: statements with their index rows, attachments, activity definitions, agent names, documents.
    """
    CREATE TABLE statements (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        body TEXT NOT NULL,
        stored_us INTEGER NOT NULL,
        verb_id TEXT NOT NULL,
        registration TEXT,
        ref_target TEXT,
        voiding INTEGER NOT NULL,
        voided INTEGER NOT NULL DEFAULT 0,
        attachments TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX statements_verb ON statements (verb_id, seq);
    CREATE INDEX statements_registration ON statements (registration, seq);
    CREATE INDEX statements_ref_target ON statements (ref_target);
    CREATE INDEX statements_stored ON statements (stored_us);
    CREATE TABLE statement_agents (
        agent TEXT NOT NULL, related INTEGER NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (agent, related, seq)) WITHOUT ROWID;
    CREATE TABLE statement_activities (
        activity TEXT NOT NULL, related INTEGER NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (activity, related, seq)) WITHOUT ROWID;
    CREATE TABLE attachments (sha2 TEXT PRIMARY KEY, content_type TEXT NOT NULL, content BLOB NOT NULL);
    CREATE TABLE activities (id TEXT PRIMARY KEY, definition TEXT NOT NULL);
    CREATE TABLE agent_names (agent TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (agent, name)) WITHOUT ROWID;
    CREATE TABLE documents (
        kind TEXT NOT NULL, activity_id TEXT NOT NULL, agent TEXT NOT NULL, registration TEXT NOT NULL,
        document_id TEXT NOT NULL, content BLOB NOT NULL, content_type TEXT NOT NULL, etag TEXT NOT NULL,
        updated_us INTEGER NOT NULL,
        PRIMARY KEY (kind, activity_id, agent, registration, document_id));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
LANGUAGE_MAPS = ("name", "description")


class SchemaTooNew(RuntimeError):
    """The database was written by a newer courseforge: refuse rather than misread it."""


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations the database has not seen, each in its own transaction; return the version."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"database schema version {version} is newer than this courseforge ({SCHEMA_VERSION})")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for sql in MIGRATIONS[number - 1].split(";"):
                if sql.strip():
                    connection.execute(sql)
            connection.execute(f"PRAGMA user_version={number}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def merge_definition(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """Later properties win, language maps are merged language by language."""
    result = dict(old or {})
    for name, value in new.items():
        if name in LANGUAGE_MAPS and isinstance(value, Mapping) and isinstance(result.get(name), Mapping):
            result[name] = {**result[name], **value}
        else:
            result[name] = value
    return result


def _row_statement(row: sqlite3.Row | tuple[Any, ...]) -> StoredStatement:
    seq, statement_id, body, stored_us, voided, hashes = row
    return StoredStatement(seq, statement_id, body, stored_us, bool(voided), tuple(hashes.split()) if hashes else ())


STATEMENT_COLUMNS = "seq, id, body, stored_us, voided, attachments"


class SqliteStore(LrsStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = _connect(path)
        try:
            self.schema_version = migrate(self._writer)
        except BaseException:
            self._writer.close()
            raise
        self._lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._inflight_us: int | None = None
        row = self._writer.execute("SELECT MAX(stored_us) FROM statements").fetchone()
        self._last_stored_us = int(row[0] or 0)

    # connections ---------------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = _connect(self.path)
            self._local.connection = connection
            with self._lock:
                self._readers.append(connection)
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
                self._writer.execute("COMMIT")
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            finally:
                self._inflight_us = None

    def close(self) -> None:
        with self._lock:
            for connection in self._readers:
                connection.close()
            self._readers.clear()
            self._writer.close()

    # statements ----------------------------------------------------------------------------------
    def save_statements(self, statements: Sequence[NewStatement], attachments: Sequence[Attachment] = ()) \
            -> SaveResult:
        with self._transaction() as db:
            stored_us = max(now_us(), self._last_stored_us + 1)
            self._inflight_us = stored_us
            stored = iso_from_us(stored_us)
            inserted = sum(self._insert(db, statement, stored, stored_us) for statement in statements)
            db.executemany("INSERT OR IGNORE INTO attachments (sha2, content_type, content) VALUES (?, ?, ?)",
                           [(item.sha2, item.content_type, item.content) for item in attachments])
            self._last_stored_us = stored_us
        return SaveResult(tuple(statement.id for statement in statements), stored, inserted)

    def _insert(self, db: sqlite3.Connection, new: NewStatement, stored: str, stored_us: int) -> bool:
        key = new.id.lower()
        existing = db.execute("SELECT fingerprint FROM statements WHERE id = ?", (key,)).fetchone()
        if existing is not None:
            if existing[0] != new.fingerprint:
                raise StatementConflict(f"statement {new.id} already exists with different content")
            return False
        index = index_statement(new.statement)
        self._check_voiding(db, key, index)
        body = json.dumps({"timestamp": stored, **new.statement, "stored": stored}, ensure_ascii=False,
                          separators=(",", ":"))
        hashes = " ".join(sorted({str(item["sha2"]) for item in new.statement.get("attachments", ())}))
        seq = db.execute(
            "INSERT INTO statements (id, fingerprint, body, stored_us, verb_id, registration, ref_target, voiding,"
            " voided, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, EXISTS (SELECT 1 FROM statements WHERE"
            " ref_target = ? AND voiding = 1), ?)",
            (key, new.fingerprint, body, stored_us, index.verb_id, index.registration, index.ref_target,
             index.voiding, key, hashes)).lastrowid
        if index.voiding:
            db.execute("UPDATE statements SET voided = 1 WHERE id = ?", (index.ref_target,))
        self._insert_index(db, int(seq or 0), index)
        return True

    @staticmethod
    def _check_voiding(db: sqlite3.Connection, key: str, index: StatementIndex) -> None:
        """A voiding statement may not target a voiding statement, whichever of the two arrives first."""
        if not index.voiding:
            return
        target = db.execute("SELECT voiding FROM statements WHERE id = ?", (index.ref_target,)).fetchone()
        voided_by = db.execute("SELECT 1 FROM statements WHERE ref_target = ? AND voiding = 1", (key,)).fetchone()
        if (target is not None and target[0]) or voided_by is not None:
            culprit = index.ref_target if target is not None and target[0] else key
            raise VoidingRejected(f"statement {culprit} is a voiding statement and cannot be voided")

    @staticmethod
    def _insert_index(db: sqlite3.Connection, seq: int, index: StatementIndex) -> None:
        db.executemany("INSERT OR IGNORE INTO statement_agents (agent, related, seq) VALUES (?, ?, ?)",
                       [(agent, related, seq) for agent, related in index.agents])
        db.executemany("INSERT OR IGNORE INTO statement_activities (activity, related, seq) VALUES (?, ?, ?)",
                       [(activity, related, seq) for activity, related in index.activities])
        db.executemany("INSERT OR IGNORE INTO agent_names (agent, name) VALUES (?, ?)", sorted(index.names))
        for activity_id, definition in index.definitions:
            row = db.execute("SELECT definition FROM activities WHERE id = ?", (activity_id,)).fetchone()
            combined = merge_definition(json.loads(row[0]) if row else None, definition)
            db.execute("INSERT OR REPLACE INTO activities (id, definition) VALUES (?, ?)",
                       (activity_id, json.dumps(combined, ensure_ascii=False)))

    def get_statement(self, statement_id: str) -> StoredStatement | None:
        row = self._reader().execute(f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE id = ?",
                                     (statement_id.lower(),)).fetchone()
        return _row_statement(row) if row else None

    def query_statements(self, query: StatementQuery, cursor: Cursor | None, page_size: int) -> StatementPage:
        db = self._reader()
        db.execute("BEGIN")
        try:
            bound = cursor.bound_seq if cursor else int(db.execute("SELECT IFNULL(MAX(seq), 0) FROM statements")
                                                        .fetchone()[0])
            rows = self._page_rows(db, query, Cursor(bound, cursor.after_seq if cursor else None), page_size)
        finally:
            db.execute("COMMIT")
        statements = tuple(_row_statement(row) for row in rows[:page_size])
        more = len(rows) > page_size
        return StatementPage(statements, Cursor(bound, statements[-1].seq) if more else None)

    @staticmethod
    def _page_rows(db: sqlite3.Connection, query: StatementQuery, cursor: Cursor, page_size: int) \
            -> list[tuple[Any, ...]]:
        bounds = ["voided = 0", "seq <= ?"]
        bound_args: list[Any] = [cursor.bound_seq]
        if cursor.after_seq is not None:
            bounds.append("seq > ?" if query.ascending else "seq < ?")
            bound_args.append(cursor.after_seq)
        if query.since_us is not None:
            bounds.append("stored_us > ?")
            bound_args.append(query.since_us)
        if query.until_us is not None:
            bounds.append("stored_us <= ?")
            bound_args.append(query.until_us)
        order = "ASC" if query.ascending else "DESC"
        limit = page_size + 1
        base, base_args = _filter_sql(query)
        if not base:
            return db.execute(f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE {' AND '.join(bounds)} "
                              f"ORDER BY seq {order} LIMIT ?", [*bound_args, limit]).fetchall()
        # Statements that target (StatementRef) a matching statement match too, recursively. Only statements
        # with a StatementRef are walked (CROSS JOIN keeps that order); each half of the union is a page scan
        # on its own index that stops after one page.
        targets, target_args = _filter_sql(query, "t.")
        where = " AND ".join(bounds)
        sql = (f"WITH RECURSIVE refs(id) AS (SELECT s.id FROM statements s CROSS JOIN statements t ON t.id ="
               f" s.ref_target WHERE s.ref_target IS NOT NULL AND {' AND '.join(targets)} UNION SELECT s.id FROM refs"
               f" r CROSS JOIN statements s ON s.ref_target = r.id) "
               f"SELECT * FROM (SELECT {STATEMENT_COLUMNS} FROM statements WHERE {where} AND {' AND '.join(base)}"
               f" ORDER BY seq {order} LIMIT ?) UNION SELECT * FROM (SELECT {STATEMENT_COLUMNS} FROM statements"
               f" WHERE {where} AND id IN (SELECT id FROM refs) ORDER BY seq {order} LIMIT ?) "
               f"ORDER BY seq {order} LIMIT ?")
        return db.execute(sql, [*target_args, *bound_args, *base_args, limit, *bound_args, limit, limit]).fetchall()

    def last_seq(self) -> int:
        return int(self._reader().execute("SELECT IFNULL(MAX(seq), 0) FROM statements").fetchone()[0])

    def consistent_through_us(self) -> int:
        inflight = self._inflight_us
        current = now_us()
        return min(current, inflight - 1) if inflight is not None else current

    def get_attachments(self, hashes: Sequence[str]) -> dict[str, Attachment]:
        db = self._reader()
        found: dict[str, Attachment] = {}
        for sha2 in hashes:
            row = db.execute("SELECT content_type, content FROM attachments WHERE sha2 = ?", (sha2,)).fetchone()
            if row:
                found[sha2] = Attachment(sha2, row[0], bytes(row[1]))
        return found

    def activity_definition(self, activity_id: str) -> Mapping[str, Any] | None:
        row = self._reader().execute("SELECT definition FROM activities WHERE id = ?", (activity_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def agent_names(self, key: str) -> tuple[str, ...]:
        rows = self._reader().execute("SELECT name FROM agent_names WHERE agent = ? ORDER BY name", (key,))
        return tuple(row[0] for row in rows)

    # documents -----------------------------------------------------------------------------------
    @staticmethod
    def _key_args(key: DocumentKey) -> tuple[str, ...]:
        scope = key.scope
        return scope.kind.value, scope.activity_id, scope.agent, scope.registration, key.document_id

    @staticmethod
    def _read_document(db: sqlite3.Connection, key: DocumentKey) -> Document | None:
        row = db.execute("SELECT content, content_type, etag, updated_us FROM documents WHERE kind = ? AND"
                         " activity_id = ? AND agent = ? AND registration = ? AND document_id = ?",
                         SqliteStore._key_args(key)).fetchone()
        if row is None:
            return None
        return Document(key, bytes(row[0]), row[1], row[2], iso_from_us(row[3]), row[3])

    def get_document(self, key: DocumentKey) -> Document | None:
        return self._read_document(self._reader(), key)

    def list_document_ids(self, scope: DocumentScope, since_us: int | None = None) -> tuple[str, ...]:
        rows = self._reader().execute(
            "SELECT document_id FROM documents WHERE kind = ? AND activity_id = ? AND agent = ? AND"
            " registration = ? AND updated_us > ? ORDER BY document_id",
            (scope.kind.value, scope.activity_id, scope.agent, scope.registration,
             -1 if since_us is None else since_us))
        return tuple(row[0] for row in rows)

    def modify_document(self, key: DocumentKey, change: Callable[[Document | None], DocumentContent | None]) \
            -> Document | None:
        with self._transaction() as db:
            current = self._read_document(db, key)
            content = change(current)
            if content is None:
                db.execute("DELETE FROM documents WHERE kind = ? AND activity_id = ? AND agent = ? AND"
                           " registration = ? AND document_id = ?", self._key_args(key))
                return None
            updated_us = max(now_us(), current.updated_us + 1 if current else 0)
            etag = etag_of(content.content)
            db.execute("INSERT OR REPLACE INTO documents (kind, activity_id, agent, registration, document_id,"
                       " content, content_type, etag, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (*self._key_args(key), content.content, content.content_type, etag, updated_us))
            return Document(key, content.content, content.content_type, etag, iso_from_us(updated_us), updated_us)

    def delete_documents(self, scope: DocumentScope) -> int:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM documents WHERE kind = ? AND activity_id = ? AND agent = ? AND"
                                " registration = ?",
                                (scope.kind.value, scope.activity_id, scope.agent, scope.registration))
            return cursor.rowcount


def _filter_sql(query: StatementQuery, table: str = "") -> tuple[list[str], list[Any]]:
    """The non-time filters on ``table`` (an alias with its dot, or nothing)."""
    conditions: list[str] = []
    args: list[Any] = []
    if query.agent is not None:
        related = "" if query.related_agents else " AND related = 0"
        conditions.append(f"{table}seq IN (SELECT seq FROM statement_agents WHERE agent = ?{related})")
        args.append(query.agent)
    if query.activity is not None:
        related = "" if query.related_activities else " AND related = 0"
        conditions.append(f"{table}seq IN (SELECT seq FROM statement_activities WHERE activity = ?{related})")
        args.append(query.activity)
    if query.verb is not None:
        conditions.append(f"{table}verb_id = ?")
        args.append(query.verb)
    if query.registration is not None:
        conditions.append(f"{table}registration = ?")
        args.append(query.registration.lower())
    return conditions, args
