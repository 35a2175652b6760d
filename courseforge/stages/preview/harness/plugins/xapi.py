"""The xAPI (Tin Can) plug-in: courseforge's own LRS on the harness server, the package launched with the Tin
Can launch query, the record read back from the LRS.

The unit is tincan.xml's launchable activity (its id, name and launch). The LMS side is
``create_lrs_app`` over the host's LRS store (the preview: a SQLite file in the side's work folder),
mounted at ``<prefix>/xAPI/`` behind ``statement_writes.StatementWrites``, which knows each launch by its
credentials (every launch gets a key of its own), plays the profile (writes held ``write_delay_s``; the
first ``unreachable_writes`` writes of a launch answered 503) and notes every statement and state write on
the launch's timeline, refused ones included, with the statement's JSON (the rules read it).

Attempts are registrations: the first launch makes one; the next launch keeps it while the course is not
final (a scored course: no passed/failed yet; an unscored one: not completed), resuming when a State
document is saved, as an LMS keeps a learner's registration until it is done (a new one for an unfinished
attempt would also strand what the content still has queued under the old one); a final registration is
followed by a new one (or kept, with ``new_attempt_after_exit=False``). The record
(``read``) is the registration's statements and the runtime's State document, in neutral terms. What the
side knows of each launch (registration, actor, profile) is also written to the harness store's side
records, so a store that outlasts the server (the review LMS's database) still reads an earlier launch.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from lxml import etree
from starlette.routing import BaseRoute, Mount
from starlette.types import Scope

from courseforge.lms.lrs.app import create_lrs_app
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.documents import DocumentKey, DocumentKind, DocumentScope
from courseforge.lms.lrs.params import agent_param
from courseforge.lms.lrs.store import LrsStore, StatementQuery
from courseforge.model.package import PackageFormat
from courseforge.model.preview import (
    ApiEvent,
    Completion,
    LaunchRecord,
    RecordedInteraction,
    Signal,
    SignalKind,
    Success,
    Terms,
    TimelineEntry,
)
from courseforge.stages.preview.assertions import LaunchRule
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HostLaunch,
    InteractionCodec,
    LaunchProgress,
    LaunchRequest,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins import xapi_rules
from courseforge.stages.preview.harness.plugins.statement_writes import StatementWrites, basic_user
from courseforge.stages.preview.harness.plugins.xapi_rules import POST_STATEMENTS, STATE_WRITES, XapiCodec
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.stages.preview.harness.store import SideRecords
from courseforge.standards.xapi import ATTEMPT_EXTENSION, MANIFEST, PROGRESS_EXTENSION, STATE_ID, TINCAN_NS, Verb

PLAIN_PAGE = "/lms/plain.html"
SIDE_RECORDS = "xapi"
LAUNCH = "launch"
TERMS = Terms(status="completed/passed/failed statements", score="result.score.scaled",
              finish="the terminated statement", session_time="result.duration of terminated",
              state=f"the State document '{STATE_ID}'")
DATA_BLOCK = re.compile(rb'<script[^>]*id="cf-data"[^>]*>(.*?)</script>', re.S)


@dataclass(frozen=True)
class TincanUnit(Unit):
    """tincan.xml's launchable activity; ``scored`` from the course data of a courseforge package (None for
    a package without it)."""

    scored: bool | None = None


class TincanError(ValueError):
    """The package has no tincan.xml an LMS could launch from."""


def read_units(package_dir: Path) -> tuple[TincanUnit, ...]:
    path = package_dir / MANIFEST
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise TincanError(f"cannot read {MANIFEST}: {error}") from None
    for activity in root.iter(f"{{{TINCAN_NS}}}activity"):
        launch = activity.find(f"{{{TINCAN_NS}}}launch")
        if launch is None:
            continue
        href = "".join(str(t) for t in launch.itertext()).strip()
        name = activity.find(f"{{{TINCAN_NS}}}name")
        title = "".join(str(t) for t in name.itertext()).strip() if name is not None else ""
        return (TincanUnit(identifier=activity.get("id", ""), title=title, href=href,
                           scored=scored(package_dir / href.split("?")[0].split("#")[0])),)
    raise TincanError(f"{MANIFEST} has no activity with a <launch>")


def scored(page: Path) -> bool | None:
    """Whether the course has mastery rules, from a courseforge page's course data."""
    try:
        found = DATA_BLOCK.search(page.read_bytes())
        data = json.loads(found.group(1)) if found else None
    except (OSError, ValueError):
        return None
    return data.get("mastery") is not None if isinstance(data, dict) else None


def actor_of(learner: Learner) -> dict[str, Any]:
    return {"objectType": "Agent", "name": learner.name, "account": {"homePage": learner.HOME_PAGE,
                                                                     "name": learner.id}}


def verb_of(statement: Mapping[str, Any]) -> str:
    verb = statement.get("verb")
    return str(verb.get("id", "")) if isinstance(verb, Mapping) else ""


def object_id(statement: Mapping[str, Any]) -> str:
    target = statement.get("object")
    return str(target.get("id", "")) if isinstance(target, Mapping) else ""


def result_of(statement: Mapping[str, Any]) -> Mapping[str, Any]:
    result = statement.get("result")
    return result if isinstance(result, Mapping) else {}


def attempt_of(statement: Mapping[str, Any]) -> int:
    context = statement.get("context")
    extensions = context.get("extensions") if isinstance(context, Mapping) else None
    value = extensions.get(ATTEMPT_EXTENSION) if isinstance(extensions, Mapping) else None
    return value if isinstance(value, int) else 1


# ------------------------------------------------------------------------------------ the LMS side


@dataclass
class _Launch:
    """What the side remembers of one launch: its registration, actor and profile."""

    id: str
    registration: str
    actor: dict[str, Any]
    activity_id: str
    profile: LmsProfile
    scored: bool | None

    def to_record(self) -> dict[str, Any]:
        return {"registration": self.registration, "actor": self.actor, "activityId": self.activity_id,
                "profile": self.profile.name, "scored": self.scored}

    @classmethod
    def from_record(cls, launch_id: str, value: Mapping[str, Any], profiles: Mapping[str, LmsProfile]) -> _Launch:
        """A launch a server before this one opened (KeyError: a profile this server does not have)."""
        scored = value.get("scored")
        return cls(launch_id, str(value["registration"]), dict(value["actor"]), str(value["activityId"]),
                   profiles[str(value["profile"])], None if scored is None else bool(scored))


@dataclass
class _Launches:
    by_key: dict[str, _Launch] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, scope: Scope, body: bytes) -> str | None:
        """The launch a request belongs to: the Basic key each launch gets for itself."""
        key = basic_user(scope)
        return key if key in self.by_key else None

    def profile(self, launch_id: str) -> LmsProfile:
        return self.by_key[launch_id].profile


class XapiSide:
    """The :class:`~courseforge.stages.preview.harness.interface.LmsSide` of Tin Can packages."""

    def __init__(self, host: HarnessHost) -> None:
        self.host = host
        self.store: LrsStore = host.lrs_store("lrs.sqlite")
        self.credentials = StaticCredentials()
        self.launches = _Launches()
        self.records = SideRecords(host.store, SIDE_RECORDS)
        self._read_launches()
        lrs = create_lrs_app(self.store, self.credentials, prefix="")
        self.writes = StatementWrites(lrs, host, self.launches.of, self.launches.profile)
        self._routes: tuple[BaseRoute, ...] = (Mount("/xAPI", app=self.writes),)

    def _read_launches(self) -> None:
        """The launches earlier servers on the same store opened, in the order they were opened (their
        credentials are not kept: a launch's key lasts as long as its server)."""
        for launch_id, value in self.records.all(LAUNCH):
            with contextlib.suppress(KeyError):
                self.launches.by_key[launch_id] = _Launch.from_record(launch_id, value, self.host.profiles)

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return self._routes

    @property
    def endpoint(self) -> str:
        return f"{self.host.base_url}{self.host.prefix}/xAPI/"

    # ---------------------------------------------------------------- attempts

    def attempt(self, request: LaunchRequest, previous: Attempt | None) -> Attempt:
        if previous is None:
            return Attempt(number=1, data={"registration": str(uuid.uuid4())})
        registration = str(previous.data.get("registration", ""))
        unit = request.unit
        actor = actor_of(request.learner)
        if not self.is_final(registration, unit):
            saved = self.state_document(unit.identifier, actor, registration) is not None
            return Attempt(number=previous.number, data={"registration": registration}, resumed=saved)
        if request.options.new_attempt_after_exit:
            return Attempt(number=previous.number + 1, data={"registration": str(uuid.uuid4())})
        return Attempt(number=previous.number, data={"registration": registration})

    def is_final(self, registration: str, unit: Unit) -> bool:
        verbs = {verb_of(s) for s in self.statements(registration)}
        if verbs & {Verb.PASSED, Verb.FAILED}:
            return True
        return Verb.COMPLETED in verbs and not getattr(unit, "scored", None)

    def open(self, request: LaunchRequest, attempt: Attempt) -> HostLaunch:
        secret = secrets.token_urlsafe(12)
        self.credentials.add(request.launch_id, secret)
        actor = actor_of(request.learner)
        registration = str(attempt.data["registration"])
        launch = _Launch(request.launch_id, registration, actor, request.unit.identifier, request.profile,
                         getattr(request.unit, "scored", None))
        with self.launches.lock:
            self.launches.by_key[request.launch_id] = launch
        self.records.put(LAUNCH, request.launch_id, launch.to_record())
        auth = "Basic " + base64.b64encode(f"{request.launch_id}:{secret}".encode()).decode()
        query = urlencode({"endpoint": self.endpoint, "auth": auth, "actor": json.dumps(actor),
                           "registration": registration, "activity_id": request.unit.identifier})
        href = request.unit.href
        return HostLaunch(content_url=request.package.url_path + href + ("&" if "?" in href else "?") + query,
                          page=PLAIN_PAGE)

    # ---------------------------------------------------------------- progress and the record

    def progress(self, launch_id: str) -> LaunchProgress:
        events = self.host.store.events(launch_id)
        stored = [e for e in events if e.method == POST_STATEMENTS and e.error == "0"]
        return LaunchProgress(marker=(len(events),), pending=self.writes.pending(launch_id),
                              started=any(e.arguments[:1] == (Verb.INITIALIZED,) for e in stored),
                              ended=any(e.arguments[:1] == (Verb.TERMINATED,) for e in stored))

    def statements(self, registration: str) -> list[dict[str, Any]]:
        return registration_statements(self.store, registration)

    def state_document(self, activity_id: str, actor: Mapping[str, Any], registration: str) -> Any:
        scope = DocumentScope(DocumentKind.STATE, activity_id, agent_param(json.dumps(actor))[1], registration)
        document = self.store.get_document(DocumentKey(scope, STATE_ID))
        if document is None:
            return None
        try:
            return json.loads(document.content)
        except ValueError:
            return document.content.decode("utf-8", "replace")

    def read(self, launch_id: str) -> LaunchRecord:
        launch = self.launches.by_key.get(launch_id)
        if launch is None:
            raise LookupError(f"unknown launch {launch_id!r}")
        events = self.host.store.events(launch_id)
        record = self.statements(launch.registration)
        document = self.state_document(launch.activity_id, launch.actor, launch.registration)
        return read_record(events, record, document if isinstance(document, dict) else {}, launch.registration,
                           launch.scored, self.earlier_ids(launch))

    def earlier_ids(self, launch: _Launch) -> frozenset[str]:
        """Ids the registration's earlier launches sent: a backlog this launch delivers is theirs."""
        with self.launches.lock:
            order = list(self.launches.by_key.values())
        earlier = order[: order.index(launch)]
        return frozenset(str(statement.get("id", "")) for other in earlier if other.registration == launch.registration
                         for statement, _ in xapi_rules.posted(self.host.store.events(other.id)))


def registration_statements(store: LrsStore, registration: str, limit: int = 10_000) -> list[dict[str, Any]]:
    """The registration's statements as the LRS stored them, oldest first (the first ``limit``)."""
    if not registration:
        return []
    page = store.query_statements(StatementQuery(registration=registration, ascending=True), None, limit)
    return [json.loads(stored.json) for stored in page.statements]


def _last(statements: Sequence[Mapping[str, Any]], verbs: set[str]) -> Mapping[str, Any] | None:
    found = [s for s in statements if verb_of(s) in verbs]
    return found[-1] if found else None


def _percent(statement: Mapping[str, Any] | None) -> tuple[float | None, str]:
    score = result_of(statement).get("score") if statement else None
    scaled = score.get("scaled") if isinstance(score, Mapping) else None
    if not isinstance(scaled, int | float):
        return None, ""
    return round(scaled * 100, 4), str(scaled)


def read_record(events: Sequence[ApiEvent], record: Sequence[Mapping[str, Any]], document: Mapping[str, Any],
                registration: str, is_scored: bool | None, earlier: frozenset[str] = frozenset()) -> LaunchRecord:
    """One launch's sends and the registration's record (statements, State document) in neutral terms.

    The launch's own statements are those it sent first (``earlier``: ids an earlier launch sent; a backlog
    it delivers, or a statement sent again because the answer to a keepalive request never came, is not
    this launch's): its signals, finishes and session time come from them, whether the LRS took them at
    once or refused them for a while (the content's behaviour; ``xapi.lost`` judges the delivery).

    A scored course's status is its verdict: "completed" is held as completion only once passed or failed
    is (until then the course rules say incomplete, whatever completed statement the LRS holds)."""
    verbs = [verb_of(s) for s in record]
    verdict = _last(record, {Verb.PASSED, Verb.FAILED})
    verdicts: dict[str, Success] = {Verb.PASSED: Success.PASSED, Verb.FAILED: Success.FAILED}
    success = verdicts.get(verb_of(verdict), Success.UNKNOWN) if verdict else Success.UNKNOWN
    completed = Verb.COMPLETED in verbs and (not is_scored or verdict is not None)
    completion = Completion.COMPLETED if completed else Completion.INCOMPLETE if record else Completion.NOT_ATTEMPTED
    final = verdict is not None or (Verb.COMPLETED in verbs and not is_scored)
    state = str(document.get("state", "")) if document else ""
    percent, score_text = _percent(verdict)
    mine = own_statements(events, earlier)
    terminated = [s for s, _, _ in mine if verb_of(s) == Verb.TERMINATED]
    duration = str(result_of(terminated[-1]).get("duration", "")) if terminated else ""
    shown = list(dict.fromkeys(v.rsplit("/", 1)[-1] for v in verbs))
    return LaunchRecord(
        format=PackageFormat.XAPI, terms=TERMS, completion=completion, success=success,
        status_text=f"statements {', '.join(shown) or 'none'}", score_percent=percent, score_text=score_text,
        left_suspended=not final and bool(state),
        exit_text=("the record is final" if final else f"{TERMS.state} holds no saved state"),
        bookmark=str(document.get("bookmark", "")) if document else "", state=state,
        interactions=recorded_interactions(record), finishes=len(terminated),
        session_time_s=xapi_rules.duration_seconds(duration) if duration else None,
        signals=signals(events, mine), values=values(record, document, registration), state_key="state",
        interactions_key="answered ")


def recorded_interactions(record: Sequence[Mapping[str, Any]]) -> tuple[RecordedInteraction, ...]:
    found = []
    for statement in record:
        if verb_of(statement) != Verb.ANSWERED:
            continue
        target = statement.get("object")
        definition = target.get("definition", {}) if isinstance(target, Mapping) else {}
        result = result_of(statement)
        outcome = "neutral" if "success" not in result else "correct" if result["success"] else "wrong"
        kind = str(definition.get("interactionType", ""))
        patterns = tuple(str(p) for p in definition.get("correctResponsesPattern", ()))
        response = str(result.get("response", ""))
        found.append(RecordedInteraction(
            id=xapi_rules.record_id(object_id(statement), attempt_of(statement)), type=kind, response=response,
            result=outcome, patterns=patterns, kind=kind, outcome=outcome,
            values=(("interactionType", kind), ("response", response), ("success", outcome),
                    ("correctResponsesPattern", json.dumps(list(patterns), ensure_ascii=False)))))
    return tuple(found)


def values(record: Sequence[Mapping[str, Any]], document: Mapping[str, Any],
           registration: str) -> tuple[tuple[str, str], ...]:
    """What the LRS holds, for the report: the registration, each statement in order, the State document."""
    rows = [("registration", registration)]
    for index, statement in enumerate(record, start=1):
        verb = verb_of(statement).rsplit("/", 1)[-1]
        prefix = "answered " if verb == "answered" else "statement "
        rows.append((f"{prefix}{index:03d}", f"{verb} {object_id(statement)} {json.dumps(result_of(statement))}"))
    for key in ("bookmark", "state", "interactions", "sent"):
        if document and key in document:
            value = document[key]
            rows.append((key, value if isinstance(value, str) else json.dumps(value, sort_keys=True)))
    return tuple(sorted(rows))


def own_statements(events: Sequence[ApiEvent], earlier: frozenset[str]) -> list[tuple[dict[str, Any], ApiEvent, int]]:
    """Each statement this launch made, at its first send (with the event and its index)."""
    found: list[tuple[dict[str, Any], ApiEvent, int]] = []
    seen = set(earlier)
    for index, event in enumerate(events):
        if event.method != POST_STATEMENTS or len(event.arguments) < 3:
            continue
        statement = json.loads(event.arguments[2])
        sid = str(statement.get("id", ""))
        if sid not in seen:
            seen.add(sid)
            found.append((statement, event, index))
    return found


def signals(events: Sequence[ApiEvent],
            own: Sequence[tuple[dict[str, Any], ApiEvent, int]] | None = None) -> tuple[Signal, ...]:
    """The neutral timeline: the launch's own statements at their first send (``own``; default: every
    statement of ``events``, once), state writes the LRS took."""
    own = own_statements(events, frozenset()) if own is None else own
    found: list[tuple[int, Signal]] = []
    for index, event in enumerate(events):
        if event.method in STATE_WRITES and event.error == "0" and len(event.arguments) >= 3:
            found.extend((index, signal) for signal in _state_signals(event, index))
    for statement, event, index in own:
        found.extend((index, signal) for signal in _statement_signals(statement, event, index))
    return tuple(signal for _, signal in sorted(found, key=lambda pair: pair[0]))


def _state_signals(event: ApiEvent, index: int) -> list[Signal]:
    try:
        document = json.loads(event.arguments[2])
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    return [Signal(event.at_ms, SignalKind.BOOKMARK, str(document.get("bookmark", "")), index),
            Signal(event.at_ms, SignalKind.STATE, str(document.get("state", "")), index)]


def _statement_signals(statement: Mapping[str, Any], event: ApiEvent, index: int) -> list[Signal]:
    verb, result, at = verb_of(statement), result_of(statement), event.at_ms
    if verb == Verb.INITIALIZED:
        return [Signal(at, SignalKind.START, event=index)]
    if verb in (Verb.PASSED, Verb.FAILED):
        percent, _ = _percent(statement)
        success = Success.PASSED if verb == Verb.PASSED else Success.FAILED
        return [Signal(at, SignalKind.SCORE, "" if percent is None else f"{percent:g}", index),
                Signal(at, SignalKind.SUCCESS, success.value, index)]
    if verb == Verb.COMPLETED:
        return [Signal(at, SignalKind.COMPLETION, Completion.COMPLETED.value, index)]
    if verb == Verb.PROGRESSED:
        extensions = result.get("extensions")
        progress = extensions.get(PROGRESS_EXTENSION) if isinstance(extensions, Mapping) else None
        return [Signal(at, SignalKind.PROGRESS, f"{progress / 100:g}", index)] if isinstance(progress, int) else []
    if verb == Verb.ANSWERED:
        return [Signal(at, SignalKind.INTERACTION, xapi_rules.record_id(object_id(statement), attempt_of(statement)),
                       index)]
    if verb == Verb.TERMINATED:
        return [Signal(at, SignalKind.SESSION_TIME, str(result.get("duration", "")), index),
                Signal(at, SignalKind.FINISH, event=index)]
    return []


# ------------------------------------------------------------------------------------ the plug-in


class StatementPlugin:
    """What the plug-ins of standards whose content sends statements share (Tin Can, cmi5): the interactions
    as answered statements of the unit's activity, and the report rows of the writes the side noted."""

    def codec(self, package: ServedPackage, unit: Unit) -> InteractionCodec:
        return XapiCodec(unit.identifier)

    def timeline(self, events: Sequence[ApiEvent], launch: int) -> tuple[TimelineEntry, ...]:
        return tuple(_row(event, launch) for event in events)


class XapiPlugin(StatementPlugin):
    """Tin Can packages on courseforge's LRS."""

    format = PackageFormat.XAPI

    @property
    def rules(self) -> tuple[LaunchRule, ...]:
        return xapi_rules.RULES

    def read_units(self, package_dir: Path) -> tuple[Unit, ...]:
        return read_units(package_dir)

    def profile_meaning(self, profile: LmsProfile) -> str | None:
        if profile.overrides_status or profile.mastery_percent is not None or profile.mandatory_only \
                or profile.refuses_when_dismissed or profile.write_only_interactions:
            return None  # no Tin Can mechanism for it: an LRS stores statements, it does not judge or trim them
        meanings = [
            f"the content {profile.frames_between + 1} windows below the LMS page" if profile.frames_between else "",
            "the content in a popup window" if profile.popup else "",
            f"every statement and state write stored and answered after {profile.write_delay_s:g} s"
            if profile.write_delay_s else "",
            f"the first {profile.unreachable_writes} writes of each launch answered 503"
            if profile.unreachable_writes else "",
        ]
        return "; ".join(m for m in meanings if m) or "a plain LRS that stores every valid statement"

    def start(self, host: HarnessHost) -> LmsSide:
        return XapiSide(host)


def _row(event: ApiEvent, launch: int) -> TimelineEntry:
    failed = event.error != "0"
    what, target = (*event.arguments, "", "")[:2]
    value = event.arguments[2] if len(event.arguments) > 2 else ""
    is_state = event.method in STATE_WRITES
    with contextlib.suppress(ValueError):
        parsed = json.loads(value)
        if isinstance(parsed, dict):
            value = str(parsed.get("state", value)) if is_state else json.dumps(result_of(parsed), ensure_ascii=False)
    return TimelineEntry(launch=launch, at_ms=event.at_ms, call=event.method,
                         element=f"{what.rsplit('/', 1)[-1]} {target}".strip(), value=value, result=event.result,
                         error=event.error, failed=failed, error_name=f"HTTP {event.error}" if failed else "",
                         state=is_state)
