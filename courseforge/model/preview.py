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
                "duration_s": round(self.duration_s, 3)}


@dataclass(frozen=True)
class PreviewReport:
    runs: tuple[PreviewRun, ...]
    browser: str
    """Browser name and version the runs used."""
    duration_s: float

    @property
    def ok(self) -> bool:
        return all(run.verdict is Verdict.PASSED for run in self.runs)

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "browser": self.browser, "duration_s": round(self.duration_s, 3),
                "runs": [run.to_json() for run in self.runs]}
