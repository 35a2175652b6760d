"""The cmi5 LMS in one process with the LRS: registrations, launches, one-time fetch tokens, strict mode,
satisfied / abandoned / waived statements.

I/O edge of the package: it keeps registrations and launch sessions in memory and in its ``RecordBook``
(``records.py``: memory by default, a database for an LMS that outlasts its process), and writes statements
through the LRS service (validation, authority, policies) and documents through the LRS store. Lock order
is always "LRS write lock, then ours" (our policy runs inside the LRS lock), so nothing here calls the LRS
while holding ours.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from courseforge.lms.cmi5.launch import (
    JsonObject,
    LaunchSession,
    Learner,
    LearnerPreferences,
    launch_data,
    launch_url,
    node_activity_id,
    resolve_au_url,
)
from courseforge.lms.cmi5.ledger import Ledger, replay, statement_time
from courseforge.lms.cmi5.moveon import satisfied_nodes
from courseforge.lms.cmi5.records import (
    CLIENT,
    REGISTRATION,
    REVOKED,
    SESSION,
    MemoryRecords,
    RecordBook,
    registration_from,
    registration_record,
    session_from,
    session_record,
)
from courseforge.lms.cmi5.rules import Rejection, SessionRecord, has_category, registration_of, session_id_of, verb_id
from courseforge.lms.cmi5.statements import (
    abandoned_statement,
    launched_statement,
    satisfied_statement,
    waived_statement,
)
from courseforge.lms.cmi5.structure import CourseStructure
from courseforge.lms.cmi5.vocabulary import (
    CATEGORY_CMI5,
    LAUNCH_DATA_STATE_ID,
    LEARNER_PREFERENCES_PROFILE_ID,
    LaunchMode,
    WaiveReason,
)
from courseforge.lms.lrs.auth import Client, Credentials, authority_for
from courseforge.lms.lrs.documents import DocumentContent, DocumentKey, DocumentKind, DocumentScope
from courseforge.lms.lrs.indexing import VOIDED_VERB, agent_key
from courseforge.lms.lrs.policy import PolicyRejection, StatementBatch
from courseforge.lms.lrs.service import LrsService
from courseforge.lms.lrs.store import LrsStore, StatementQuery

LMS_CLIENT_KEY = "courseforge-cmi5-lms"
SESSION_CLIENT_PREFIX = "cmi5-session-"
PAGE_SIZE = 500


class Cmi5Error(LookupError):
    """A launch request naming something this LMS does not know (a course, registration or AU)."""


class Cmi5Conflict(ValueError):
    """A request the cmi5 rules forbid in the registration's current state (a second waiver)."""


@dataclass(frozen=True)
class CourseEntry:
    structure: CourseStructure
    package_base_url: str


@dataclass(frozen=True)
class RegistrationEntry:
    id: uuid.UUID
    course_id: str
    learner: Learner


@dataclass(frozen=True)
class Launch:
    url: str
    session: LaunchSession
    fetch_url: str


@dataclass
class _Ticket:
    """The fetch URL's one-time token and the session client it hands out."""

    session_id: uuid.UUID
    client_key: str
    secret: str
    used: bool = False


@dataclass
class _State:
    courses: dict[str, CourseEntry] = field(default_factory=dict)
    registrations: dict[uuid.UUID, RegistrationEntry] = field(default_factory=dict)
    sessions: dict[uuid.UUID, LaunchSession] = field(default_factory=dict)
    tickets: dict[str, _Ticket] = field(default_factory=dict)
    clients: dict[str, tuple[str, Client, uuid.UUID]] = field(default_factory=dict)
    """A session client's key -> the SHA-256 of its secret, the client, its session."""
    revoked: set[uuid.UUID] = field(default_factory=set)
    unopened: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    """Sessions read from the record book, by course id, until their course is added again."""


@dataclass(frozen=True)
class FetchReply:
    """The fetch URL's JSON answer (§8.2): a token, or an error code 1 (used/expired) or 2 (security)."""

    body: JsonObject


class Cmi5Lms:
    """One LMS over one LRS. ``credentials`` goes to the LRS app (session tokens are clients there);
    ``strict_policy`` is the strict mode policy; ``settle`` runs after AU statements are stored; ``records``
    keeps registrations and sessions (what it already holds is read back at once)."""

    def __init__(self, store: LrsStore, *, endpoint: str, fetch_base: str, base_credentials: Credentials,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 new_id: Callable[[], uuid.UUID] = uuid.uuid4, records: RecordBook | None = None) -> None:
        self.store = store
        self._lrs: LrsService | None = None
        self.endpoint = endpoint
        self.fetch_base = fetch_base.rstrip("/") + "/"
        self.credentials = SessionCredentials(self, base_credentials)
        self._clock = clock
        self._new_id = new_id
        self._lock = threading.Lock()
        self._lms_writes = threading.RLock()
        """Held while deciding and writing satisfied/abandoned/waived, so two requests never both record one
        (order: this lock, then the LRS write lock; our policy never takes it)."""
        self._state = _State()
        self.records: RecordBook = records if records is not None else MemoryRecords()
        self._read_records()
        self.client = Client(LMS_CLIENT_KEY, authority_for(LMS_CLIENT_KEY, "courseforge cmi5 LMS"))

    def _read_records(self) -> None:
        """Registrations at once; sessions once their course is added (they hold its structure)."""
        for key, value in self.records.all(REGISTRATION):
            course_id, learner = registration_from(value)
            entry = RegistrationEntry(uuid.UUID(key), course_id, learner)
            self._state.registrations[entry.id] = entry
        for key, value in self.records.all(SESSION):
            self._state.unopened.setdefault(str(value["course"]), []).append((key, value))
        for key, value in self.records.all(CLIENT):
            self._state.clients[key] = (str(value["digest"]), _session_client(key), uuid.UUID(str(value["session"])))
        self._state.revoked.update(uuid.UUID(key) for key, _ in self.records.all(REVOKED))

    def bind(self, lrs: LrsService) -> None:
        """The LRS service statements go through; it is built with this LMS's credentials and policy, so it
        can only be handed over once both exist (see ``app.create_cmi5_host``)."""
        if lrs.store is not self.store:
            raise ValueError("the LRS service must use this LMS's store")
        self._lrs = lrs

    @property
    def lrs(self) -> LrsService:
        if self._lrs is None:
            raise RuntimeError("Cmi5Lms.bind(service) has not been called")
        return self._lrs

    # ---------------------------------------------------------------------------------- courses, learners

    def add_course(self, structure: CourseStructure, package_base_url: str) -> CourseEntry:
        """Import a course; sessions of it the record book holds from an earlier process become known again."""
        entry = CourseEntry(structure, package_base_url)
        with self._lock:
            self._state.courses[structure.id] = entry
            for key, value in self._state.unopened.pop(structure.id, []):
                try:
                    session = session_from(key, value, structure)
                except KeyError:
                    continue  # the course no longer has the session's AU: nothing it sends can be judged
                self._state.sessions[session.session_id] = session
        return entry

    def register(self, course_id: str, learner: Learner,
                 preferences: LearnerPreferences | None = None) -> RegistrationEntry:
        """Enroll a learner (a new registration UUID); moveOn is evaluated at once (§9.6.1)."""
        with self._lock:
            if course_id not in self._state.courses:
                raise Cmi5Error(f"unknown course {course_id}")
            entry = RegistrationEntry(self._new_id(), course_id, learner)
            self._state.registrations[entry.id] = entry
        self.records.put(REGISTRATION, str(entry.id), registration_record(course_id, learner))
        if preferences is not None:
            self.set_preferences(learner, preferences)
        self.settle(entry.id)
        return entry

    def set_preferences(self, learner: Learner, preferences: LearnerPreferences) -> None:
        """The cmi5LearnerPreferences agent profile (§11)."""
        key = DocumentKey(DocumentScope(DocumentKind.AGENT_PROFILE, agent=_agent(learner)),
                          LEARNER_PREFERENCES_PROFILE_ID)
        self.store.put_document(key, _json_content(preferences.document()))

    # ------------------------------------------------------------------------------------------ launch

    def launch(self, registration: uuid.UUID, au_id: str, *, mode: LaunchMode = LaunchMode.NORMAL,
               return_url: str | None = None, entitlement_alternate: str | None = None) -> Launch:
        """A new session: earlier open sessions of the registration are abandoned, LMS.LaunchData written,
        launched recorded, then the launch URL with a fresh one-time fetch URL (§8, §10)."""
        entry, course = self._registration(registration)
        try:
            au = course.structure.assignable_unit(au_id)
        except KeyError:
            raise Cmi5Error(f"course {course.structure.id} has no AU {au_id}") from None
        with self._lms_writes:  # two launches at once: the later one abandons the earlier
            self._abandon_open_sessions(registration)
            session = LaunchSession(self._new_id(), registration, entry.learner, course.structure, au, mode,
                                    resolve_au_url(au.url, course.package_base_url), self._clock(), return_url)
            ticket_id = secrets.token_urlsafe(24)
            ticket = _Ticket(session.session_id, f"{SESSION_CLIENT_PREFIX}{session.session_id}",
                             secrets.token_urlsafe(32))
            with self._lock:
                self._state.sessions[session.session_id] = session
                self._state.tickets[ticket_id] = ticket
            self.records.put(SESSION, str(session.session_id), session_record(session))
            state_key = DocumentKey(DocumentScope(DocumentKind.STATE, session.activity_id, _agent(entry.learner),
                                                  str(registration)), LAUNCH_DATA_STATE_ID)
            document = launch_data(session, entitlement_alternate=entitlement_alternate)
            self.store.put_document(state_key, _json_content(document))
            self.lrs.save_statements([launched_statement(session, statement_id=self._new_id())], self.client)
        fetch_url = f"{self.fetch_base}{ticket_id}"
        url = launch_url(session.au_url, endpoint=self.endpoint, fetch=fetch_url, actor=entry.learner.actor(),
                         registration=registration, activity_id=session.activity_id)
        return Launch(url, session, fetch_url)

    def fetch(self, ticket_id: str) -> FetchReply:
        """The one-time fetch (§8.2): the first POST gets the auth-token, every later one error 1."""
        with self._lock:
            ticket = self._state.tickets.get(ticket_id)
            if ticket is None:
                return FetchReply({"error-code": "2", "error-text": "This fetch URL was not issued by this LMS."})
            if ticket.used or ticket.session_id in self._state.revoked:
                return FetchReply({"error-code": "1",
                                   "error-text": "The authorization token has already been returned."})
            ticket.used = True
            client = _session_client(ticket.client_key)
            self._state.clients[ticket.client_key] = (_digest(ticket.secret), client, ticket.session_id)
        self.records.put(CLIENT, ticket.client_key, {"digest": _digest(ticket.secret),
                                                     "session": str(ticket.session_id)})
        token = base64.b64encode(f"{ticket.client_key}:{ticket.secret}".encode()).decode("ascii")
        return FetchReply({"auth-token": token})

    def session_client(self, key: str, secret: str) -> Client | None:
        with self._lock:
            entry = self._state.clients.get(key)
            if entry is None or entry[2] in self._state.revoked or not secrets.compare_digest(entry[0],
                                                                                               _digest(secret)):
                return None
            return entry[1]

    # ------------------------------------------------------------------------- waive, abandon, satisfy

    def waive(self, registration: uuid.UUID, au_id: str, reason: WaiveReason) -> uuid.UUID:
        """Record waived for an AU (§9.3.7) under a session id of its own; at most once per registration."""
        entry, course = self._registration(registration)
        try:
            au = course.structure.assignable_unit(au_id)
        except KeyError:
            raise Cmi5Error(f"course {course.structure.id} has no AU {au_id}") from None
        with self._lms_writes:
            ledger = self.ledger(registration)
            if ledger.aus.get(au.id) is not None and ledger.aus[au.id].waived:
                raise Cmi5Conflict(f"AU {au_id} is already waived in registration {registration} (§9.3.7)")
            session_id = self._new_id()
            self.lrs.save_statements([waived_statement(
                course=course.structure, au=au, learner=entry.learner, registration=registration,
                session_id=session_id, reason=reason, timestamp=self._clock(), statement_id=self._new_id())],
                self.client)
            self.settle(registration, session_id)
        return session_id

    def sweep(self, idle: timedelta) -> tuple[uuid.UUID, ...]:
        """Abandon every open session whose AU has been silent for ``idle`` (the explicit sweep)."""
        with self._lock:
            registrations = tuple(self._state.registrations)
        abandoned: list[uuid.UUID] = []
        deadline = self._clock() - idle
        for registration in registrations:
            abandoned += self._abandon_open_sessions(
                registration, lambda record: (record.last_statement_at or record.session.launched_at) <= deadline)
        return tuple(abandoned)

    def settle(self, registration: uuid.UUID, session_id: uuid.UUID | None = None) -> tuple[str, ...]:
        """Record satisfied for every block and the course the registration newly satisfies (§9.3.9); the
        session that made them so, or a session id of their own outside a launch (§9.6.1)."""
        entry, course = self._registration(registration)
        with self._lms_writes:
            ledger = self.ledger(registration)
            due = [node for node in satisfied_nodes(course.structure, ledger.progress())
                   if node_activity_id(course.structure, node) not in ledger.satisfied]
            if not due:
                return ()
            session = session_id or self._new_id()
            now = self._clock()
            self.lrs.save_statements([
                satisfied_statement(course=course.structure, node=node, learner=entry.learner,
                                    registration=registration, session_id=session, timestamp=now,
                                    statement_id=self._new_id())
                for node in due
            ], self.client)
        return tuple(node.id for node in due)

    def _abandon_open_sessions(self, registration: uuid.UUID,
                               which: Callable[[SessionRecord], bool] = lambda record: True) -> list[uuid.UUID]:
        with self._lms_writes:
            ledger = self.ledger(registration)
            stale = [record for record in ledger.sessions.values() if record.open and which(record)]
            for record in stale:
                with self._lock:
                    self._state.revoked.add(record.session.session_id)
                self.records.put(REVOKED, str(record.session.session_id), {})
                last = record.last_statement_at or record.session.launched_at
                self.lrs.save_statements([abandoned_statement(record.session, last_activity=last,
                                                              timestamp=self._clock(), statement_id=self._new_id())],
                                         self.client)
        return [record.session.session_id for record in stale]

    # ------------------------------------------------------------------------------------- the ledger

    def ledger(self, registration: uuid.UUID) -> Ledger:
        _, course = self._registration(registration)
        with self._lock:
            sessions = [s for s in self._state.sessions.values() if s.registration == registration]
        return replay(course.structure, sessions, self._stored(registration))

    def _stored(self, registration: uuid.UUID) -> Iterator[Mapping[str, Any]]:
        query = StatementQuery(registration=str(registration), ascending=True)
        page = self.store.query_statements(query, None, PAGE_SIZE)
        while True:
            for stored in page.statements:
                yield json.loads(stored.json)
            if page.next is None:
                return
            page = self.store.query_statements(query, page.next, PAGE_SIZE)

    def _registration(self, registration: uuid.UUID) -> tuple[RegistrationEntry, CourseEntry]:
        with self._lock:
            entry = self._state.registrations.get(registration)
            if entry is None:
                raise Cmi5Error(f"unknown registration {registration}")
            return entry, self._state.courses[entry.course_id]

    def _session(self, session_id: uuid.UUID) -> LaunchSession | None:
        with self._lock:
            return self._state.sessions.get(session_id)

    # ------------------------------------------------------------------------------- LRS integration

    def strict_policy(self, batch: StatementBatch) -> PolicyRejection | None:
        """Strict mode: refuse a batch with any statement that breaks the cmi5 AU statement rules. Statements
        that are nothing to cmi5 (no session token, no session id, no cmi5 category) cost no store read."""
        if batch.client is self.client:  # the LMS itself (identity: a look-alike key from outside is judged)
            return None
        client_session = self._client_session(batch.client)
        ledgers: dict[uuid.UUID, Ledger] = {}
        for number, statement in enumerate(batch.statements):
            problem = self._judge_in_batch(client_session, statement, ledgers, batch)
            if problem is not None:
                where = "statement" if len(batch.statements) == 1 else f"statement[{number}]"
                return PolicyRejection(f"{where}: cmi5 strict mode: {problem.message()}")
        return None

    def _judge_in_batch(self, client_session: uuid.UUID | None, statement: Mapping[str, Any],
                        ledgers: dict[uuid.UUID, Ledger], batch: StatementBatch) -> Rejection | None:
        session = self._statement_session(statement)
        if session is None:
            if client_session is not None:
                return Rejection("cmi5.session-id-missing", "a statement sent with a cmi5 session token needs the "
                                                            "session id extension of its context template (§9.6.3.1)")
            if has_category(statement, CATEGORY_CMI5) and self._known_registration(statement):
                return Rejection("cmi5.session-unknown", "a cmi5 defined statement for this registration without a "
                                                         "session id this LMS issued (§9.6.3.1)")
            return None
        if client_session is not None and client_session != session.session_id:
            return Rejection("cmi5.session-mismatch", "the session id is not the session this token was issued for "
                                                      "(§8.2)")
        if client_session is not None and verb_id(statement) == VOIDED_VERB:
            return Rejection("cmi5.voiding", "an AU must not void statements (§6.3)")
        if batch.store.get_statement(str(statement["id"])) is not None:
            return None  # a retry: the store skips an identical statement and refuses a different one
        registration = session.registration
        if registration not in ledgers:
            ledgers[registration] = self.ledger(registration)
        ledger = ledgers[registration]
        record = ledger.sessions[session.session_id]
        applied = ledger.apply(record, statement, now=statement_time(statement, self._clock()))
        if isinstance(applied, Rejection):
            return applied
        ledgers[registration] = applied
        return None

    def _client_session(self, client: Client) -> uuid.UUID | None:
        with self._lock:
            entry = self._state.clients.get(client.key)
        return None if entry is None else entry[2]

    def _statement_session(self, statement: Mapping[str, Any]) -> LaunchSession | None:
        value = session_id_of(statement)
        try:
            return self._session(uuid.UUID(value)) if value else None
        except ValueError:
            return None

    def _known_registration(self, statement: Mapping[str, Any]) -> bool:
        value = registration_of(statement)
        try:
            return value is not None and uuid.UUID(value) in self._state.registrations
        except ValueError:
            return False

    def after_stored(self, batch: StatementBatch) -> None:
        """The LRS observer: settle the registrations an AU's stored batch touched, in the AU's session."""
        if batch.client is self.client:  # the LMS itself (identity: a look-alike key from outside is judged)
            return
        touched: dict[uuid.UUID, uuid.UUID] = {}
        for statement in batch.statements:
            session = self._statement_session(statement)
            if session is not None:
                touched[session.registration] = session.session_id
        for registration, session_id in touched.items():
            self.settle(registration, session_id)


class SessionCredentials:
    """The LRS's credentials plus the live cmi5 session tokens (a ``Credentials`` for ``create_lrs_app``)."""

    def __init__(self, lms: Cmi5Lms, base: Credentials) -> None:
        self._lms = lms
        self._base = base

    def authenticate(self, key: str, secret: str) -> Client | None:
        if key.startswith(SESSION_CLIENT_PREFIX):
            return self._lms.session_client(key, secret)
        return self._base.authenticate(key, secret)


def _session_client(key: str) -> Client:
    return Client(key, authority_for(key, "cmi5 AU session"))


def _digest(secret: str) -> str:
    """What is kept of a session client's secret (in memory and in the record book)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _agent(learner: Learner) -> str:
    key = agent_key(learner.actor())
    assert key is not None
    return key


def _json_content(document: JsonObject) -> DocumentContent:
    return DocumentContent(json.dumps(document).encode(), "application/json")


