"""The SCORM 2004 4th edition plug-in: what an LMS reads from imsmanifest.xml, seeds into cmi, and how it reads
cmi back; the LMS side is scorm-again's Scorm2004API (``scorm_again.py``, shared with SCORM 1.2).

From each leaf item of each organization: identifier, title, the resource's launch href with xml:base
resolved and the item's ``parameters`` appended, and what an LMS turns into read-only data:
``adlcp:dataFromLMS`` -> cmi.launch_data, ``adlcp:timeLimitAction`` -> cmi.time_limit_action,
``adlcp:completionThreshold`` (minProgressMeasure when completedByMeasure) -> cmi.completion_threshold, the
primary objective's ``minNormalizedMeasure`` when it is ``satisfiedByMeasure`` -> cmi.scaled_passing_score,
``imsss:limitConditions@attemptAbsoluteDurationLimit`` -> cmi.max_time_allowed.

Attempts: the first launch is ``entry = "ab-initio"``; after ``cmi.exit = "suspend"`` the next launch resumes
(``entry = "resume"``, the record kept but the session's exit and session_time); after any other exit a new
attempt with a fresh record, or with ``LaunchOptions(new_attempt_after_exit=False)`` the same record with
``entry = ""``.

Profiles, in 2004's terms (:meth:`Scorm2004Plugin.profile_meaning`): the default LMS stores what the SCO
reports and seeds no measures; ``mastery-override`` seeds the manifest's scaled_passing_score and
completion_threshold, so scorm-again decides success_status from score.scaled and completion_status from
progress_measure at Terminate, as a 4th edition LMS must; ``lms-mastery`` seeds its own passing score;
``strict`` has no navigation requests, interaction count, objectives or preferences (402);
``write-only-interactions`` answers 405 to reads of cmi.interactions.*.

Every launch is sequenced, as in a 4th edition LMS: the side gives the page the package's activity tree
(``scorm2004_sequencing.py``), scorm-again's engine delivers the launched SCO before it loads (resumeAll after a
suspended launch, from the tree state the side kept; else start, else a choice of it; static/sequencing.js),
adl.nav.request reaches the engine at Terminate, and the record's values carry what the engine rolled the root
activity up to, with the manifest elements that decided it (``sequencing.*``; the rule is in
``scorm2004_rules.py``). The engine seeds cmi.completion_threshold from the delivered activity under every
profile, as such an LMS does; the passing score stays the profile's business. An LMS imposing its own passing
score (``lms-mastery``) applies it to its rollup too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

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
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HostLaunch,
    LaunchOptions,
    LaunchProgress,
    LaunchRequest,
    Learner,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins import scorm2004_rules
from courseforge.stages.preview.harness.plugins import scorm2004_sequencing as sequencing
from courseforge.stages.preview.harness.plugins.scorm12 import with_parameters
from courseforge.stages.preview.harness.plugins.scorm_again import (
    ApiShape,
    EditionReaders,
    ErrorCodes,
    ProfileWords,
    ScormAgainPlugin,
    ScormAgainSide,
    ScormDataModel,
    flatten_cmi,
    interaction_elements,
    last_exit,
    scorm_signals,
    session_time,
)
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.standards import scorm2004 as std

MANIFEST = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SS = f"{{{std.IMSSS}}}"
CP = f"{{{std.IMSCP}}}"
ADLCP = f"{{{std.ADLCP}}}"
SCORM2004_API = ApiShape.scorm("scorm2004", "Scorm2004API", std.API_NAME)
TERMS = Terms(status="completion_status/success_status", score="score.scaled", finish="Terminate",
              session_time=std.SESSION_TIME, state=std.SUSPEND_DATA)
DURATION_PARTS = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


@dataclass(frozen=True)
class Sco(Unit):
    """One leaf item of the manifest with what the LMS seeds from it."""

    scorm_type: str = "sco"
    launch_data: str = ""
    time_limit_action: str = ""
    max_time_allowed: str = ""
    completion_threshold: str = ""
    scaled_passing_score: str = ""


class ManifestError(ValueError):
    """The package has no readable SCORM 2004 manifest the LMS could launch from."""


def _parser() -> etree.XMLParser:
    # Vendor manifests are untrusted: no DTDs, entities or network.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _text(element: etree._Element | None) -> str:
    return "" if element is None else (element.text or "").strip()


def leaf_items(root: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(organization identifier, item) for every item that launches something, in document order."""
    for organization in root.iterfind(f"{CP}organizations/{CP}organization"):
        for item in organization.iter(f"{CP}item"):
            if item.get("identifierref"):
                yield organization.get("identifier", ""), item


def read_scos(package_dir: Path) -> tuple[Sco, ...]:
    try:
        root = etree.parse(str(package_dir / MANIFEST), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise ManifestError(f"cannot read {MANIFEST}: {error}") from None
    resources = root.find(f"{CP}resources")
    if resources is None:
        raise ManifestError(f"{MANIFEST} has no <resources>")
    base = urljoin(root.get(XML_BASE, ""), resources.get(XML_BASE, ""))
    by_id = {r.get("identifier", ""): r for r in resources.findall(f"{CP}resource")}
    collection = {s.get("ID", ""): s for s in root.iterfind(f"{SS}sequencingCollection/{SS}sequencing")}
    units = []
    for organization, item in leaf_items(root):
        resource = by_id.get(item.get("identifierref", ""))
        if resource is not None and resource.get("href"):
            units.append(_unit(item, resource, base, organization, collection))
    return tuple(units)


def _primary(item: etree._Element, collection: Mapping[str, etree._Element]) -> etree._Element | None:
    """The activity's primary objective: its own, else its collection member's."""
    sequencing = item.find(f"{SS}sequencing")
    if sequencing is None:
        return None
    own = sequencing.find(f"{SS}objectives/{SS}primaryObjective")
    referenced = collection.get((sequencing.get("IDRef") or "").strip())
    if own is None and referenced is not None:
        return referenced.find(f"{SS}objectives/{SS}primaryObjective")
    return own


def _passing_score(item: etree._Element, collection: Mapping[str, etree._Element]) -> str:
    primary = _primary(item, collection)
    if primary is None or primary.get("satisfiedByMeasure", "false").strip() != "true":
        return ""
    return _text(primary.find(f"{SS}minNormalizedMeasure")) or "1.0"


def _threshold(item: etree._Element) -> str:
    threshold = item.find(f"{ADLCP}completionThreshold")
    if threshold is None:
        return ""
    if threshold.get("completedByMeasure", "false").strip() == "true":
        return threshold.get("minProgressMeasure", "1.0").strip()
    return _text(threshold)  # the 3rd edition's element value


def _unit(item: etree._Element, resource: etree._Element, base: str, organization: str,
          collection: Mapping[str, etree._Element]) -> Sco:
    href = urljoin(urljoin(base, resource.get(XML_BASE, "")), resource.get("href", ""))
    scorm_type = resource.get(f"{ADLCP}scormType", "sco").strip().lower()
    limits = item.find(f"{SS}sequencing/{SS}limitConditions")
    return Sco(
        identifier=item.get("identifier", ""),
        title=_text(item.find(f"{CP}title")),
        organization=organization,
        resource=resource.get("identifier", ""),
        href=with_parameters(href, item.get("parameters", "")),
        tracked=scorm_type == "sco",
        scorm_type=scorm_type,
        launch_data=_text(item.find(f"{ADLCP}dataFromLMS")),
        time_limit_action=_text(item.find(f"{ADLCP}timeLimitAction")),
        max_time_allowed="" if limits is None else limits.get("attemptAbsoluteDurationLimit", ""),
        completion_threshold=_threshold(item),
        scaled_passing_score=_passing_score(item, collection),
    )


def _scaled(percent: float) -> str:
    return f"{percent / 100:g}"


def lms_seeds(sco: Unit, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> dict[str, Any]:
    """What the LMS supplies at every launch: learner, credit, mode, the manifest's data and, for an LMS that
    judges by measure, the passing score and completion threshold."""
    facts = sco if isinstance(sco, Sco) else Sco(sco.identifier, sco.title, sco.href)
    seeds: dict[str, Any] = {"learner_id": learner.id, "learner_name": learner.name, "credit": options.credit,
                             "mode": options.lesson_mode, "launch_data": facts.launch_data}
    if facts.time_limit_action:
        seeds["time_limit_action"] = facts.time_limit_action
    if facts.max_time_allowed:
        seeds["max_time_allowed"] = facts.max_time_allowed
    if profile.overrides_status:
        seeds["completion_threshold"] = facts.completion_threshold
        seeds["scaled_passing_score"] = facts.scaled_passing_score
    if profile.mastery_percent is not None:
        seeds["scaled_passing_score"] = _scaled(profile.mastery_percent)
    return {key: value for key, value in seeds.items() if value != ""}


# ------------------------------------------------------------------------------------ reading cmi


def completion_of(text: str) -> Completion:
    return {"completed": Completion.COMPLETED, "incomplete": Completion.INCOMPLETE,
            "not attempted": Completion.NOT_ATTEMPTED, "": Completion.NOT_ATTEMPTED}.get(text, Completion.UNKNOWN)


def success_of(text: str) -> Success:
    return {"passed": Success.PASSED, "failed": Success.FAILED}.get(text, Success.UNKNOWN)


def scaled_percent(text: str) -> str:
    try:
        return f"{float(text) * 100:g}"
    except ValueError:
        return ""


SIMPLE = {std.SCORE_RAW: SignalKind.SCORE, std.EXIT: SignalKind.EXIT, std.SESSION_TIME: SignalKind.SESSION_TIME,
          std.SUSPEND_DATA: SignalKind.STATE, std.LOCATION: SignalKind.BOOKMARK,
          std.PROGRESS_MEASURE: SignalKind.PROGRESS}


def _status_signals(element: str, value: str, at: float, index: int) -> tuple[Signal, ...] | None:
    """completion_status, success_status, and score.scaled as a percent."""
    if element == std.COMPLETION_STATUS:
        return (Signal(at, SignalKind.COMPLETION, completion_of(value).value, index),)
    if element == std.SUCCESS_STATUS:
        return (Signal(at, SignalKind.SUCCESS, success_of(value).value, index),)
    if element == std.SCORE_SCALED:
        return (Signal(at, SignalKind.SCORE, scaled_percent(value), index),)
    return None


def signals(events: Sequence[ApiEvent]) -> tuple[Signal, ...]:
    """The neutral timeline of one launch's calls (every call the content made, whatever it returned)."""
    return scorm_signals(events, SCORM2004_API, SIMPLE, _status_signals)


def duration_seconds(text: str) -> float | None:
    """An ISO 8601 duration in seconds (a year 365 days, a month 30), None when it is not one."""
    match = DURATION_PARTS.match(text)
    if not match or text in ("P", "PT"):
        return None
    years, months, days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return ((years * 365 + months * 30 + days) * 24 + hours) * 3600 + minutes * 60 + seconds


def recorded_interactions(record: Mapping[str, str]) -> tuple[RecordedInteraction, ...]:
    """The record's interactions by index, each with every element held for it."""
    interactions = []
    for values in interaction_elements(record, scorm2004_rules.INTERACTION_KEY):
        pattern_keys = sorted((k for k in values if k.startswith("correct_responses.") and k.endswith(".pattern")),
                              key=lambda k: int(k.split(".")[1]))
        kind = values.get("type", "")
        result = values.get("result", "")
        interactions.append(RecordedInteraction(
            id=values["id"], type=kind, response=values.get("learner_response", ""), result=result,
            patterns=tuple(values[k] for k in pattern_keys), kind=kind,
            outcome="wrong" if result == "incorrect" else result, values=tuple(sorted(values.items()))))
    return tuple(interactions)


def read_record(events: Sequence[ApiEvent], record: Mapping[str, str], scored: bool = False) -> LaunchRecord:
    """One launch's calls and the record the LMS stored (flattened cmi) in neutral terms.

    Completion and success are separate in 2004: a scored course's content can be completed while the verdict
    is still open (attempts remain). In the rules' terms that course is not done: ``scored`` (the manifest's
    primary objective is satisfied by measure) reads completed-without-a-verdict as incomplete; status_text
    keeps what the LMS holds."""
    completion_text = record.get(std.COMPLETION_STATUS, "")
    success_text = record.get(std.SUCCESS_STATUS, "")
    completion = completion_of(completion_text)
    if scored and completion is Completion.COMPLETED and success_of(success_text) is Success.UNKNOWN:
        completion = Completion.INCOMPLETE
    raw, scaled = record.get(std.SCORE_RAW, ""), record.get(std.SCORE_SCALED, "")
    left = last_exit(events, SCORM2004_API, std.EXIT, record)
    found = signals(events)
    reported = session_time(found)
    score = scaled_percent(scaled) if scaled else raw
    return LaunchRecord(
        format=PackageFormat.SCORM2004, terms=TERMS, completion=completion,
        success=success_of(success_text),
        status_text=f"completion_status '{completion_text}', success_status '{success_text}'",
        score_percent=float(score) if score else None, score_text=scaled or raw,
        left_suspended=left == std.SUSPEND, exit_text=f"cmi.exit is '{left}', not 'suspend'",
        bookmark=record.get(std.LOCATION, ""), state=record.get(std.SUSPEND_DATA, ""),
        interactions=recorded_interactions(record),
        finishes=sum(1 for e in events if e.method == SCORM2004_API.finish),
        session_time_s=None if reported is None else duration_seconds(reported), signals=found,
        values=tuple(sorted(record.items())), state_key=std.SUSPEND_DATA, interactions_key="cmi.interactions.")


# ------------------------------------------------------------------------------------ the plug-in


TREE_PATH = "/sequencing/"
"""Where the page posts the engine's tree state (under the side's prefix): ``/__lms/scorm2004/sequencing/<launch>``."""


class Scorm2004Side(ScormAgainSide):
    """The shared scorm-again side with a 4th edition LMS's sequencing: each launch is told whether its SCO is
    scored (for the record's reading) and gets the package's activity tree for scorm-again's engine; the tree
    state a launch leaves is kept for the attempt's next launch; the record carries what the engine rolled up."""

    def __init__(self, host: HarnessHost, model: ScormDataModel) -> None:
        super().__init__(host, model)
        self.plans: dict[str, sequencing.SequencingPlan | None] = {}
        """By served package: None when the manifest cannot be given to the engine (launched unsequenced)."""
        self.trees: dict[tuple[str, str, str, int], str] = {}
        """The tree state posted last, by (package, unit, learner, attempt)."""
        self.posted: dict[str, int] = {}
        """Tree states received, by launch."""

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return (Route(TREE_PATH + "{launch}", self.keep_tree, methods=["POST"]),)

    async def keep_tree(self, request: Request) -> Response:
        launch_id = request.path_params["launch"]
        row = self.host.store.launch(launch_id)
        if row is None:
            return PlainTextResponse("unknown launch", 404)
        body = (await request.body()).decode("utf-8", "replace")
        self.trees[(row.package, row.sco, row.learner, row.attempt)] = body
        self.posted[launch_id] = self.posted.get(launch_id, 0) + 1
        return JSONResponse({"stored": len(body)})

    def plan(self, package: ServedPackage | str, profile: LmsProfile) -> sequencing.SequencingPlan | None:
        """The package's activity tree as this LMS runs it (a passing score the profile imposes applied)."""
        if isinstance(package, ServedPackage) and package.id not in self.plans:
            try:
                self.plans[package.id] = sequencing.read_plan(package.folder)
            except sequencing.SequencingManifestError:
                self.plans[package.id] = None
        plan = self.plans.get(package.id if isinstance(package, ServedPackage) else package)
        if plan is not None and profile.mastery_percent is not None:
            return plan.with_passing_score(profile.mastery_percent / 100)
        return plan

    def open(self, request: LaunchRequest, attempt: Attempt) -> HostLaunch:
        opened = super().open(request, attempt)
        scored = bool(getattr(request.unit, "scaled_passing_score", ""))
        config: dict[str, Any] = {**opened.config, "scored": scored}
        plan = self.plan(request.package, request.profile)
        if plan is not None and request.unit.identifier in plan.leaves:
            kept = self.trees.get((request.package.id, request.unit.identifier, request.learner.id, attempt.number))
            config["sequencing"] = {**plan.to_host(), "unit": request.unit.identifier, "finish": SCORM2004_API.finish,
                                    "state": kept if attempt.resumed else None,
                                    "stateUrl": f"{request.base_url}{self.host.prefix}{TREE_PATH}{request.launch_id}"}
        return replace(opened, config=config)

    def progress(self, launch_id: str) -> LaunchProgress:
        progress = super().progress(launch_id)
        promised = sequencing.promised_trees(self.host.store.events(launch_id))
        received = self.posted.get(launch_id, 0)
        return replace(progress, marker=(*progress.marker, received), pending=progress.pending or received < promised)

    def read(self, launch_id: str) -> LaunchRecord:
        row = self.host.store.launch(launch_id)
        scored = bool(row.config.get("scored")) if row is not None else False
        events = self.host.store.events(launch_id)
        record = read_record(events, flatten_cmi(self.stored(launch_id)), scored)
        if row is None or "sequencing" not in row.config:
            return record
        plan = self.plan(row.package, self.host.profiles[row.profile])
        found = sequencing.rollup_values(sequencing.rollup_of(events), plan, row.sco)
        notes = sequencing.note_values(plan) if plan is not None else ()
        return replace(record, values=tuple(sorted((*record.values, *found, *notes))))


class Scorm2004Plugin(ScormAgainPlugin):
    """SCORM 2004 4th edition on scorm-again's Scorm2004API."""

    format = PackageFormat.SCORM2004
    api = SCORM2004_API
    rules = scorm2004_rules.RULES
    interactions = scorm2004_rules.CODEC
    side = Scorm2004Side
    errors = ErrorCodes(std.ERRORS, not_implemented=std.UNIMPLEMENTED, commit_failure=std.COMMIT_FAILURE,
                        general_exception=std.GENERAL_EXCEPTION, write_only=std.WRITE_ONLY)
    state_element, suspend = std.SUSPEND_DATA, std.SUSPEND
    optional = ("|".join(std.OPTIONAL_READS),) * 2  # refused to reads and writes alike
    words = ProfileWords(
        overrides="an LMS judging by measure: the manifest's scaled_passing_score and completion_threshold seeded, "
                  "success_status from score.scaled and completion_status from progress_measure at Terminate",
        mastery="cmi.scaled_passing_score",
        mandatory="adl.nav.*, cmi.interactions._count, cmi.objectives and cmi.learner_preference answer 402",
        write_only="GetValue on cmi.interactions.* answers 405 (write only)",
        plain="a SCORM 2004 LMS that stores what the SCO reports")
    readers = EditionReaders(units=read_scos, seeds=lms_seeds, passing_score=_scaled, record=read_record)

    def profile_meaning(self, profile: LmsProfile) -> str | None:
        meaning = super().profile_meaning(profile)
        return None if meaning is None else f"{meaning}; sequenced and rolled up by scorm-again's engine"

    def timeline(self, events: Sequence[ApiEvent], launch: int) -> tuple[TimelineEntry, ...]:
        rows = super().timeline(events, launch)
        described = (sequencing.describe(event) for event in events)
        return tuple(row if said is None else replace(row, element=said[0], value=said[1])
                     for row, said in zip(rows, described, strict=True))
