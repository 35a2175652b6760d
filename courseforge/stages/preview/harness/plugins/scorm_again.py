"""The LMS side every SCORM plug-in shares: a scorm-again API on the LMS page, commits posted to the harness.

The host page (static/host.html) builds the standard's scorm-again class from ``config["api"]`` (its
constructor, global name, methods to record, settings and the calls the profile refuses), loads the
attempt's data model, records every call and frames the content. Each commit scorm-again posts is stored
by the harness (``/__lms/commit/<launch>``) as the learner's record; the record of an attempt is its last
commit. What differs between SCORM 1.2 and SCORM 2004 is a :class:`ScormDataModel`: the API's names, the
seeds of a first attempt, how the next one follows from the stored record, the profile's settings and
refusals, and how the stored record reads into the neutral :class:`LaunchRecord`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.routing import BaseRoute

from courseforge.model.preview import ApiEvent, LaunchRecord, TimelineEntry
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HostLaunch,
    LaunchOptions,
    LaunchProgress,
    LaunchRequest,
    Learner,
    Unit,
)
from courseforge.stages.preview.harness.profiles import LmsProfile, Refusal

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
