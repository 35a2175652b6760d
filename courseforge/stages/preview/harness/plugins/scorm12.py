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

The LMS side is scorm-again's Scorm12API and the plug-in the one SCORM 2004 shares (``scorm_again.py``);
the profiles become its settings and refused calls (:meth:`Scorm12Plugin.refusals`). The stored record
reads into the neutral :class:`LaunchRecord` (:func:`read_record`); ``scorm12_rules.py`` has the
interactions' syntax and the rules only SCORM 1.2 has.
"""

from __future__ import annotations

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
)
from courseforge.stages.preview.harness.interface import LaunchOptions, Learner, Unit
from courseforge.stages.preview.harness.plugins import scorm12_rules
from courseforge.stages.preview.harness.plugins.scorm_again import (
    ApiShape,
    EditionReaders,
    ErrorCodes,
    ProfileWords,
    ScormAgainPlugin,
    interaction_elements,
    last_exit,
    scorm_signals,
    session_time,
)
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.standards import scorm12 as std

MANIFEST = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCORM12_API = ApiShape.scorm("scorm12", "Scorm12API", std.API_NAME, prefix="LMS", finish="Finish")
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


SIMPLE = {std.SCORE_RAW: SignalKind.SCORE, std.EXIT: SignalKind.EXIT, std.SESSION_TIME: SignalKind.SESSION_TIME,
          std.SUSPEND_DATA: SignalKind.STATE, std.LESSON_LOCATION: SignalKind.BOOKMARK}


def _status_signals(element: str, value: str, at: float, index: int) -> tuple[Signal, ...] | None:
    """lesson_status: a completion, and a success when it says one."""
    if element != std.LESSON_STATUS:
        return None
    completion, success = _status(value)
    found = [Signal(at, SignalKind.COMPLETION, completion.value, index)]
    if success is not Success.UNKNOWN:
        found.append(Signal(at, SignalKind.SUCCESS, success.value, index))
    return tuple(found)


def signals(events: Sequence[ApiEvent]) -> tuple[Signal, ...]:
    """The neutral timeline of one launch's calls (every call the content made, whatever it returned)."""
    return scorm_signals(events, SCORM12_API, SIMPLE, _status_signals)


def timespan_seconds(text: str) -> float | None:
    """CMITimespan ``HHHH:MM:SS.SS`` in seconds, None when it is not one."""
    if not scorm12_rules.TIMESPAN.match(text):
        return None
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def recorded_interactions(record: Mapping[str, str]) -> tuple[RecordedInteraction, ...]:
    """The record's interactions by index, each with every element held for it."""
    interactions = []
    for values in interaction_elements(record, scorm12_rules.INTERACTION_KEY):
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
    left = last_exit(events, SCORM12_API, std.EXIT, record)
    found = signals(events)
    reported = session_time(found)
    return LaunchRecord(
        format=PackageFormat.SCORM12, terms=TERMS, completion=completion, success=success,
        status_text=f"lesson_status '{held}'",
        score_percent=float(raw) if scorm12_rules.SCORE_FORMAT.match(raw) else None, score_text=raw,
        left_suspended=left == std.SUSPEND, exit_text=f"cmi.core.exit is '{left}', not 'suspend'",
        bookmark=record.get(std.LESSON_LOCATION, ""), state=record.get(std.SUSPEND_DATA, ""),
        interactions=recorded_interactions(record),
        finishes=sum(1 for e in events if e.method == SCORM12_API.finish),
        session_time_s=None if reported is None else timespan_seconds(reported), signals=found,
        values=tuple(sorted(record.items())), state_key=std.SUSPEND_DATA, interactions_key="cmi.interactions.")


# ------------------------------------------------------------------------------------ the plug-in


class Scorm12Plugin(ScormAgainPlugin):
    """SCORM 1.2 on scorm-again's Scorm12API; its session elements sit under cmi.core."""

    format = PackageFormat.SCORM12
    api = SCORM12_API
    rules = scorm12_rules.RULES
    interactions = scorm12_rules.CODEC
    session = ("core",)
    errors = ErrorCodes(std.ERRORS, not_implemented=std.NOT_IMPLEMENTED, commit_failure=std.COMMIT_FAILURE,
                        general_exception=std.GENERAL_EXCEPTION, write_only=std.WRITE_ONLY)
    state_element, suspend = std.SUSPEND_DATA, std.SUSPEND
    optional = ("|".join(std.OPTIONAL_READS), r"^cmi\.objectives\.")
    words = ProfileWords(
        overrides="scorm-again's mastery_override: lesson_status from score.raw and the mastery score at LMSFinish",
        mastery="cmi.student_data.mastery_score",
        mandatory="LMSGetValue on interactions._count, objectives, student_data and lesson_mode answers 401",
        write_only="LMSGetValue on cmi.interactions.* answers 404",
        plain="a well-behaved SCORM 1.2 LMS")
    readers = EditionReaders(units=read_scos, seeds=lms_seeds, passing_score=_score_text, record=read_record)

    def settings(self, profile: LmsProfile) -> Mapping[str, object]:
        """scorm-again decides lesson_status itself at LMSFinish when the profile overrides it."""
        return {"mastery_override": profile.overrides_status, **super().settings(profile)}
