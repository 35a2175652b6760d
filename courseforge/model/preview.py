"""What the preview stage hands on: every scenario a robot learner ran, and what the LMS recorded.

One :class:`PreviewRun` is one package x locale x LMS behaviour profile x scenario. Its findings name
the rule broken, the scenario and the step, so a failure reads like a bug report. The report writers
(HTML, JUnit XML) and ``--json`` read these objects only; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from courseforge.model.package import PackageFormat


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    """The run itself broke (the package never launched, the browser crashed): not the package's verdict."""
    SKIPPED = "skipped"
    """Not run, and the finding says why (no preview plug-in for the package's format yet)."""


class FindingSeverity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One broken rule, e.g. ``lms.score-after-status`` at step ``submit quiz 'final'``."""

    rule: str
    """Stable dotted code: ``lms.*`` (tracking), ``a11y.*`` (accessibility), ``page.*`` (console, requests,
    images, layout), ``scenario.*`` (what the course rules expected)."""
    message: str
    step: str
    severity: FindingSeverity = FindingSeverity.ERROR
    help_url: str = ""

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule, "message": self.message, "step": self.step, "severity": self.severity.value,
                "help_url": self.help_url}


@dataclass(frozen=True)
class ApiEvent:
    """One call the content made to the LMS API, as the LMS page recorded it."""

    at_ms: float
    """Milliseconds since the launch began."""
    method: str
    """``LMSSetValue``, ``Commit``, ``POST statements`` ..."""
    arguments: tuple[str, ...]
    result: str
    error: str = "0"

    def to_json(self) -> dict[str, object]:
        return {"at_ms": round(self.at_ms, 1), "method": self.method, "arguments": list(self.arguments),
                "result": self.result, "error": self.error}


class Completion(StrEnum):
    """Whether the learner has done the required work, as the LMS holds it (any standard)."""

    COMPLETED = "completed"
    INCOMPLETE = "incomplete"
    NOT_ATTEMPTED = "not attempted"
    UNKNOWN = "unknown"


class Success(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class SignalKind(StrEnum):
    """What one thing the content sent means, whatever the standard (the neutral timeline)."""

    START = "start"
    """The content opened its session (LMSInitialize, Initialize, the initialized statement)."""
    SCORE = "score"
    """A score, ``value`` the percent (empty: the score was cleared)."""
    COMPLETION = "completion"
    """``value`` a :class:`Completion`."""
    SUCCESS = "success"
    """``value`` a :class:`Success`."""
    PROGRESS = "progress"
    """``value`` 0..1 of the required work."""
    BOOKMARK = "bookmark"
    STATE = "state"
    """Saved state written, ``value`` the text (model/suspend.py's format for courseforge packages)."""
    INTERACTION = "interaction"
    """``value`` the interaction id."""
    SESSION_TIME = "session-time"
    """``value`` the duration as the content sent it (CMITimespan, ISO 8601)."""
    EXIT = "exit"
    """``value`` ``suspend`` when the content says it will come back, else what it said (``normal``, "")."""
    COMMIT = "commit"
    FINISH = "finish"
    """The content ended its session (LMSFinish, Terminate, the terminated statement)."""


@dataclass(frozen=True)
class Signal:
    """One neutral fact of the timeline, in the order the content sent it."""

    at_ms: float
    kind: SignalKind
    value: str = ""
    event: int = -1
    """Index of the raw event (the launch's :class:`ApiEvent`) it was read from; -1 for none."""


@dataclass(frozen=True)
class RecordedInteraction:
    """One interaction the LMS holds: the standard's own syntax, plus a neutral reading."""

    id: str
    type: str
    """The standard's word (SCORM ``choice``, xAPI interactionType ``choice``)."""
    response: str
    """In the standard's syntax (SCORM 1.2 ``a,c``; SCORM 2004 / xAPI ``c-heat[,]c-oxygen``)."""
    result: str
    """In the standard's syntax (``correct``, ``wrong``/``incorrect``, ``neutral``; xAPI: success as text)."""
    patterns: tuple[str, ...] = ()
    """Every correct-response pattern held, in the standard's syntax."""
    kind: str = ""
    """Neutral type: true-false, choice, fill-in, long-fill-in, numeric, matching, sequencing, likert, other."""
    outcome: str = ""
    """Neutral result: correct, wrong, neutral, unanticipated (or a number's text)."""
    values: tuple[tuple[str, str], ...] = ()
    """Everything the LMS holds for it, by the standard's element or property names (for the report)."""

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "type": self.type, "response": self.response, "result": self.result,
                "patterns": list(self.patterns), "kind": self.kind, "outcome": self.outcome}


@dataclass(frozen=True)
class Terms:
    """How a standard names what the neutral rules talk about, so every message speaks its language."""

    status: str
    """``lesson_status``; ``completion_status/success_status``; ``completed/passed/failed statements``."""
    score: str
    """``score.raw``; ``score.scaled``; ``result.score``."""
    finish: str
    """``LMSFinish``; ``Terminate``; ``the terminated statement``."""
    session_time: str
    """``cmi.core.session_time``; ``cmi.session_time``; ``result.duration of terminated``."""
    state: str
    """``cmi.suspend_data``; ``the State API document 'state'``."""


@dataclass(frozen=True)
class LaunchRecord:
    """What the LMS holds after one launch (and what the content sent during it), read by the standard's
    plug-in into terms every standard shares; the common rules (stages/preview/assertions.py) judge this."""

    format: PackageFormat
    terms: Terms
    completion: Completion = Completion.UNKNOWN
    success: Success = Success.UNKNOWN
    status_text: str = ""
    """The standard's own words for what it holds: ``lesson_status 'incomplete'``."""
    score_percent: float | None = None
    """0..100, None when no score is held."""
    score_text: str = ""
    """The score as the standard holds it (``44.44``; ``0.4444``), empty when none."""
    left_suspended: bool = False
    """The content said it will come back (SCORM exit ``suspend``; xAPI/cmi5: no completion yet and state saved)."""
    exit_text: str = ""
    """The standard's words for how the content left: ``cmi.core.exit is '', not 'suspend'``."""
    bookmark: str = ""
    state: str = ""
    """The saved-state text the LMS holds ("" none)."""
    interactions: tuple[RecordedInteraction, ...] = ()
    finishes: int = 0
    """How many times the content ended its session in this launch (exactly once is right)."""
    session_time_s: float | None = None
    """The session time the content reported before it finished (None: never)."""
    signals: tuple[Signal, ...] = ()
    """The neutral timeline of this launch, in order."""
    values: tuple[tuple[str, str], ...] = ()
    """Everything the LMS holds, by the standard's own names, sorted (the report's final record)."""
    state_key: str = ""
    """Which of :attr:`values` holds the saved state (decoded in the report): ``cmi.suspend_data``."""
    interactions_key: str = ""
    """The prefix of the :attr:`values` that :attr:`interactions` already show (``cmi.interactions.``)."""

    @property
    def status(self) -> str:
        """The course rules' vocabulary: failed; passed (and completed); completed; incomplete; not attempted;
        unknown when the LMS holds nothing readable."""
        if self.success is Success.FAILED:
            return "failed"
        if self.success is Success.PASSED and self.completion is Completion.COMPLETED:
            return "passed"
        return "incomplete" if self.success is Success.PASSED else self.completion.value

    def to_json(self) -> dict[str, object]:
        return {"format": self.format.value, "status": self.status, "completion": self.completion.value,
                "success": self.success.value, "score_percent": self.score_percent,
                "left_suspended": self.left_suspended, "bookmark": self.bookmark, "state": self.state,
                "finishes": self.finishes, "session_time_s": self.session_time_s,
                "interactions": [i.to_json() for i in self.interactions]}


@dataclass(frozen=True)
class TimelineEntry:
    """One row of a run's timeline as the report shows it, described by the standard's plug-in: a SCORM
    call (``LMSSetValue cmi.core.score.raw 85``) or an xAPI write (``POST statements answered <object>``)."""

    launch: int
    """1, 2 ... within the run."""
    at_ms: float
    call: str
    element: str
    value: str
    result: str
    error: str
    failed: bool
    """The LMS refused it (returned "false", an error code, an HTTP error)."""
    error_name: str = ""
    """What the error code means in the standard, empty when unknown."""
    state: bool = False
    """``value`` is saved state: the report decodes it."""
    means: str = ""
    """What it meant in neutral terms (``score 85; success passed``), from the launch's signals."""


@dataclass(frozen=True)
class Screenshot:
    name: str
    """What is shown: ``screen 3 'fire-safety'``, ``quiz 'final' submitted``."""
    width: int
    height: int
    png: bytes = field(repr=False)


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float


@dataclass(frozen=True)
class PreviewRun:
    package: str
    """Display path of the package (or course folder) previewed."""
    format: PackageFormat
    locale: str
    profile: str
    scenario: str
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    steps: tuple[str, ...] = ()
    """What the robot did, in order (``open screen 2``, ``answer 'q1' with 'b'``, ``relaunch``)."""
    events: tuple[ApiEvent, ...] = ()
    final_record: tuple[tuple[str, str], ...] = ()
    """What the LMS holds at the end: data model element -> value, sorted (cmi.core.lesson_status ...)."""
    screenshots: tuple[Screenshot, ...] = ()
    timings: tuple[Timing, ...] = ()
    duration_s: float = 0.0
    launches: tuple[LaunchRecord, ...] = ()
    """What the LMS held after each launch, read into neutral terms (empty for a run that never launched)."""
    timeline: tuple[TimelineEntry, ...] = ()
    """``events`` as the report shows them, launch by launch (described by the format's plug-in)."""
    profile_meaning: str = ""
    """What the LMS profile means for this format (``HarnessPlugin.profile_meaning``)."""

    @property
    def name(self) -> str:
        return f"{self.package} [{self.locale}, {self.profile}] {self.scenario}"

    def to_json(self) -> dict[str, object]:
        return {"package": self.package, "format": self.format.value, "locale": self.locale,
                "profile": self.profile, "scenario": self.scenario, "verdict": self.verdict.value,
                "findings": [f.to_json() for f in self.findings], "steps": list(self.steps),
                "events": [e.to_json() for e in self.events], "final_record": dict(self.final_record),
                "screenshots": [s.name for s in self.screenshots],
                "timings": {t.label: round(t.seconds, 3) for t in self.timings},
                "duration_s": round(self.duration_s, 3), "launches": [r.to_json() for r in self.launches],
                "profile_meaning": self.profile_meaning}


@dataclass(frozen=True)
class PreviewReport:
    runs: tuple[PreviewRun, ...]
    browser: str
    """Browser name and version the runs used."""
    duration_s: float
    notes: tuple[str, ...] = ()
    """What the run did not do and why (a profile that does not apply to a format ...)."""

    @property
    def ok(self) -> bool:
        """No run failed or broke; a skipped run (its finding says why) does not fail the report."""
        return all(run.verdict in (Verdict.PASSED, Verdict.SKIPPED) for run in self.runs)

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "browser": self.browser, "duration_s": round(self.duration_s, 3),
                "notes": list(self.notes), "runs": [run.to_json() for run in self.runs]}
