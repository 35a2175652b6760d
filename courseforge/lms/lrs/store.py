"""The LRS storage interface. ``sqlite.SqliteStore`` implements it; a server database can follow.

Contract (what an implementation must guarantee):

- ``save_statements`` stores a batch in ONE transaction: all of it or nothing. It assigns ``stored``
  (the same instant for the whole batch, later than every earlier batch; ``timestamp`` defaults to it)
  and sequence numbers that increase in commit order. An id already stored with the same ``fingerprint`` is an identical
  statement: it is skipped, not an error. A different one raises ``StatementConflict``. A voiding
  statement whose target is itself a voiding statement raises ``VoidingRejected``. Voided targets
  are marked voided (also when the target arrives after its voiding statement).
- ``query_statements`` pages on the sequence number: a ``Cursor`` carries the last sequence number
  returned and the highest one visible when paging began, so each statement is returned exactly once.
  Voided statements never match a query; a statement that targets (StatementRef) a matching statement
  matches too, recursively (xAPI 1.0.3 Communication 2.1.3).
- ``modify_document`` is an atomic read-modify-write: ``change`` sees the current document (or None)
  and returns the new content, or None to delete; raising inside ``change`` changes nothing.
- Timestamps are integers in microseconds since the epoch (UTC); ISO strings carry the same instant.

Usage from another server in the same process (cmi5 launch, the review LMS)::

    store = open_store(Path("lrs.sqlite"))
    key = DocumentKey(DocumentScope(DocumentKind.STATE, activity_id, agent_key(actor), registration),
                      "LMS.LaunchData")
    store.put_document(key, DocumentContent(body, "application/json"))

Statements should go through ``service.LrsService`` (validation, LRS-set properties, policies).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courseforge.lms.lrs.documents import (
    UNCONDITIONAL,
    Document,
    DocumentContent,
    DocumentKey,
    DocumentScope,
    Precondition,
    merged,
)
from courseforge.lms.lrs.errors import Rejected


class StoreError(Rejected):
    """A write the storage rules refuse; ``status`` is the HTTP answer."""


class StatementConflict(StoreError):
    status = 409


class VoidingRejected(StoreError):
    status = 400


@dataclass(frozen=True)
class Attachment:
    sha2: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class NewStatement:
    """A validated statement ready to store: everything but ``stored`` is set (id, authority, version...).

    ``fingerprint`` identifies the statement for the "identical statement" rule (see ``comparison``).
    """

    id: str
    statement: Mapping[str, Any]
    fingerprint: str


@dataclass(frozen=True)
class StoredStatement:
    seq: int
    id: str
    json: str
    stored_us: int
    voided: bool
    attachment_hashes: tuple[str, ...]


@dataclass(frozen=True)
class StatementQuery:
    """Filters of GET /statements, already parsed (agent is an IFI key from ``indexing.agent_key``)."""

    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since_us: int | None = None
    until_us: int | None = None
    limit: int = 0
    ascending: bool = False


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after ``after_seq`` (in query order), never beyond ``bound_seq``."""

    bound_seq: int
    after_seq: int | None = None


@dataclass(frozen=True)
class StatementPage:
    statements: tuple[StoredStatement, ...]
    next: Cursor | None


@dataclass(frozen=True)
class SaveResult:
    ids: tuple[str, ...]
    stored: str
    inserted: int


class LrsStore(ABC):
    """Statements, attachments, activity definitions, agent names and documents."""

    @abstractmethod
    def save_statements(self, statements: Sequence[NewStatement], attachments: Sequence[Attachment] = ()) \
            -> SaveResult: ...

    @abstractmethod
    def get_statement(self, statement_id: str) -> StoredStatement | None: ...

    @abstractmethod
    def query_statements(self, query: StatementQuery, cursor: Cursor | None, page_size: int) -> StatementPage: ...

    @abstractmethod
    def last_seq(self) -> int: ...

    @abstractmethod
    def consistent_through_us(self) -> int:
        """Every statement stored at or before this instant is visible to queries."""

    @abstractmethod
    def get_attachments(self, hashes: Sequence[str]) -> dict[str, Attachment]: ...

    @abstractmethod
    def activity_definition(self, activity_id: str) -> Mapping[str, Any] | None:
        """The merged definition of an activity from the statements stored so far."""

    @abstractmethod
    def agent_names(self, key: str) -> tuple[str, ...]: ...

    @abstractmethod
    def get_document(self, key: DocumentKey) -> Document | None: ...

    @abstractmethod
    def list_document_ids(self, scope: DocumentScope, since_us: int | None = None) -> tuple[str, ...]: ...

    @abstractmethod
    def modify_document(self, key: DocumentKey, change: Callable[[Document | None], DocumentContent | None]) \
            -> Document | None: ...

    @abstractmethod
    def delete_documents(self, scope: DocumentScope) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    def put_document(self, key: DocumentKey, content: DocumentContent,
                     precondition: Precondition = UNCONDITIONAL) -> Document:
        def replace(current: Document | None) -> DocumentContent:
            precondition.check(current)
            return content

        written = self.modify_document(key, replace)
        assert written is not None
        return written

    def merge_document(self, key: DocumentKey, content: DocumentContent,
                       precondition: Precondition = UNCONDITIONAL) -> Document:
        """POST: merge JSON objects (raises ``NotMergeable`` if either is not one)."""
        def merge(current: Document | None) -> DocumentContent:
            precondition.check(current)
            return merged(current, content)

        written = self.modify_document(key, merge)
        assert written is not None
        return written

    def delete_document(self, key: DocumentKey, precondition: Precondition = UNCONDITIONAL) -> None:
        def delete(current: Document | None) -> None:
            precondition.check(current)

        self.modify_document(key, delete)


def open_store(path: Path) -> LrsStore:
    """The default store: SQLite at ``path`` (created and migrated as needed)."""
    from courseforge.lms.lrs.sqlite import SqliteStore

    return SqliteStore(path)
