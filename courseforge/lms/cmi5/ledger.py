"""What a registration's stored statements say: session states, AU progress, satisfied blocks and course.

The ledger is rebuilt from the LRS (statements in store order) rather than kept on the side, so it can never
disagree with what was actually stored: a batch the store refused leaves no trace, a retried identical
statement is not counted twice, and strict mode needs no state of its own beyond the launches.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from courseforge.lms.cmi5.launch import LaunchSession, node_activity_id
from courseforge.lms.cmi5.moveon import AuProgress
from courseforge.lms.cmi5.rules import (
    Accepted,
    AuRecord,
    Rejection,
    SessionRecord,
    Statement,
    has_category,
    judge,
    verb_id,
)
from courseforge.lms.cmi5.rules import session_id_of as statement_session_id
from courseforge.lms.cmi5.structure import CourseStructure
from courseforge.lms.cmi5.vocabulary import CATEGORY_CMI5, Verb


@dataclass(frozen=True)
class Ledger:
    course: CourseStructure
    sessions: Mapping[uuid.UUID, SessionRecord]
    aus: Mapping[str, AuRecord]
    """Keyed by the AU's publisher id."""
    satisfied: frozenset[str]
    """LMS activity ids of the blocks and course already recorded as satisfied."""

    def progress(self) -> dict[str, AuProgress]:
        return {au_id: AuProgress(record.completed, record.passed, record.waived) for au_id, record in self.aus.items()}

    def session_of(self, statement: Statement) -> SessionRecord | None:
        value = statement_session_id(statement)
        try:
            return self.sessions.get(uuid.UUID(value)) if value else None
        except ValueError:
            return None

    def apply(self, record: SessionRecord, statement: Statement, *, now: datetime) -> Ledger | Rejection:
        """Judge one AU statement of ``record``'s session; the ledger after it, or why it is refused."""
        au_id = record.session.au.id
        verdict = judge(record, self.aus.get(au_id, AuRecord()), statement, now=now)
        if isinstance(verdict, Rejection):
            return verdict
        return self._accepted(verdict)

    def _accepted(self, verdict: Accepted) -> Ledger:
        session = verdict.session.session
        return replace(self, sessions={**self.sessions, session.session_id: verdict.session},
                       aus={**self.aus, session.au.id: verdict.au})


def statement_time(statement: Statement, fallback: datetime) -> datetime:
    value = statement.get("timestamp")
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return fallback
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return fallback


def replay(course: CourseStructure, sessions: Iterable[LaunchSession], statements: Iterable[Statement]) -> Ledger:
    """The ledger after ``statements`` (one registration's, in store order) for the launches in ``sessions``."""
    ledger = Ledger(course, {s.session_id: SessionRecord(s) for s in sessions}, {}, frozenset())
    by_activity = {node_activity_id(course, au): au.id for au in course.assignable_units()}
    for statement in statements:
        ledger = _replay_one(ledger, by_activity, statement)
    return ledger


def _replay_one(ledger: Ledger, by_activity: Mapping[str, str], statement: Statement) -> Ledger:
    verb = verb_id(statement)
    object_id = _object_id(statement)
    if has_category(statement, CATEGORY_CMI5):
        if verb == Verb.SATISFIED:
            return replace(ledger, satisfied=ledger.satisfied | {object_id})
        if verb == Verb.WAIVED and object_id in by_activity:
            au_id = by_activity[object_id]
            return replace(ledger, aus={**ledger.aus, au_id: replace(ledger.aus.get(au_id, AuRecord()), waived=True)})
    record = ledger.session_of(statement)
    if record is None or verb == Verb.LAUNCHED:
        return ledger
    if verb == Verb.ABANDONED and has_category(statement, CATEGORY_CMI5):
        return replace(ledger, sessions={**ledger.sessions, record.session.session_id: replace(record, abandoned=True)})
    applied = ledger.apply(record, statement, now=statement_time(statement, record.session.launched_at))
    return ledger if isinstance(applied, Rejection) else applied


def _object_id(statement: Statement) -> str:
    target = statement.get("object")
    value = target.get("id") if isinstance(target, Mapping) else None
    return value if isinstance(value, str) else ""
