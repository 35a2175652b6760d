"""Smoke tests of any SCORM 1.2 package: launch every SCO like a learner and name what it does wrong.

A vendor package's content is unknown, so the smoke test acts only as a patient learner would: it
launches each SCO in the test LMS, waits for the content to find the API and initialize, clicks an
obvious "Next" control a few times (best effort, bounded), looks at each screen, then closes the
window. What the LMS recorded, step by step, is then judged by pure rules (:data:`RULES`); each broken
rule is a :class:`Finding` naming the SCO and the step, e.g. ``lms.status-before-score`` at step
``wait for LMSInitialize``.

When a call happened is told by snapshots, not clocks: the number of calls the LMS had recorded is
taken at every step boundary, so a call belongs to the step during which it arrived. That is how
``lms.commit-only-on-unload`` sees a package whose commits arrive only after the close began.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from playwright.sync_api import BrowserContext, ConsoleMessage, Frame, Locator, Page, Request, Response, WebError
from playwright.sync_api import Error as PlaywrightError

from courseforge.model.preview import (
    ApiEvent,
    Finding,
    FindingSeverity,
    PreviewRun,
    Screenshot,
    Timing,
    Verdict,
)
from courseforge.model.suspend import SCORM12_SUSPEND_LIMIT

SCENARIO = "smoke"
UNKNOWN_LOCALE = "und"
"""BCP 47 'undetermined': a vendor package does not tell the smoke test its language."""

STATUS = "cmi.core.lesson_status"
SCORE = "cmi.core.score.raw"
SUSPEND = "cmi.suspend_data"
RESULT_STATUSES = frozenset({"passed", "failed", "completed"})
"""Statuses that state a result; "incomplete" and "browsed" say nothing a score could contradict."""
COMMITTING = frozenset({"LMSCommit", "LMSFinish"})
ERROR_REPORTERS = frozenset({"LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"})
"""Calls that report the previous call's error: their code is not their own."""
NOT_IMPLEMENTED = "401"
"""SCORM 1.2 "Not implemented error": an LMS may lack optional elements; content must carry on."""

NEXT_CONTROL = re.compile(r"^\W*(next|continue|forward|weiter|suivant|siguiente)\b|^\s*[>›»→]+\s*$", re.IGNORECASE)
"""Accessible names of the controls a learner would press to move on."""


@dataclass(frozen=True)
class SmokeOptions:
    profile: str = "default"
    api_timeout_s: float = 5.0
    """How long the content may take to call the API at all before ``lms.api-not-found``."""
    settle_s: float = 0.3
    """Quiet time after initialization and after each click, for the content's own calls."""
    next_clicks: int = 3
    accessibility: bool = True
    viewport: tuple[int, int] = (1280, 800)


# --- what the smoke test saw (the rules' input) ------------------------------------------------------


@dataclass(frozen=True)
class StepEvent:
    step: str
    event: ApiEvent


@dataclass(frozen=True)
class PageProblem:
    step: str
    rule: str
    """``page.console-error`` or ``page.request-failed``."""
    detail: str


@dataclass(frozen=True)
class Observation:
    """Everything one SCO's smoke run recorded; :func:`judge` reads nothing else."""

    sco: str
    """``'item_id' (launch/href.html)``: how findings name the SCO."""
    wait_step: str
    close_step: str
    events: tuple[StepEvent, ...]
    record: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[PageProblem, ...] = ()

    def calls(self, *methods: str) -> list[StepEvent]:
        return [e for e in self.events if not methods or e.event.method in methods]

    def sets(self, element: str) -> list[StepEvent]:
        return [e for e in self.calls("LMSSetValue") if e.event.arguments[:1] == (element,)]


def argument(event: ApiEvent, index: int) -> str:
    return event.arguments[index] if len(event.arguments) > index else ""


def call_text(event: ApiEvent) -> str:
    shown = ", ".join(repr(a if len(a) <= 40 else a[:37] + "...") for a in event.arguments)
    return f"{event.method}({shown})"


# --- the rules -------------------------------------------------------------------------------------


def api_not_found(seen: Observation) -> list[Finding]:
    if seen.events:
        return []
    return [Finding("lms.api-not-found", f"SCO {seen.sco} never called the LMS API: it did not find window.API "
                    "in its parent frames or opener, or does not track at all", seen.wait_step)]


def no_initialize(seen: Observation) -> list[Finding]:
    if not seen.events or seen.calls("LMSInitialize"):
        return []
    first = seen.events[0]
    return [Finding("lms.no-initialize", f"SCO {seen.sco} called {call_text(first.event)} but never "
                    "LMSInitialize(''): an LMS ignores every call before it", first.step)]


def no_finish(seen: Observation) -> list[Finding]:
    if not seen.calls("LMSInitialize") or seen.calls("LMSFinish"):
        return []
    return [Finding("lms.no-finish", f"SCO {seen.sco} did not call LMSFinish('') when the learner closed the "
                    "window: the LMS never ends the session (call it on pagehide, once)", seen.close_step)]


def finish_twice(seen: Observation) -> list[Finding]:
    finishes = seen.calls("LMSFinish")
    if len(finishes) < 2:
        return []
    return [Finding("lms.finish-twice", f"SCO {seen.sco} called LMSFinish('') {len(finishes)} times: the calls "
                    "after the first fail, and some LMSs close the attempt twice", finishes[1].step)]


def commit_only_on_unload(seen: Observation) -> list[Finding]:
    saving = seen.calls(*COMMITTING)
    if not saving or any(e.step != seen.close_step for e in saving):
        return []
    return [Finding("lms.commit-only-on-unload", f"SCO {seen.sco} committed nothing until the window was "
                    f"closing ({', '.join(call_text(e.event) for e in saving)} arrived only after the close "
                    "began): browsers drop work done in unload handlers, so the last commit is easily lost; "
                    "commit as progress happens", seen.close_step)]


def status_before_score(seen: Observation) -> list[Finding]:
    """The last result status must come after the last score, or the LMS judges a score it has not seen."""
    ordered = [e for e in seen.calls("LMSSetValue") if argument(e.event, 0) in (STATUS, SCORE)]
    scores = [i for i, e in enumerate(ordered) if argument(e.event, 0) == SCORE]
    results = [i for i, e in enumerate(ordered)
               if argument(e.event, 0) == STATUS and argument(e.event, 1) in RESULT_STATUSES]
    if not scores or not results or results[-1] > scores[-1]:
        return []
    status, score = ordered[results[-1]], ordered[scores[-1]]
    return [Finding("lms.status-before-score", f"SCO {seen.sco} set lesson_status "
                    f"'{argument(status.event, 1)}' before score.raw '{argument(score.event, 1)}': LMS reports "
                    "(Cornerstone) take the status without the score; set the score, then the status",
                    score.step)]


def suspend_data_too_long(seen: Observation) -> list[Finding]:
    too_long = [e for e in seen.sets(SUSPEND) if len(argument(e.event, 1)) > SCORM12_SUSPEND_LIMIT]
    if not too_long:
        return []
    longest = max(len(argument(e.event, 1)) for e in too_long)
    return [Finding("lms.suspend-data-too-long", f"SCO {seen.sco} saved {longest:,} characters of "
                    f"cmi.suspend_data; SCORM 1.2 allows {SCORM12_SUSPEND_LIMIT:,} (CMIString4096) and LMSs "
                    "that enforce it lose the learner's resume state", too_long[0].step)]


def api_errors(seen: Observation) -> list[Finding]:
    """One finding per distinct failing call (method, element, code), with how often it failed."""
    failing: dict[tuple[str, str, str], list[StepEvent]] = {}
    finishes = 0
    for item in seen.events:
        event = item.event
        finishes += event.method == "LMSFinish"
        repeated_finish = event.method == "LMSFinish" and finishes > 1  # lms.finish-twice says it
        if event.error in ("", "0") or event.method in ERROR_REPORTERS or repeated_finish:
            continue
        failing.setdefault((event.method, argument(event, 0), event.error), []).append(item)
    return [api_error(seen, items) for items in failing.values()]


def api_error(seen: Observation, items: Sequence[StepEvent]) -> Finding:
    first = items[0].event
    times = f" ({len(items)} times)" if len(items) > 1 else ""
    severity = FindingSeverity.WARNING if first.error == NOT_IMPLEMENTED else FindingSeverity.ERROR
    return Finding("lms.errors", f"SCO {seen.sco}: {call_text(first)} returned {first.result!r} with error "
                   f"{first.error}{times}", items[0].step, severity)


def no_status(seen: Observation) -> list[Finding]:
    if not seen.calls("LMSInitialize") or seen.sets(STATUS):
        return []
    return [Finding("lms.no-status", f"SCO {seen.sco} never set cmi.core.lesson_status during the visit: the "
                    "LMS decides the status itself at LMSFinish", seen.close_step, FindingSeverity.WARNING)]


def page_problems(seen: Observation) -> list[Finding]:
    found: dict[tuple[str, str], PageProblem] = {}
    for problem in seen.problems:
        found.setdefault((problem.rule, problem.detail), problem)
    return [Finding(p.rule, f"SCO {seen.sco}: {p.detail}", p.step) for p in found.values()]


RULES: tuple[Callable[[Observation], list[Finding]], ...] = (
    api_not_found, no_initialize, no_finish, finish_twice, commit_only_on_unload, status_before_score,
    suspend_data_too_long, api_errors, no_status, page_problems,
)


def judge(seen: Observation) -> tuple[Finding, ...]:
    """Every rule the SCO broke, in rule order."""
    return tuple(finding for rule in RULES for finding in rule(seen))


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    failed = any(f.severity is FindingSeverity.ERROR for f in findings)
    return Verdict.FAILED if failed else Verdict.PASSED


def describe(run: PreviewRun, finding: Finding) -> str:
    """One line a person reads first: the run, the scenario, the step, the rule and what went wrong."""
    return f"{run.name}: step '{finding.step}': {finding.severity.value}: {finding.message} [{finding.rule}]"


# --- driving the browser -----------------------------------------------------------------------------


class Sco(Protocol):
    """What the smoke test needs to know of a SCO the harness read from the manifest."""

    @property
    def identifier(self) -> str: ...
    @property
    def href(self) -> str: ...


class Session(Protocol):
    """One learner's launch of one SCO in the test LMS (the harness's ``LmsSession``)."""

    def launch(self, context: BrowserContext) -> tuple[Page, Frame]: ...
    def events(self) -> tuple[ApiEvent, ...]: ...
    def record(self) -> dict[str, str]: ...
    def close(self, page: Page) -> None: ...


def sco_label(sco: Sco) -> str:
    return f"'{sco.identifier}' ({sco.href})"


def package_base(frame_url: str, href: str) -> str:
    """The URL the package is served under: the launch page's URL without the SCO's own href."""
    page_url, launch_path = frame_url.split("?", 1)[0].split("#", 1)[0], href.split("?", 1)[0]
    if launch_path and page_url.endswith(launch_path):
        return page_url.removesuffix(launch_path)
    return page_url.rsplit("/", 1)[0] + "/"


class PageWatcher:
    """Console errors and failed requests of the package's own files, tagged with the step they came in.

    Listens on the browser context, so the first script of the launch page is heard too.
    """

    FAILED_LOAD = "Failed to load resource"
    """Chromium's console echo of a failed request: page.request-failed already names the file."""

    def __init__(self, context: BrowserContext) -> None:
        self._context = context
        self.base = ""
        self.step = ""
        self.problems: list[PageProblem] = []
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        context.on("response", self._response)
        context.on("requestfailed", self._request_failed)

    def stop(self) -> None:
        self._context.remove_listener("console", self._console)
        self._context.remove_listener("weberror", self._web_error)
        self._context.remove_listener("response", self._response)
        self._context.remove_listener("requestfailed", self._request_failed)

    def _ours(self, url: str) -> bool:
        return bool(self.base) and url.startswith(self.base)

    def _path(self, url: str) -> str:
        return url.removeprefix(self.base)

    def _note(self, rule: str, detail: str) -> None:
        self.problems.append(PageProblem(self.step, rule, detail))

    def _console(self, message: ConsoleMessage) -> None:
        source = str(message.location.get("url", ""))
        if message.type == "error" and self._ours(source) and not message.text.startswith(self.FAILED_LOAD):
            self._note("page.console-error", f"console error from {self._path(source)}: {message.text}")

    def _web_error(self, error: WebError) -> None:
        stack = error.error.stack or ""
        if self.base and self.base in stack:
            self._note("page.console-error", f"uncaught {error.error.name}: {error.error.message}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and self._ours(response.url):
            self._note("page.request-failed", f"{self._path(response.url)} answered {response.status} "
                       "(a file the package references but does not ship)")

    def _request_failed(self, request: Request) -> None:
        if self._ours(request.url):
            self._note("page.request-failed", f"{self._path(request.url)} failed: {request.failure or 'unknown'}")


Audit = Callable[[Frame, str], list[Finding]]
"""An accessibility check of the current screen: (content frame, where) -> findings."""


@dataclass
class SmokeRun:
    """The mutable notebook of one SCO's smoke run; frozen into a :class:`PreviewRun` at the end."""

    session: Session
    watcher: PageWatcher
    steps: list[str] = field(default_factory=list)
    boundaries: list[tuple[str, int]] = field(default_factory=list)
    """(step, how many calls the LMS had recorded when it began)."""
    findings: list[Finding] = field(default_factory=list)
    screenshots: list[Screenshot] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)

    def begin(self, step: str) -> None:
        self.steps.append(step)
        self.boundaries.append((step, len(self.session.events())))
        self.watcher.step = step

    def step_events(self, events: Sequence[ApiEvent]) -> tuple[StepEvent, ...]:
        """Each call with the step it arrived in (the last step that began before it was recorded)."""
        tagged: list[StepEvent] = []
        for index, event in enumerate(events):
            step = next((s for s, start in reversed(self.boundaries) if start <= index), self.steps[0])
            tagged.append(StepEvent(step, event))
        return tuple(tagged)


def wait_for_initialize(session: Session, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(e.method == "LMSInitialize" for e in session.events()):
            return True
        time.sleep(0.05)
    return False


def frames_under(frame: Frame) -> list[Frame]:
    """The content frame and every frame nested in it (vendor SCOs often frame their own pages)."""
    found, pending = [], [frame]
    while pending:
        current = pending.pop(0)
        found.append(current)
        pending.extend(current.child_frames)
    return found


def next_control(frame: Frame) -> Locator | None:
    """The first visible, enabled button or link whose accessible name says "next"."""
    for candidate_frame in frames_under(frame):
        controls = candidate_frame.get_by_role("button", name=NEXT_CONTROL).or_(
            candidate_frame.get_by_role("link", name=NEXT_CONTROL))
        try:
            for control in controls.all()[:10]:
                if control.is_visible() and control.is_enabled():
                    return control
        except PlaywrightError:
            continue  # the frame navigated away while we looked
    return None


def accessible_name(control: Locator) -> str:
    try:
        text = control.inner_text(timeout=500).strip() or control.get_attribute("aria-label", timeout=500) or ""
    except PlaywrightError:
        text = ""
    return " ".join(text.split())[:40] or "next"


def settle(frame: Frame, seconds: float) -> None:
    with contextlib.suppress(PlaywrightError):  # a frame replaced mid-wait is still a screen to look at
        frame.wait_for_load_state("load", timeout=5000)
    time.sleep(seconds)


def look(run: SmokeRun, page: Page, frame: Frame, where: str, audits: Sequence[Audit]) -> None:
    """Screenshot the screen and run the accessibility checks on it."""
    started = time.monotonic()
    size = page.viewport_size or {"width": 0, "height": 0}
    run.screenshots.append(Screenshot(where, size["width"], size["height"], page.screenshot()))
    for audit in audits:
        run.findings.extend(audit(frame, where))
    run.timings.append(Timing(f"look at {where}", time.monotonic() - started))


def click_through(run: SmokeRun, page: Page, frame: Frame, options: SmokeOptions, audits: Sequence[Audit]) -> None:
    """Press "Next" while there is one, at most ``options.next_clicks`` times."""
    for number in range(1, options.next_clicks + 1):
        control = next_control(frame)
        if control is None:
            return
        run.begin(f"click '{accessible_name(control)}' ({number})")
        try:
            control.click(timeout=2000)
        except PlaywrightError:
            return  # covered or detached: a learner would stop here too
        settle(frame, options.settle_s)
        look(run, page, frame, f"screen {number + 1}", audits)


KeyboardCheck = Callable[[Page, Frame], list[Finding]]
"""A keyboard walk of the current screen (the Tab walk): (page, content frame) -> findings."""


def smoke_sco(context: BrowserContext, session: Session, sco: Sco, options: SmokeOptions,
              audits: Sequence[Audit] = (), keyboard: Sequence[KeyboardCheck] = ()) -> Observation:
    """Launch one SCO, act like a learner, close it, and collect what was recorded."""
    watcher = PageWatcher(context)
    run = SmokeRun(session, watcher)
    try:
        run.begin(f"launch SCO {sco_label(sco)}")
        page, frame = session.launch(context)
        watcher.base = package_base(frame.url, sco.href)
        wait_step = f"wait for LMSInitialize ({options.api_timeout_s:g} s)"
        run.begin(wait_step)
        if wait_for_initialize(session, options.api_timeout_s):
            time.sleep(options.settle_s)
        look(run, page, frame, "screen 1", audits)
        for walk in keyboard:
            run.findings.extend(walk(page, frame))
        click_through(run, page, frame, options, audits)
        close_step = "close the window"
        run.begin(close_step)
        session.close(page)
        events = session.events()
        record = session.record()
    finally:
        watcher.stop()
    return Observation(sco_label(sco), wait_step, close_step, run.step_events(events), record,
                       tuple(watcher.problems))
