"""The SCORM 1.2 plug-in: what an LMS reads from imsmanifest.xml, seeds into cmi, and how it reads cmi back.

From each item of each organization (multi-SCO packages included): identifier, title, the resource's
launch href with xml:base resolved (manifest, resources, resource) and the item's ``parameters``
appended, and the adlcp elements an LMS turns into read-only data: adlcp:masteryscore ->
cmi.student_data.mastery_score, adlcp:datafromlms -> cmi.launch_data, adlcp:maxtimeallowed ->
cmi.student_data.max_time_allowed, adlcp:timelimitaction -> cmi.student_data.time_limit_action.

Attempts (SCORM 1.2 leaves the policy to the LMS; this is the common one): the first launch is
``entry = "ab-initio"``; a launch after an exit of "suspend" resumes the same attempt (``entry =
"resume"``, everything stored carried over except the session's exit and session_time); after any
other exit ("", "logout", "time-out") the next launch is a new attempt with a fresh record, or, with
``LaunchOptions(new_attempt_after_exit=False)``, the same record again with ``entry = ""``.

The LMS side is scorm-again's Scorm12API (``scorm_again.py``); the profiles become its settings and
refused calls (:meth:`Scorm12Plugin.refusals`). The stored record reads into the neutral
:class:`LaunchRecord` (:func:`read_record`); ``scorm12_rules.py`` has the interactions' syntax and the
rules only SCORM 1.2 has.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree

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
    InteractionCodec,
    LaunchOptions,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins import scorm12_rules
from courseforge.stages.preview.harness.plugins.scorm_again import (
    ApiShape,
    ScormAgainSide,
    merge,
    scorm_timeline,
    set_values,
)
from courseforge.stages.preview.harness.profiles import LmsProfile, Refusal, RefusalMoment
from courseforge.standards import scorm12 as std

MANIFEST = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCORM12_API = ApiShape(
    standard="scorm12",
    constructor="Scorm12API",
    global_name=std.API_NAME,
    methods=("LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
             "LMSGetErrorString", "LMSGetDiagnostic"),
    initialize="LMSInitialize",
    finish="LMSFinish",
    commit="LMSCommit",
    get_value="LMSGetValue",
    set_value="LMSSetValue",
    last_error="LMSGetLastError",
    error_queries=("LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"),
)
TERMS = Terms(status="lesson_status", score="score.raw", finish="LMSFinish", session_time=std.SESSION_TIME,
              state=std.SUSPEND_DATA)


@dataclass(frozen=True)
class Sco(Unit):
    """One item of the manifest with the adlcp data the LMS seeds from it."""

    scorm_type: str = "sco"
    mastery_score: str = ""
    launch_data: str = ""
    max_time_allowed: str = ""
    time_limit_action: str = ""
    prerequisites: str = ""


class ManifestError(ValueError):
    """The package has no readable SCORM 1.2 manifest the LMS could launch from."""


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _child_text(element: etree._Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def _parser() -> etree.XMLParser:
    # Vendor manifests are untrusted: no DTDs, entities or network.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def with_parameters(href: str, parameters: str) -> str:
    """An item's ``parameters`` appended to its resource href (IMS CP: a leading ? or & is dropped)."""
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href + parameters
    query = parameters.lstrip("?&")
    return href + ("&" if "?" in href else "?") + query if query else href


def read_scos(package_dir: Path) -> tuple[Sco, ...]:
    """Every item with an identifierref, of every organization, in document order."""
    path = package_dir / MANIFEST
    try:
        root = etree.parse(str(path), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise ManifestError(f"cannot read {MANIFEST}: {error}") from None
    resources_elements = _children(root, "resources")
    if not resources_elements:
        raise ManifestError(f"{MANIFEST} has no <resources>")
    resources = resources_elements[0]
    base = urljoin(root.get(XML_BASE, ""), resources.get(XML_BASE, ""))
    by_id = {r.get("identifier", ""): r for r in _children(resources, "resource")}
    units: list[Sco] = []
    for organizations in _children(root, "organizations"):
        for organization in _children(organizations, "organization"):
            for item in organization.iter():
                if _local(item) != "item" or not item.get("identifierref"):
                    continue
                resource = by_id.get(item.get("identifierref", ""))
                if resource is None or not resource.get("href"):
                    continue
                units.append(_unit(item, resource, base, organization.get("identifier", "")))
    return tuple(units)


def _unit(item: etree._Element, resource: etree._Element, base: str, organization: str) -> Sco:
    href = urljoin(urljoin(base, resource.get(XML_BASE, "")), resource.get("href", ""))
    scorm_type = next((value for key, value in resource.attrib.items()
                       if etree.QName(key).localname.lower() == "scormtype"), "sco")
    return Sco(
        identifier=item.get("identifier", ""),
        title=_child_text(item, "title"),
        organization=organization,
        resource=resource.get("identifier", ""),
        href=with_parameters(href, item.get("parameters", "")),
        tracked=str(scorm_type).strip().lower() == "sco",
        scorm_type=str(scorm_type).strip().lower(),
        mastery_score=_child_text(item, "masteryscore"),
        launch_data=_child_text(item, "datafromlms"),
        max_time_allowed=_child_text(item, "maxtimeallowed"),
        time_limit_action=_child_text(item, "timelimitaction"),
        prerequisites=_child_text(item, "prerequisites"),
    )


def _score_text(percent: float) -> str:
    """70.0 -> "70", 72.5 -> "72.5": a mastery score as an LMS writes it."""
    return str(int(percent)) if percent == int(percent) else f"{percent:g}"


def lms_seeds(sco: Unit, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> dict[str, Any]:
    """What the LMS itself supplies at every launch: learner, credit, mode and the manifest's data."""
    facts = sco if isinstance(sco, Sco) else Sco(sco.identifier, sco.title, sco.href)
    mastery = _score_text(profile.mastery_percent) if profile.mastery_percent is not None else facts.mastery_score
    student_data = {"mastery_score": mastery, "max_time_allowed": facts.max_time_allowed,
                    "time_limit_action": facts.time_limit_action}
    return {
        "core": {"student_id": learner.id, "student_name": learner.name, "credit": options.credit,
                 "lesson_mode": options.lesson_mode},
        "launch_data": facts.launch_data,
        "student_data": {key: value for key, value in student_data.items() if value},
    }


# ------------------------------------------------------------------------------------ reading cmi


def _status(lesson_status: str) -> tuple[Completion, Success]:
    """lesson_status in neutral terms: passed is completed and passed; failed says nothing of completion."""
    return {
        "passed": (Completion.COMPLETED, Success.PASSED),
        "failed": (Completion.UNKNOWN, Success.FAILED),
        "completed": (Completion.COMPLETED, Success.UNKNOWN),
        "incomplete": (Completion.INCOMPLETE, Success.UNKNOWN),
        "browsed": (Completion.INCOMPLETE, Success.UNKNOWN),
        "not attempted": (Completion.NOT_ATTEMPTED, Success.UNKNOWN),
        "": (Completion.NOT_ATTEMPTED, Success.UNKNOWN),
    }.get(lesson_status, (Completion.UNKNOWN, Success.UNKNOWN))


def _signal(index: int, event: ApiEvent) -> tuple[Signal, ...]:
    api = SCORM12_API
    at = event.at_ms
    if event.method == api.initialize:
        return (Signal(at, SignalKind.START, event=index),)
    if event.method == api.commit:
        return (Signal(at, SignalKind.COMMIT, event=index),)
    if event.method == api.finish:
        return (Signal(at, SignalKind.FINISH, event=index),)
    if event.method != api.set_value or not event.arguments:
        return ()
    element, value = event.arguments[0], event.arguments[1] if len(event.arguments) > 1 else ""
    if element == std.LESSON_STATUS:
        completion, success = _status(value)
        found = [Signal(at, SignalKind.COMPLETION, completion.value, index)]
        if success is not Success.UNKNOWN:
            found.append(Signal(at, SignalKind.SUCCESS, success.value, index))
        return tuple(found)
    simple = {std.SCORE_RAW: SignalKind.SCORE, std.EXIT: SignalKind.EXIT, std.SESSION_TIME: SignalKind.SESSION_TIME,
              std.SUSPEND_DATA: SignalKind.STATE, std.LESSON_LOCATION: SignalKind.BOOKMARK}
    if element in simple:
        return (Signal(at, simple[element], value, index),)
    if element.startswith("cmi.interactions.") and element.endswith(".id"):
        return (Signal(at, SignalKind.INTERACTION, value, index),)
    return ()


def signals(events: Sequence[ApiEvent]) -> tuple[Signal, ...]:
    """The neutral timeline of one launch's calls (every call the content made, whatever it returned)."""
    return tuple(signal for index, event in enumerate(events) for signal in _signal(index, event))


def timespan_seconds(text: str) -> float | None:
    """CMITimespan ``HHHH:MM:SS.SS`` in seconds, None when it is not one."""
    if not scorm12_rules.TIMESPAN.match(text):
        return None
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def recorded_interactions(record: Mapping[str, str]) -> tuple[RecordedInteraction, ...]:
    """The record's interactions by index, each with every element held for it."""
    found: dict[int, dict[str, str]] = {}
    for key, value in record.items():
        match = scorm12_rules.INTERACTION_KEY.match(key)
        if match and not match.group(2).startswith("_"):
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    interactions = []
    for index in sorted(found):
        values = found[index]
        if not values.get("id"):
            continue
        patterns = tuple(v for k, v in sorted(values.items())
                         if k.startswith("correct_responses.") and k.endswith(".pattern"))
        kind = values.get("type", "")
        outcome = values.get("result", "")
        interactions.append(RecordedInteraction(
            id=values["id"], type=kind, response=values.get("student_response", ""), result=outcome,
            patterns=patterns, kind=kind, outcome=outcome, values=tuple(sorted(values.items()))))
    return tuple(interactions)


def read_record(events: Sequence[ApiEvent], record: Mapping[str, str]) -> LaunchRecord:
    """One launch's calls and the record the LMS stored (flattened cmi) in neutral terms."""
    held = record.get(std.LESSON_STATUS, "")
    completion, success = _status(held)
    raw = record.get(std.SCORE_RAW, "")
    exits = set_values(events, SCORM12_API.set_value, std.EXIT)
    left = exits[-1] if exits else record.get(std.EXIT, "")
    found = signals(events)
    first_finish = next((s.at_ms for s in found if s.kind is SignalKind.FINISH), None)
    times = [s.value for s in found if s.kind is SignalKind.SESSION_TIME
             and (first_finish is None or s.at_ms <= first_finish)]
    return LaunchRecord(
        format=PackageFormat.SCORM12, terms=TERMS, completion=completion, success=success,
        status_text=f"lesson_status '{held}'",
        score_percent=float(raw) if scorm12_rules.SCORE_FORMAT.match(raw) else None, score_text=raw,
        left_suspended=left == std.SUSPEND, exit_text=f"cmi.core.exit is '{left}', not 'suspend'",
        bookmark=record.get(std.LESSON_LOCATION, ""), state=record.get(std.SUSPEND_DATA, ""),
        interactions=recorded_interactions(record),
        finishes=sum(1 for e in events if e.method == SCORM12_API.finish),
        session_time_s=timespan_seconds(times[-1]) if times else None, signals=found,
        values=tuple(sorted(record.items())), state_key=std.SUSPEND_DATA, interactions_key="cmi.interactions.")


# ------------------------------------------------------------------------------------ the plug-in


class Scorm12Plugin:
    """SCORM 1.2 on scorm-again's Scorm12API."""

    format = PackageFormat.SCORM12
    api = SCORM12_API

    @property
    def rules(self) -> tuple[LaunchRule, ...]:
        return scorm12_rules.RULES

    def read_units(self, package_dir: Path) -> tuple[Unit, ...]:
        return read_scos(package_dir)

    def profile_meaning(self, profile: LmsProfile) -> str | None:
        if profile.unreachable_writes:
            return None  # a SCORM API is in the page: there is no request to lose
        meanings = [
            ("scorm-again's mastery_override: lesson_status from score.raw and the mastery score at LMSFinish"
             if profile.overrides_status else ""),
            (f"cmi.student_data.mastery_score {_score_text(profile.mastery_percent)}"
             if profile.mastery_percent is not None else ""),
            ("LMSGetValue on interactions._count, objectives, student_data and lesson_mode answers 401"
             if profile.mandatory_only else ""),
            ("during dismissal LMSCommit returns 'false' (391) and LMSGetValue null (101)"
             if profile.refuses_when_dismissed else ""),
            f"the API {profile.frames_between + 1} windows up" if profile.frames_between else "",
            "the API only in window.opener" if profile.popup else "",
            (f"each commit stored after {profile.write_delay_s:g} s, asynchronous commits"
             if profile.write_delay_s else ""),
            "LMSGetValue on cmi.interactions.* answers 404" if profile.write_only_interactions else "",
        ]
        return "; ".join(m for m in meanings if m) or "a well-behaved SCORM 1.2 LMS"

    def start(self, host: HarnessHost) -> LmsSide:
        return ScormAgainSide(host, self)

    def codec(self, package: ServedPackage, unit: Unit) -> InteractionCodec:
        return scorm12_rules.CODEC

    def timeline(self, events: Sequence[ApiEvent], launch: int) -> tuple[TimelineEntry, ...]:
        return scorm_timeline(events, launch, std.ERRORS, std.SUSPEND_DATA)

    # ------------------------------------------------------------------ the data model (ScormDataModel)

    def settings(self, profile: LmsProfile) -> Mapping[str, object]:
        settings: dict[str, object] = {"mastery_override": profile.overrides_status}
        if profile.write_delay_s:
            settings["useAsynchronousCommits"] = True
        return settings

    def refusals(self, profile: LmsProfile) -> tuple[Refusal, ...]:
        refused: list[Refusal] = []
        if profile.mandatory_only:
            refused += [Refusal(("LMSGetValue",), "|".join(std.OPTIONAL_READS), std.NOT_IMPLEMENTED),
                        Refusal(("LMSSetValue",), r"^cmi\.objectives\.", std.NOT_IMPLEMENTED, result="false")]
        if profile.refuses_when_dismissed:
            refused += [Refusal(("LMSCommit",), "", std.COMMIT_FAILURE, result="false", when=RefusalMoment.DISMISSED),
                        Refusal(("LMSGetValue",), "", std.GENERAL_EXCEPTION, result=None,
                                when=RefusalMoment.DISMISSED)]
        if profile.write_only_interactions:
            refused.append(Refusal(("LMSGetValue",), r"^cmi\.interactions\.", std.WRITE_ONLY))
        return tuple(refused)

    def read(self, events: Sequence[ApiEvent], record: Mapping[str, str]) -> LaunchRecord:
        return read_record(events, record)

    def first_attempt(self, sco: Unit, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> Attempt:
        cmi = merge({"core": {"entry": "ab-initio"}}, lms_seeds(sco, learner, profile, options))
        return Attempt(number=1, data=cmi, resumed=False)

    def next_attempt(self, previous: Attempt, stored: Mapping[str, Any], sco: Unit, learner: Learner,
                     profile: LmsProfile, options: LaunchOptions) -> Attempt:
        core = stored.get("core", {})
        suspended = isinstance(core, Mapping) and core.get("exit") == std.SUSPEND
        if not suspended and options.new_attempt_after_exit:
            fresh = self.first_attempt(sco, learner, profile, options)
            return Attempt(number=previous.number + 1, data=fresh.data, resumed=False)
        cmi = copy.deepcopy(dict(stored))
        kept_core = cmi.setdefault("core", {})
        for session_only in ("exit", "session_time"):
            kept_core.pop(session_only, None)
        kept_core["entry"] = "resume" if suspended else ""
        return Attempt(number=previous.number, data=merge(cmi, lms_seeds(sco, learner, profile, options)),
                       resumed=suspended)
