"""The cmi5 plug-in: courseforge's own cmi5 LMS (``courseforge.lms.cmi5``, strict mode) on the harness server.

Under the plug-in's prefix the cmi5 host serves its LRS (``/xAPI``) and launch service (``/cmi5``); every
package is imported from its cmi5.xml by the LMS's structure parser, once per package (and per mastery
score a profile imposes). A launch is what an LMS does (§8, §10): a registration (a new one for a new
attempt), the launched statement, LMS.LaunchData (launchMode from the options, masteryScore from the
course structure or the profile, returnURL a page of ours that notes the learner's return), a one-time
fetch URL, then the launch URL framed by the plain LMS page. Strict mode judges every statement against
the cmi5 rules before it is stored; a refusal is noted with the rule (``cmi5.sequence``), and every stored
statement also goes through @learninglocker/xapi-validation (``xapi.statement-invalid``).

Relaunch: the same registration (resume) while the AU's moveOn is not met and nothing failed for good;
then a new registration, or the same one with ``new_attempt_after_exit=False``. The neutral record per
launch: completion from the registration's completed statement, success from its last passed/failed,
the score from their result.score.scaled, the bookmark and state from the AU's State document, the
interactions from its answered statements, finishes from this session's terminated.

What the side and its LMS know of launches and registrations is written to the harness store's side
records (``SideRecords``), so a store that outlasts the server (the review LMS's database) lets a later
server resume a registration and read an earlier launch's record; the preview's store lives for one run.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from courseforge.lms.cmi5.app import Cmi5Host, create_cmi5_host
from courseforge.lms.cmi5.launch import Learner as Cmi5Learner
from courseforge.lms.cmi5.launch import LearnerPreferences
from courseforge.lms.cmi5.service import SESSION_CLIENT_PREFIX
from courseforge.lms.cmi5.structure import AssignableUnit, CourseStructure, parse_course_structure
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.documents import DocumentKey, DocumentKind, DocumentScope
from courseforge.lms.lrs.indexing import agent_key
from courseforge.lms.lrs.store import LrsStore
from courseforge.model.package import PackageFormat
from courseforge.model.preview import (
    ApiEvent,
    Completion,
    Finding,
    LaunchRecord,
    Success,
    Terms,
)
from courseforge.stages.preview.assertions import LaunchObservation, LaunchRule, ScenarioObservation
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HostLaunch,
    LaunchProgress,
    LaunchRequest,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins import xapi_rules
from courseforge.stages.preview.harness.plugins.statement_writes import StatementWrites, basic_user
from courseforge.stages.preview.harness.plugins.xapi import (
    StatementPlugin,
    recorded_interactions,
    registration_statements,
    signals,
)
from courseforge.stages.preview.harness.plugins.xapi_rules import duration_seconds
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.stages.preview.harness.store import SideRecords
from courseforge.standards import cmi5 as std

PLAIN_PAGE = "/lms/plain.html"
FETCH_PATH = "/cmi5/fetch/"
AU_VERBS = frozenset(verb.name.lower() for verb in std.AU_VERBS)
RETURNED = "/returned/"
SIDE_RECORDS = "cmi5"
LMS_RECORDS = "cmi5-lms"
LAUNCH = "launch"
TERMS = Terms(status="the completed/passed/failed statements", score="result.score.scaled",
              finish="the terminated statement", session_time="result.duration of terminated",
              state=f"the State document '{std.RESUME_STATE_ID}'")
STATE_TEXT = "state text"
MODES = {"normal": std.LaunchMode.NORMAL, "browse": std.LaunchMode.BROWSE, "review": std.LaunchMode.REVIEW}


@dataclass(frozen=True)
class Au(Unit):
    """One AU of cmi5.xml, with what the LMS puts in LMS.LaunchData."""

    move_on: str = std.MoveOn.NOT_APPLICABLE.value
    mastery_score: str = ""
    launch_method: str = std.LaunchMethod.ANY_WINDOW.value
    launch_parameters: str = ""


class Cmi5PackageError(ValueError):
    """The package has no cmi5.xml the LMS would import."""


def _text(langtext: tuple[tuple[str, str], ...]) -> str:
    return next((text for _, text in langtext if text), "")


def read_structure(package_dir: Path) -> CourseStructure:
    path = package_dir / std.PROFILE.manifest
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Cmi5PackageError(f"cannot read {std.PROFILE.manifest}: {error}") from None
    return parse_course_structure(data, source=std.PROFILE.manifest, in_package=True)  # CourseStructureError


def read_aus(package_dir: Path) -> tuple[Au, ...]:
    structure = read_structure(package_dir)
    return tuple(Au(identifier=au.id, title=_text(au.title), href=au.url, move_on=au.move_on.value,
                    mastery_score="" if au.mastery_score is None else str(au.mastery_score),
                    launch_method=au.launch_method.value, launch_parameters=au.launch_parameters or "")
                 for au in structure.assignable_units())


# ------------------------------------------------------------------------------------ the LMS side


@dataclass(frozen=True)
class _Launch:
    registration: uuid.UUID
    session: uuid.UUID
    activity_id: str
    actor: Mapping[str, Any]
    mode: std.LaunchMode
    move_on: std.MoveOn
    profile: LmsProfile
    fetch_url: str

    def to_record(self) -> dict[str, Any]:
        return {"registration": str(self.registration), "session": str(self.session),
                "activityId": self.activity_id, "actor": dict(self.actor), "mode": self.mode.value,
                "moveOn": self.move_on.value, "profile": self.profile.name, "fetchUrl": self.fetch_url}

    @classmethod
    def from_record(cls, value: Mapping[str, Any], profiles: Mapping[str, LmsProfile]) -> _Launch:
        """A launch a server before this one opened (KeyError: a profile this server does not have)."""
        return cls(uuid.UUID(str(value["registration"])), uuid.UUID(str(value["session"])), str(value["activityId"]),
                   dict(value["actor"]), std.LaunchMode(value["mode"]), std.MoveOn(value["moveOn"]),
                   profiles[str(value["profile"])], str(value["fetchUrl"]))


@dataclass
class _Registry:
    """What the side knows of its launches (uvicorn's thread and the session's both read it)."""

    launches: dict[str, _Launch] = field(default_factory=dict)
    sessions: dict[uuid.UUID, str] = field(default_factory=dict)
    fetches: dict[str, str] = field(default_factory=dict)
    """The fetch URL's ticket (its last path segment) -> the launch."""
    courses: dict[tuple[str, str], str] = field(default_factory=dict)
    structures: dict[str, CourseStructure] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _session_of(scope: Scope) -> uuid.UUID | None:
    """The cmi5 session a request's Basic credentials were issued for (service.SESSION_CLIENT_PREFIX)."""
    key = basic_user(scope)
    if key is None or not key.startswith(SESSION_CLIENT_PREFIX):
        return None
    try:
        return uuid.UUID(key.removeprefix(SESSION_CLIENT_PREFIX))
    except ValueError:
        return None


class _FetchNotes:
    """The fetch URL's POSTs noted to the launch they belong to (what the AU asked, what it got)."""

    def __init__(self, app: ASGIApp, side: Cmi5Side) -> None:
        self.app = app
        self.side = side

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        launch = None
        if scope["type"] == "http" and FETCH_PATH in path:
            launch = self.side.registry.fetches.get(path.rsplit("/", 1)[-1])
        if launch is None:
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        self.side.writes.note(launch, f"{scope['method']} fetch", (path,), str(status))


class Cmi5Side:
    """One cmi5 LMS + LRS for the server's lifetime, strict mode on."""

    def __init__(self, host: HarnessHost) -> None:
        self.host = host
        self.registry = _Registry()
        self.records = SideRecords(host.store, SIDE_RECORDS)
        self._read_launches()
        self.store: LrsStore = host.lrs_store("cmi5-lrs.sqlite")
        self.base = f"{host.base_url}{host.prefix}"
        self.cmi5: Cmi5Host = create_cmi5_host(self.store, StaticCredentials({}), base_url=self.base, strict=True,
                                               records=SideRecords(host.store, LMS_RECORDS))
        self.writes = StatementWrites(self.cmi5.app, host, self._launch_of, self._profile_of, self._registration_of)
        self.routes: Sequence[BaseRoute] = (
            Route(RETURNED + "{launch}", self._returned),
            Mount("/", app=_FetchNotes(self.writes, self)),
        )

    def _read_launches(self) -> None:
        """The launches earlier servers on the same store opened, in the order they were opened."""
        for launch_id, value in self.records.all(LAUNCH):
            try:
                launch = _Launch.from_record(value, self.host.profiles)
            except KeyError:
                continue
            self.registry.launches[launch_id] = launch
            self.registry.sessions[launch.session] = launch_id

    # ---------------------------------------------------------------- who is asking

    def _launch_of(self, scope: Scope, body: bytes) -> str | None:
        session = _session_of(scope)
        with self.registry.lock:
            return None if session is None else self.registry.sessions.get(session)

    def _registration_of(self, launch_id: str) -> str:
        with self.registry.lock:
            return str(self.registry.launches[launch_id].registration)

    def _profile_of(self, launch_id: str) -> LmsProfile:
        with self.registry.lock:
            return self.registry.launches[launch_id].profile

    async def _returned(self, request: Request) -> HTMLResponse:
        launch = request.path_params["launch"]
        if launch in self.registry.launches:
            self.writes.note(launch, "GET returnURL", (str(request.url),), "200")
        return HTMLResponse("<!doctype html><html lang='en'><title>LMS</title><h1>Back in the LMS</h1>"
                            "<p>The course has ended; the LMS shows its page again.</p></html>")

    # ---------------------------------------------------------------- courses and registrations

    def _structure(self, package: ServedPackage) -> CourseStructure:
        with self.registry.lock:
            found = self.registry.structures.get(package.id)
        if found is None:
            found = read_structure(package.folder)
            with self.registry.lock:
                self.registry.structures[package.id] = found
        return found

    def _course(self, package: ServedPackage, profile: LmsProfile) -> str:
        """The LMS course a package is imported as: one per package (locales share course IRIs) and per
        mastery score a profile imposes; the AUs keep their publisher ids."""
        mastery = "" if profile.mastery_percent is None else f"{profile.mastery_percent:g}"
        with self.registry.lock:
            known = self.registry.courses.get((package.id, mastery))
        if known is not None:
            return known
        structure = self._structure(package)
        key = f"{structure.id}/preview/{package.id}" + (f"/mastery-{mastery}" if mastery else "")
        children = structure.children
        if profile.mastery_percent is not None:
            children = tuple(_with_mastery(child, std.mastery_score(profile.mastery_percent)) for child in children)
        self.cmi5.lms.add_course(dataclasses.replace(structure, id=key, children=children),
                                 f"{self.host.base_url}{package.url_path}")
        with self.registry.lock:
            self.registry.courses[(package.id, mastery)] = key
        return key

    def attempt(self, request: LaunchRequest, previous: Attempt | None) -> Attempt:
        course = self._course(request.package, request.profile)
        if previous is not None and previous.data.get("course") == course:
            registration = uuid.UUID(str(previous.data["registration"]))
            move_on = std.MoveOn(request.unit.move_on) if isinstance(request.unit, Au) else std.MoveOn.NOT_APPLICABLE
            if not self._done(registration, move_on) or not request.options.new_attempt_after_exit:
                return Attempt(previous.number, previous.data, resumed=self._has_state(registration, request))
        learner = Cmi5Learner(request.learner.HOME_PAGE, request.learner.id)
        entry = self.cmi5.lms.register(course, learner, LearnerPreferences((self._language(request.package),)))
        number = 1 if previous is None else previous.number + 1
        return Attempt(number, {"course": course, "registration": str(entry.id)}, resumed=False)

    def _language(self, package: ServedPackage) -> str:
        structure = self._structure(package)
        return next((lang for lang, _ in structure.title if lang), "")

    def _done(self, registration: uuid.UUID, move_on: std.MoveOn) -> bool:
        """The AU's moveOn is met, or the learner failed it (a failed is only sent once final)."""
        verbs = {verb_name(s) for s in self._statements(registration)}
        met = {
            std.MoveOn.PASSED: "passed" in verbs,
            std.MoveOn.COMPLETED: "completed" in verbs,
            std.MoveOn.COMPLETED_AND_PASSED: {"completed", "passed"} <= verbs,
            std.MoveOn.COMPLETED_OR_PASSED: bool({"completed", "passed"} & verbs),
            std.MoveOn.NOT_APPLICABLE: "terminated" in verbs,
        }[move_on]
        return met or "failed" in verbs

    def _has_state(self, registration: uuid.UUID, request: LaunchRequest) -> bool:
        launches = [launch for launch in self._launches() if launch.registration == registration]
        return bool(launches) and bool(self._state(launches[-1]).get("state"))

    def open(self, request: LaunchRequest, attempt: Attempt) -> HostLaunch:
        registration = uuid.UUID(str(attempt.data["registration"]))
        mode = MODES.get(request.options.lesson_mode, std.LaunchMode.NORMAL)
        return_url = None if request.profile.mandatory_only else f"{self.base}{RETURNED}{request.launch_id}"
        launch = self.cmi5.lms.launch(registration, request.unit.identifier, mode=mode, return_url=return_url)
        record = _Launch(registration, launch.session.session_id, launch.session.activity_id,
                         launch.session.learner.actor(), mode, launch.session.au.move_on, request.profile,
                         launch.fetch_url)
        with self.registry.lock:
            self.registry.launches[request.launch_id] = record
            self.registry.sessions[record.session] = request.launch_id
            self.registry.fetches[launch.fetch_url.rsplit("/", 1)[-1]] = request.launch_id
        self.records.put(LAUNCH, request.launch_id, record.to_record())
        if request.profile.mandatory_only:
            self._forget_preferences(record)
        return HostLaunch(content_url=launch.url, page=PLAIN_PAGE)

    def _forget_preferences(self, launch: _Launch) -> None:
        """An LMS that keeps no learner preferences: the agent profile answers 404 (§11 lets the AU go on)."""
        agent = agent_key(dict(launch.actor))
        if agent is not None:
            scope = DocumentScope(DocumentKind.AGENT_PROFILE, agent=agent)
            self.store.delete_document(DocumentKey(scope, std.LEARNER_PREFERENCES_PROFILE_ID))

    # ---------------------------------------------------------------- what it holds

    def _launches(self) -> list[_Launch]:
        with self.registry.lock:
            return list(self.registry.launches.values())

    def _statements(self, registration: uuid.UUID) -> list[dict[str, Any]]:
        return registration_statements(self.store, str(registration), 1000)

    def _state(self, launch: _Launch) -> dict[str, Any]:
        agent = agent_key(dict(launch.actor))
        if agent is None:
            return {}
        scope = DocumentScope(DocumentKind.STATE, launch.activity_id, agent, str(launch.registration))
        document = self.store.get_document(DocumentKey(scope, std.RESUME_STATE_ID))
        try:
            value = json.loads(document.content) if document is not None else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def progress(self, launch_id: str) -> LaunchProgress:
        events = self.host.store.events(launch_id)
        verbs = {e.arguments[0].rsplit("/", 1)[-1] for e in events
                 if e.method.endswith(" statements") and e.arguments and e.error == "0"}
        return LaunchProgress(marker=(len(events), self.writes.noted(launch_id)),
                              pending=self.writes.pending(launch_id), started="initialized" in verbs,
                              ended="terminated" in verbs)

    def read(self, launch_id: str) -> LaunchRecord:
        with self.registry.lock:
            launch = self.registry.launches[launch_id]
        events = self.host.store.events(launch_id)
        own = [s for s in self._statements(launch.registration) if verb_name(s) not in LMS_VERBS]
        state = self._state(launch)
        return read_record(events, own, state, launch)


def verb_name(statement: Mapping[str, Any]) -> str:
    verb = statement.get("verb")
    return str(verb.get("id", "")).rsplit("/", 1)[-1] if isinstance(verb, Mapping) else ""


def scored(move_on: std.MoveOn) -> bool:
    """Whether the AU's moveOn waits for a verdict (courseforge's scored courses: CompletedAndPassed, Passed)."""
    return move_on in (std.MoveOn.PASSED, std.MoveOn.COMPLETED_AND_PASSED)


def read_record(events: Sequence[ApiEvent], own: Sequence[Mapping[str, Any]], state: Mapping[str, Any],
                launch: _Launch) -> LaunchRecord:
    """One launch's writes and the registration's AU statements and State document, in neutral terms.

    As for Tin Can, a scored AU's completion counts once its verdict is in: until passed or failed the
    course rules hold it incomplete, whatever completed statement the LMS has."""
    verbs = [name for s in own if (name := verb_name(s)) in AU_VERBS]
    verdicts = [s for s in own if verb_name(s) in ("passed", "failed")]
    last = verdicts[-1] if verdicts else None
    scaled = _scaled(last)
    completed = "completed" in verbs and (last is not None or not scored(launch.move_on))
    completion = Completion.COMPLETED if completed else Completion.INCOMPLETE if verbs else Completion.NOT_ATTEMPTED
    success = Success(verb_name(last)) if last is not None else Success.UNKNOWN
    session = [s for s in own if _session_id(s) == str(launch.session)]
    terminated = [s for s in session if verb_name(s) == "terminated"]
    duration = terminated[0].get("result", {}).get("duration") if terminated else None
    held = str(state.get("state", ""))
    done = last is not None or ("completed" in verbs and not scored(launch.move_on))
    values = {
        "LMS.LaunchData launchMode": launch.mode.value, "LMS.LaunchData moveOn": launch.move_on.value,
        "registration": str(launch.registration), "statements": ", ".join(verbs),
        "state bookmark": str(state.get("bookmark", "")), STATE_TEXT: held,
        "state interactions": str(state.get("interactions", "")),
        "state sent": ", ".join(sorted(k for k, v in dict(state.get("sent", {})).items() if v)),
    }
    return LaunchRecord(
        format=PackageFormat.CMI5, terms=TERMS, completion=completion, success=success,
        status_text=f"statements: {', '.join(verbs) or 'none'}",
        score_percent=None if scaled is None else round(scaled * 100, 4),
        score_text="" if scaled is None else str(scaled),
        left_suspended=not done and bool(held) and launch.mode is std.LaunchMode.NORMAL,
        exit_text=("the record is final" if done else f"{TERMS.state} holds no saved state" if not held
                   else f"the launch was in {launch.mode.value} mode"),
        bookmark=str(state.get("bookmark", "")), state=held,
        interactions=recorded_interactions(own), finishes=len(terminated),
        session_time_s=duration_seconds(duration) if isinstance(duration, str) else None,
        signals=signals(events), values=tuple(sorted(values.items())), state_key=STATE_TEXT)


LMS_VERBS = frozenset({"launched", "satisfied", "abandoned", "waived"})


def _with_mastery(node: Any, mastery: Decimal) -> Any:
    if isinstance(node, AssignableUnit):
        return dataclasses.replace(node, mastery_score=mastery)
    return dataclasses.replace(node, children=tuple(_with_mastery(child, mastery) for child in node.children))


def _session_id(statement: Mapping[str, Any]) -> str:
    context = statement.get("context")
    extensions = context.get("extensions") if isinstance(context, Mapping) else None
    value = extensions.get(std.EXT_SESSION_ID) if isinstance(extensions, Mapping) else None
    return str(value or "")


def _scaled(statement: Mapping[str, Any] | None) -> float | None:
    if statement is None:
        return None
    score = statement.get("result", {}).get("score")
    value = score.get("scaled") if isinstance(score, Mapping) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------------ the rules


def refused_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """Every statement the strict cmi5 LMS refused, with the rule it named (a profile's 503s are no refusal)."""
    findings = []
    for statement, event in xapi_rules.posted(launch.events):
        if event.error in ("0", "503"):
            continue
        answer = event.arguments[3] if len(event.arguments) > 3 else ""
        rule = answer.split("[cmi5.", 1)[1].split("]", 1)[0] if "[cmi5." in answer else "refused"
        findings.append(Finding("cmi5.sequence", f"the cmi5 LMS refused {verb_name(statement)} with HTTP "
                                f"{event.error} (cmi5.{rule}): {answer[:300]}", seen.where(launch.leave_step)))
    return findings


def browse_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """Browse and Review: no completed, passed, failed or answered from the AU (§10 launchMode)."""
    mode = dict(launch.record.values).get("LMS.LaunchData launchMode", std.LaunchMode.NORMAL.value)
    if mode == std.LaunchMode.NORMAL.value:
        return []
    stored = xapi_rules.unique(xapi_rules.posted(launch.events))
    judged = sorted({verb_name(s) for s in stored} & {"completed", "passed", "failed", "answered"})
    return [Finding("cmi5.sequence", f"a {mode} launch sent {', '.join(judged)}; only Normal mode records results",
                    seen.where(launch.leave_step))] if judged else []


RULES: tuple[LaunchRule, ...] = (refused_rule, browse_rule, xapi_rules.statement_validity_rule, xapi_rules.lost_rule)
"""The cmi5 rules (strict mode's refusals, launch modes), then xAPI's: every statement through
@learninglocker/xapi-validation, none lost or sent twice (the Tin Can session rules are Tin Can's own)."""


# ------------------------------------------------------------------------------------ the plug-in


class Cmi5Plugin(StatementPlugin):
    """cmi5 on courseforge's cmi5 LMS and LRS, strict mode (interactions and timeline as Tin Can's)."""

    format = PackageFormat.CMI5

    @property
    def rules(self) -> tuple[LaunchRule, ...]:
        return RULES

    def read_units(self, package_dir: Path) -> tuple[Unit, ...]:
        return read_aus(package_dir)

    def profile_meaning(self, profile: LmsProfile) -> str | None:
        if profile.overrides_status or profile.refuses_when_dismissed or profile.write_only_interactions:
            return None  # the LMS judges moveOn and never rewrites, refuses or hides what the AU sent
        meanings = [
            (f"LMS.LaunchData masteryScore {std.mastery_score(profile.mastery_percent).normalize()}"
             if profile.mastery_percent is not None else ""),
            ("LMS.LaunchData holds only what cmi5 requires (no returnURL) and there is no cmi5LearnerPreferences "
             "document" if profile.mandatory_only else ""),
            f"the AU {profile.frames_between + 1} windows below the LMS page" if profile.frames_between else "",
            "the AU in a popup window (AnyWindow)" if profile.popup else "",
            f"each statement and state write held {profile.write_delay_s:g} s" if profile.write_delay_s else "",
            (f"the first {profile.unreachable_writes} writes of each registration answered 503 (of each launch, "
             "a session shorter than the outage could never send its statements: a cmi5 token ends with its "
             "session)" if profile.unreachable_writes else ""),
        ]
        return "; ".join(m for m in meanings if m) or "a well-behaved cmi5 LMS (strict mode)"

    def start(self, host: HarnessHost) -> LmsSide:
        return Cmi5Side(host)
