"""The LMS side every SCORM plug-in shares: a scorm-again API on the LMS page, commits posted to the harness.

The host page (static/host.html) builds the standard's scorm-again class from ``config["api"]`` (its
constructor, global name, methods to record, settings and the calls the profile refuses), loads the
attempt's data model, records every call and frames the content. Each commit scorm-again posts is stored
by the harness (``/__lms/commit/<launch>``) as the learner's record; the record of an attempt is its last
commit. What differs between SCORM 1.2 and SCORM 2004 is a :class:`ScormDataModel`: the API's names, the
seeds of a first attempt, how the next one follows from the stored record, the profile's settings and
refusals, and how the stored record reads into the neutral :class:`LaunchRecord`.

:class:`ScormAgainPlugin` is both editions' plug-in and data model: attempts, refusals, settings, what a
profile means, the timeline. An edition's subclass states only its own facts (API, error codes, where the
session's elements sit, the words of its profiles) and reads its manifest, seeds and record.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from starlette.routing import BaseRoute

from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent, LaunchRecord, Signal, SignalKind, TimelineEntry
from courseforge.stages.preview.assertions import LaunchRule
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HostLaunch,
    InteractionCodec,
    LaunchOptions,
    LaunchProgress,
    LaunchRequest,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.profiles import LmsProfile, Refusal, RefusalMoment

HOST_PAGE = "/lms/host.html"


@dataclass(frozen=True)
class ApiShape:
    """The LMS API the host page builds for a standard (see static/host.js)."""

    standard: str
    constructor: str
    """The scorm-again class, e.g. ``Scorm12API``."""
    global_name: str
    """Where content looks for it, e.g. ``API``."""
    methods: tuple[str, ...]
    """Every method the recorder wraps."""
    initialize: str
    finish: str
    commit: str
    get_value: str
    set_value: str
    last_error: str
    error_queries: tuple[str, ...]
    """Calls that report on the previous call's error (their own code is not theirs)."""

    @classmethod
    def scorm(cls, standard: str, constructor: str, global_name: str, prefix: str = "",
              finish: str = "Terminate") -> ApiShape:
        """A SCORM API: both editions have the same eight calls; 1.2 prefixes them ``LMS`` and names the finish
        ``Finish``, 2004 ``Terminate``."""
        call = {name: prefix + name for name in ("Initialize", "GetValue", "SetValue", "Commit", "GetLastError",
                                                  "GetErrorString", "GetDiagnostic")}
        errors = (call["GetLastError"], call["GetErrorString"], call["GetDiagnostic"])
        return cls(standard=standard, constructor=constructor, global_name=global_name,
                   methods=(call["Initialize"], prefix + finish, call["GetValue"], call["SetValue"], call["Commit"],
                            *errors),
                   initialize=call["Initialize"], finish=prefix + finish, commit=call["Commit"],
                   get_value=call["GetValue"], set_value=call["SetValue"], last_error=call["GetLastError"],
                   error_queries=errors)

    def to_host(self, settings: Mapping[str, object], refusals: Sequence[Refusal]) -> dict[str, object]:
        return {"standard": self.standard, "constructor": self.constructor, "global_name": self.global_name,
                "methods": list(self.methods), "last_error": self.last_error,
                "error_queries": list(self.error_queries), "settings": dict(settings),
                "refusals": [refusal.to_host() for refusal in refusals]}


def flatten_cmi(cmi: Mapping[str, Any], prefix: str = "cmi") -> dict[str, str]:
    """``{"core": {"score": {"raw": "90"}}}`` -> ``{"cmi.core.score.raw": "90"}`` (lists by index)."""
    flat: dict[str, str] = {}
    for key, value in cmi.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_cmi(value, name))
        elif isinstance(value, list):
            flat.update(flatten_cmi({str(index): item for index, item in enumerate(value)}, name))
        else:
            flat[name] = "" if value is None else str(value)
    return flat


def merge(target: dict[str, Any], seeds: Mapping[str, Any]) -> dict[str, Any]:
    """``seeds`` written over ``target``, nested mappings merged."""
    for key, value in seeds.items():
        if isinstance(value, Mapping):
            merge(target.setdefault(key, {}), value)
        else:
            target[key] = value
    return target


class ScormDataModel(Protocol):
    """What one SCORM edition tells the shared side."""

    api: ApiShape

    def first_attempt(self, sco: Unit, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> Attempt:
        ...

    def next_attempt(self, previous: Attempt, stored: Mapping[str, Any], sco: Unit, learner: Learner,
                     profile: LmsProfile, options: LaunchOptions) -> Attempt:
        """The launch after one that left ``stored`` (the attempt's last commit, nested)."""
        ...

    def settings(self, profile: LmsProfile) -> Mapping[str, object]:
        """scorm-again settings on top of the harness defaults (autocommit off, the commit URL)."""
        ...

    def refusals(self, profile: LmsProfile) -> tuple[Refusal, ...]:
        ...

    def read(self, events: Sequence[ApiEvent], record: Mapping[str, str]) -> LaunchRecord:
        """One launch's calls and the stored record (flattened) in neutral terms."""
        ...


def expected_commits(api: ApiShape, events: Sequence[ApiEvent]) -> int:
    """Commits the content was promised: Commit/Finish answered "true" with no error (scorm-again answers
    "true" to a second finish, with an error and no commit)."""
    return sum(1 for e in events if e.method in (api.commit, api.finish) and e.result == "true" and e.error == "0")


class ScormAgainSide:
    """The :class:`~courseforge.stages.preview.harness.interface.LmsSide` of a scorm-again standard."""

    def __init__(self, host: HarnessHost, model: ScormDataModel) -> None:
        self.host = host
        self.model = model

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return ()  # the host page and the harness's commit and events routes are all it needs

    def attempt(self, request: LaunchRequest, previous: Attempt | None) -> Attempt:
        if previous is None:
            return self.model.first_attempt(request.unit, request.learner, request.profile, request.options)
        commits = self.host.store.attempt_commits(request.package.id, request.unit.identifier, request.learner.id,
                                                  previous.number)
        stored = dict(commits[-1].cmi) if commits else dict(previous.data)
        return self.model.next_attempt(previous, stored, request.unit, request.learner, request.profile,
                                       request.options)

    def open(self, request: LaunchRequest, attempt: Attempt) -> HostLaunch:
        api = self.model.api.to_host(self.model.settings(request.profile), self.model.refusals(request.profile))
        return HostLaunch(content_url=request.package.url_path + request.unit.href, page=HOST_PAGE,
                          config={"api": api, "cmi": dict(attempt.data), "commitUrl": request.commit_url})

    def progress(self, launch_id: str) -> LaunchProgress:
        events = self.host.store.events(launch_id)
        commits = self.host.store.commits(launch_id)
        methods = {event.method for event in events}
        api = self.model.api
        return LaunchProgress(marker=(len(events), len(commits)),
                              pending=len(commits) < expected_commits(api, events),
                              started=api.initialize in methods, ended=api.finish in methods)

    def stored(self, launch_id: str) -> dict[str, Any]:
        """The learner record of the launch's attempt: its last commit, or what the launch was loaded with."""
        row = self.host.store.launch(launch_id)
        if row is None:
            raise LookupError(f"unknown launch {launch_id!r}")
        commits = self.host.store.attempt_commits(row.package, row.sco, row.learner, row.attempt)
        return dict(commits[-1].cmi) if commits else dict(row.config.get("cmi", {}))

    def read(self, launch_id: str) -> LaunchRecord:
        return self.model.read(self.host.store.events(launch_id), flatten_cmi(self.stored(launch_id)))


def scorm_timeline(events: Sequence[ApiEvent], launch: int, errors: Mapping[str, str],
                   state_element: str) -> tuple[TimelineEntry, ...]:
    """SCORM calls as report rows: for the data-model calls the element, and the value written (or, for a
    read, the value returned); ``errors`` names the standard's error codes."""
    return tuple(_row(event, launch, errors, state_element) for event in events)


def _row(event: ApiEvent, launch: int, errors: Mapping[str, str], state_element: str) -> TimelineEntry:
    is_read = event.method.endswith("GetValue")
    is_value_call = is_read or event.method.endswith("SetValue")
    element = event.arguments[0] if is_value_call and event.arguments else ""
    if is_read:
        value, result = event.result, ""
    elif is_value_call:
        value, result = (event.arguments[1] if len(event.arguments) > 1 else ""), event.result
    else:
        value, result = " ".join(event.arguments), event.result
    failed = event.result == "false" or event.error not in ("0", "")
    return TimelineEntry(launch=launch, at_ms=event.at_ms, call=event.method, element=element, value=value,
                         result=result, error=event.error, failed=failed,
                         error_name=errors.get(event.error, "") if failed else "", state=element == state_element)


def set_values(events: Sequence[ApiEvent], set_method: str, element: str) -> list[str]:
    """Every value the content wrote to ``element``, in order."""
    return [e.arguments[1] if len(e.arguments) > 1 else "" for e in events
            if e.method == set_method and e.arguments[:1] == (element,)]


# ------------------------------------------------------------------------------------ reading the record


OwnSignals = Callable[[str, str, float, int], tuple[Signal, ...] | None]
"""(element, the value written, at ms, event index) -> what an edition's status elements signal; None for an
element that is not one of them."""


def scorm_signals(events: Sequence[ApiEvent], api: ApiShape, simple: Mapping[str, SignalKind],
                  own: OwnSignals) -> tuple[Signal, ...]:
    """The neutral timeline of one launch's calls (every call the content made, whatever it returned): the
    session's calls, the edition's status elements (``own``), the elements read as written (``simple``) and
    each interaction's id."""
    calls = {api.initialize: SignalKind.START, api.commit: SignalKind.COMMIT, api.finish: SignalKind.FINISH}
    found: list[Signal] = []
    for index, event in enumerate(events):
        at = event.at_ms
        if event.method in calls:
            found.append(Signal(at, calls[event.method], event=index))
        elif event.method == api.set_value and event.arguments:
            element, value = event.arguments[0], event.arguments[1] if len(event.arguments) > 1 else ""
            read = own(element, value, at, index)
            if read is not None:
                found += read
            elif element in simple:
                found.append(Signal(at, simple[element], value, index))
            elif element.startswith("cmi.interactions.") and element.endswith(".id"):
                found.append(Signal(at, SignalKind.INTERACTION, value, index))
    return tuple(found)


def last_exit(events: Sequence[ApiEvent], api: ApiShape, element: str, record: Mapping[str, str]) -> str:
    """How the launch left: the exit the content set last, else the one the record holds."""
    exits = set_values(events, api.set_value, element)
    return exits[-1] if exits else record.get(element, "")


def session_time(found: Sequence[Signal]) -> str | None:
    """The session_time the content set last before it first finished (None: it set none)."""
    first_finish = next((s.at_ms for s in found if s.kind is SignalKind.FINISH), None)
    times = [s.value for s in found if s.kind is SignalKind.SESSION_TIME
             and (first_finish is None or s.at_ms <= first_finish)]
    return times[-1] if times else None


def interaction_elements(record: Mapping[str, str], key: re.Pattern[str]) -> list[dict[str, str]]:
    """Each interaction of the (flattened) record in index order, as its elements by name (``id``, ``type``,
    ``correct_responses.0.pattern``...); ``key`` splits a name into index and element. An interaction without
    an id is left out, and counts (``_count``) are no element."""
    found: dict[int, dict[str, str]] = {}
    for name, value in record.items():
        match = key.match(name)
        if match and not match.group(2).startswith("_"):
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [found[index] for index in sorted(found) if found[index].get("id")]


# ------------------------------------------------------------------------------------ the plug-in


@dataclass(frozen=True)
class ErrorCodes:
    """An edition's error codes (its standard module's), as the timeline names them and a profile refuses."""

    names: Mapping[str, str]
    """Code -> the standard's name for it."""
    not_implemented: str
    commit_failure: str
    general_exception: str
    write_only: str


@dataclass(frozen=True)
class ProfileWords:
    """How an edition says what the profiles that touch its data model change (the rest is said alike)."""

    overrides: str
    """``overrides_status``: the LMS decides the status itself."""
    mastery: str
    """``mastery_percent``: the element the LMS seeds its passing score into (the value follows)."""
    mandatory: str
    """``mandatory_only``: what a minimal LMS does not implement."""
    write_only: str
    """``write_only_interactions``: reads of the interactions refused."""
    plain: str
    """A profile that changes nothing."""


@dataclass(frozen=True)
class EditionReaders:
    """What only the edition's own code knows: its manifest's units, what its LMS seeds at every launch (nested
    cmi), a passing percent the LMS imposes as written into its data model, and its record in neutral terms."""

    units: Callable[[Path], tuple[Unit, ...]]
    seeds: Callable[[Unit, Learner, LmsProfile, LaunchOptions], dict[str, Any]]
    passing_score: Callable[[float], str]
    record: Callable[[Sequence[ApiEvent], Mapping[str, str]], LaunchRecord]


class ScormAgainPlugin:
    """A SCORM edition on scorm-again: its :class:`~courseforge.stages.preview.harness.interface.HarnessPlugin`
    and :class:`ScormDataModel` in one. A subclass gives the edition's facts, its class attributes."""

    format: PackageFormat
    api: ApiShape
    rules: tuple[LaunchRule, ...]
    interactions: InteractionCodec
    """The interactions' syntax (``<edition>_rules.CODEC``)."""
    errors: ErrorCodes
    state_element: str
    """Where the content keeps its saved state (cmi.suspend_data)."""
    suspend: str
    """The exit that suspends the attempt."""
    optional: tuple[str, str]
    """Patterns of the elements a minimal LMS refuses to read and to write (``mandatory_only``)."""
    words: ProfileWords
    session: tuple[str, ...] = ()
    """Where entry, exit and session_time sit in the nested cmi (SCORM 1.2: under core)."""
    side: type[ScormAgainSide] = ScormAgainSide
    readers: EditionReaders

    def read_units(self, package_dir: Path) -> tuple[Unit, ...]:
        return self.readers.units(package_dir)

    def lms_seeds(self, sco: Unit, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> dict[str, Any]:
        return self.readers.seeds(sco, learner, profile, options)

    def read(self, events: Sequence[ApiEvent], record: Mapping[str, str]) -> LaunchRecord:
        return self.readers.record(events, record)

    def profile_meaning(self, profile: LmsProfile) -> str | None:
        if profile.unreachable_writes:
            return None  # a SCORM API is in the page: there is no request to lose
        words, api, errors = self.words, self.api, self.errors
        meanings = [
            words.overrides if profile.overrides_status else "",
            (f"{words.mastery} {self.readers.passing_score(profile.mastery_percent)}"
             if profile.mastery_percent is not None else ""),
            words.mandatory if profile.mandatory_only else "",
            (f"during dismissal {api.commit} returns 'false' ({errors.commit_failure}) and {api.get_value} null "
             f"({errors.general_exception})" if profile.refuses_when_dismissed else ""),
            f"the API {profile.frames_between + 1} windows up" if profile.frames_between else "",
            "the API only in window.opener" if profile.popup else "",
            (f"each commit stored after {profile.write_delay_s:g} s, asynchronous commits"
             if profile.write_delay_s else ""),
            words.write_only if profile.write_only_interactions else "",
        ]
        return "; ".join(m for m in meanings if m) or words.plain

    def start(self, host: HarnessHost) -> LmsSide:
        return self.side(host, self)

    def codec(self, package: ServedPackage, unit: Unit) -> InteractionCodec:
        return self.interactions

    def timeline(self, events: Sequence[ApiEvent], launch: int) -> tuple[TimelineEntry, ...]:
        return scorm_timeline(events, launch, self.errors.names, self.state_element)

    # ------------------------------------------------------------------ the data model (ScormDataModel)

    def settings(self, profile: LmsProfile) -> Mapping[str, object]:
        return {"useAsynchronousCommits": True} if profile.write_delay_s else {}

    def refusals(self, profile: LmsProfile) -> tuple[Refusal, ...]:
        api, errors = self.api, self.errors
        refused: list[Refusal] = []
        if profile.mandatory_only:
            reads, writes = self.optional
            refused += [Refusal((api.get_value,), reads, errors.not_implemented),
                        Refusal((api.set_value,), writes, errors.not_implemented, result="false")]
        if profile.refuses_when_dismissed:
            refused += [Refusal((api.commit,), "", errors.commit_failure, result="false",
                                when=RefusalMoment.DISMISSED),
                        Refusal((api.get_value,), "", errors.general_exception, result=None,
                                when=RefusalMoment.DISMISSED)]
        if profile.write_only_interactions:
            refused.append(Refusal((api.get_value,), r"^cmi\.interactions\.", errors.write_only))
        return tuple(refused)

    def first_attempt(self, sco: Unit, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> Attempt:
        cmi: dict[str, Any] = {}
        _session_of(cmi, self.session)["entry"] = "ab-initio"
        return Attempt(number=1, data=merge(cmi, self.lms_seeds(sco, learner, profile, options)), resumed=False)

    def next_attempt(self, previous: Attempt, stored: Mapping[str, Any], sco: Unit, learner: Learner,
                     profile: LmsProfile, options: LaunchOptions) -> Attempt:
        held: Any = stored
        for key in self.session:
            held = held.get(key, {}) if isinstance(held, Mapping) else None
        suspended = isinstance(held, Mapping) and held.get("exit") == self.suspend
        if not suspended and options.new_attempt_after_exit:
            fresh = self.first_attempt(sco, learner, profile, options)
            return Attempt(number=previous.number + 1, data=fresh.data, resumed=False)
        cmi = copy.deepcopy(dict(stored))
        session = _session_of(cmi, self.session)
        for session_only in ("exit", "session_time"):
            session.pop(session_only, None)
        session["entry"] = "resume" if suspended else ""
        return Attempt(number=previous.number, data=merge(cmi, self.lms_seeds(sco, learner, profile, options)),
                       resumed=suspended)


def _session_of(cmi: dict[str, Any], path: Sequence[str]) -> dict[str, Any]:
    """The mapping of ``cmi`` that holds the session's elements, made where missing."""
    for key in path:
        cmi = cmi.setdefault(key, {})
    return cmi
