"""Smoke tests of any SCORM 1.2 package: launch every SCO like a learner and name what it does wrong.

A vendor package's content is unknown, so the smoke test acts only as a patient learner would: it
launches each SCO in the test LMS, waits for the content to find the API and initialize, clicks an
obvious "Next" control a few times (best effort, bounded), looks at each screen, then closes the
window. What the LMS recorded, step by step, is then judged by pure rules (:data:`TRACKING_RULES`,
:data:`PAGE_RULES`); each broken rule is a :class:`Finding` naming the SCO and the step, e.g.
``lms.no-finish`` at step ``close the window``. The accessibility audits (``a11y.py``: axe-core on every
screen, the Tab walk on the first) add theirs.

When a call happened is told by snapshots, not clocks: the number of calls the LMS had recorded is
taken at every step boundary, so a call belongs to the step during which it arrived. That is how
``lms.commit-only-on-unload`` sees a package whose commits arrive only after the close began.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Request,
    Response,
    WebError,
)
from playwright.sync_api import Error as PlaywrightError

from courseforge.model.package import PackageFormat
from courseforge.model.preview import (
    ApiEvent,
    Finding,
    FindingSeverity,
    LaunchRecord,
    PreviewRun,
    Screenshot,
    Timing,
    Verdict,
)
from courseforge.stages.preview import a11y
from courseforge.stages.preview.harness import LmsSession, PreviewServer, ServedPackage, Unit
from courseforge.stages.preview.harness.plugins.scorm12 import ManifestError
from courseforge.stages.preview.scenarios import run_timeline
from courseforge.standards import profile_for
from courseforge.standards import scorm12 as std
from courseforge.standards.scorm12 import SUSPEND_DATA_LIMIT as SCORM12_SUSPEND_LIMIT

SCENARIO = "smoke"
UNKNOWN_LOCALE = "und"
"""BCP 47 'undetermined': a vendor package does not tell the smoke test its language."""

STATUS = std.LESSON_STATUS
SCORE = std.SCORE_RAW
SUSPEND = std.SUSPEND_DATA
RESULT_STATUSES = std.RESULT_STATUSES
COMMITTING = frozenset({"LMSCommit", "LMSFinish"})
ERROR_REPORTERS = frozenset({"LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"})
"""Calls that report the previous call's error: their code is not their own."""
NOT_IMPLEMENTED = std.NOT_IMPLEMENTED
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
    finish_grace_s: float = 2.0
    """After the close, how long calls may still trail (a beacon on a busy machine) before ``lms.no-finish``."""
    next_clicks: int = 3
    accessibility: bool = True


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
    """``SCO 'item_id' (launch/href.html)``: how findings name the SCO."""
    wait_step: str
    close_step: str
    events: tuple[StepEvent, ...]
    record: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[PageProblem, ...] = ()
    tracked: bool = True
    """False for an asset (an untracked page): only the page rules apply."""

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
    return [Finding("lms.api-not-found", f"{seen.sco} never called the LMS API: it did not find window.API "
                    "in its parent frames or opener, or does not track at all", seen.wait_step)]


def no_initialize(seen: Observation) -> list[Finding]:
    if not seen.events or seen.calls("LMSInitialize"):
        return []
    first = seen.events[0]
    return [Finding("lms.no-initialize", f"{seen.sco} called {call_text(first.event)} but never "
                    "LMSInitialize(''): an LMS ignores every call before it", first.step)]


def no_finish(seen: Observation) -> list[Finding]:
    if not seen.calls("LMSInitialize") or seen.calls("LMSFinish"):
        return []
    return [Finding("lms.no-finish", f"{seen.sco} did not call LMSFinish('') when the learner closed the "
                    "window: the LMS never ends the session (call it on pagehide, once)", seen.close_step)]


def finish_twice(seen: Observation) -> list[Finding]:
    finishes = seen.calls("LMSFinish")
    if len(finishes) < 2:
        return []
    return [Finding("lms.finish-twice", f"{seen.sco} called LMSFinish('') {len(finishes)} times: the calls "
                    "after the first fail, and some LMSs close the attempt twice", finishes[1].step)]


def saved_only_on_unload(seen: Observation) -> list[StepEvent]:
    """The commits and finishes, when every one of them arrived only after the close began."""
    saving = seen.calls(*COMMITTING)
    return saving if saving and all(e.step == seen.close_step for e in saving) else []


def commit_only_on_unload(seen: Observation) -> list[Finding]:
    saving = saved_only_on_unload(seen)
    if not saving:
        return []
    failed = [e.event for e in saving if e.event.error not in ("", "0")]
    lost = (f"; {', '.join(f'{call_text(e)} failed with error {e.error}' for e in failed)}: that data is lost"
            if failed else "")
    return [Finding("lms.commit-only-on-unload", f"{seen.sco} committed nothing until the window was "
                    f"closing ({', '.join(call_text(e.event) for e in saving)} arrived only after the close "
                    f"began){lost}. Browsers drop work done in unload handlers; commit as progress happens",
                    seen.close_step)]


def status_before_score(seen: Observation) -> list[Finding]:
    """The last result status must come after the last score, or the LMS judges a score it has not seen."""
    ordered = [e for e in seen.calls("LMSSetValue") if argument(e.event, 0) in (STATUS, SCORE)]
    scores = [i for i, e in enumerate(ordered) if argument(e.event, 0) == SCORE]
    results = [i for i, e in enumerate(ordered)
               if argument(e.event, 0) == STATUS and argument(e.event, 1) in RESULT_STATUSES]
    if not scores or not results or results[-1] > scores[-1]:
        return []
    status, score = ordered[results[-1]], ordered[scores[-1]]
    return [Finding("lms.status-before-score", f"{seen.sco} set lesson_status "
                    f"'{argument(status.event, 1)}' before score.raw '{argument(score.event, 1)}': LMS reports "
                    "(Cornerstone) take the status without the score; set the score, then the status",
                    score.step)]


def suspend_data_too_long(seen: Observation) -> list[Finding]:
    too_long = [e for e in seen.sets(SUSPEND) if len(argument(e.event, 1)) > SCORM12_SUSPEND_LIMIT]
    if not too_long:
        return []
    longest = max(len(argument(e.event, 1)) for e in too_long)
    return [Finding("lms.suspend-data-too-long", f"{seen.sco} saved {longest:,} characters of "
                    f"cmi.suspend_data; SCORM 1.2 allows {SCORM12_SUSPEND_LIMIT:,} (CMIString4096) and LMSs "
                    "that enforce it lose the learner's resume state", too_long[0].step)]


def api_errors(seen: Observation) -> list[Finding]:
    """One finding per distinct failing call (method, element, code), with how often it failed."""
    failing: dict[tuple[str, str, str], list[StepEvent]] = {}
    finishes = 0
    told = saved_only_on_unload(seen)  # lms.commit-only-on-unload says how those failed
    for item in seen.events:
        event = item.event
        if item in told:
            continue
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
    return Finding("lms.errors", f"{seen.sco}: {call_text(first)} returned {first.result!r} with error "
                   f"{first.error}{times}", items[0].step, severity)


def no_status(seen: Observation) -> list[Finding]:
    if not seen.calls("LMSInitialize") or seen.sets(STATUS):
        return []
    return [Finding("lms.no-status", f"{seen.sco} never set cmi.core.lesson_status during the visit: the "
                    "LMS decides the status itself at LMSFinish", seen.close_step, FindingSeverity.WARNING)]


def page_problems(seen: Observation) -> list[Finding]:
    found: dict[tuple[str, str], PageProblem] = {}
    for problem in seen.problems:
        found.setdefault((problem.rule, problem.detail), problem)
    return [Finding(p.rule, f"{seen.sco}: {p.detail}", p.step) for p in found.values()]


Rule = Callable[[Observation], list[Finding]]
TRACKING_RULES: tuple[Rule, ...] = (
    api_not_found, no_initialize, no_finish, finish_twice, commit_only_on_unload, status_before_score,
    suspend_data_too_long, api_errors, no_status,
)
PAGE_RULES: tuple[Rule, ...] = (page_problems,)


def judge(seen: Observation) -> tuple[Finding, ...]:
    """Every rule the SCO broke, in rule order (an asset is held to the page rules only)."""
    rules = (*TRACKING_RULES, *PAGE_RULES) if seen.tracked else PAGE_RULES
    return tuple(finding for rule in rules for finding in rule(seen))


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    failed = any(f.severity is FindingSeverity.ERROR for f in findings)
    return Verdict.FAILED if failed else Verdict.PASSED


def describe(run: PreviewRun, finding: Finding) -> str:
    """One line a person reads first: the run, the scenario, the step, the rule and what went wrong."""
    return f"{run.name}: step '{finding.step}': {finding.severity.value}: {finding.message} [{finding.rule}]"


# --- listening to the browser ------------------------------------------------------------------------


@dataclass(frozen=True)
class Heard:
    """Something the browser reported, before it is known whether the package caused it."""

    step: str
    rule: str
    evidence: str
    """The URL (or stack) that ties it to a file: the package's when it contains the package base."""
    text: str
    about: str = ""
    """The URL of the file concerned, named relative to the package."""

    def problem(self, base: str) -> PageProblem:
        where = f"{self.about.removeprefix(base)}: " if self.about else ""
        return PageProblem(self.step, self.rule, where + self.text)


class PageWatcher:
    """Console errors and failed requests of the package's own files, tagged with the step they came in.

    Listens on the browser context, so the launch page's first script is heard and so is a popup;
    what belongs to the package (its URL is in the evidence) is sorted out by :meth:`problems`.
    """

    FAILED_LOAD = "Failed to load resource"
    """Chromium's console echo of a failed request: page.request-failed already names the file."""

    def __init__(self, context: BrowserContext) -> None:
        self._context = context
        self.step = ""
        self._heard: list[Heard] = []
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        context.on("response", self._response)
        context.on("requestfailed", self._request_failed)

    def stop(self) -> None:
        self._context.remove_listener("console", self._console)
        self._context.remove_listener("weberror", self._web_error)
        self._context.remove_listener("response", self._response)
        self._context.remove_listener("requestfailed", self._request_failed)

    def problems(self, base: str) -> tuple[PageProblem, ...]:
        return tuple(heard.problem(base) for heard in self._heard if base and base in heard.evidence)

    def _hear(self, rule: str, evidence: str, text: str, about: str = "") -> None:
        self._heard.append(Heard(self.step, rule, evidence, text, about))

    def _console(self, message: ConsoleMessage) -> None:
        source = str(message.location.get("url", ""))
        if message.type == "error" and not message.text.startswith(self.FAILED_LOAD):
            self._hear("page.console-error", source, f"console error: {message.text}", source)

    def _web_error(self, error: WebError) -> None:
        self._hear("page.console-error", error.error.stack or "", f"uncaught {error.error.name}: {error.error.message}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self._hear("page.request-failed", response.url,
                       f"answered {response.status} (a file the package references but does not ship)", response.url)

    def _request_failed(self, request: Request) -> None:
        self._hear("page.request-failed", request.url, f"failed: {request.failure or 'unknown'}", request.url)


# --- acting like a learner ---------------------------------------------------------------------------


Audit = Callable[[Frame, str], list[Finding]]
"""An accessibility check of the screen shown: (content frame, step) -> findings (axe-core)."""
KeyboardCheck = Callable[[Page, Frame, str], list[Finding]]
"""A keyboard walk of the screen shown: (page, content frame, step) -> findings (the Tab walk)."""


@dataclass(frozen=True)
class Checks:
    audits: tuple[Audit, ...] = ()
    keyboard: tuple[KeyboardCheck, ...] = ()


def accessibility_checks(server: PreviewServer) -> Checks:
    """axe-core (the copy the harness found) on every screen, and the Tab walk on the first."""
    axe = a11y.load_axe(server.runtime.axe_core.path)
    return Checks(audits=(lambda frame, where: a11y.audit(frame, where, axe),), keyboard=(a11y.tab_walk,))


def sco_label(sco: Unit) -> str:
    """``SCO 'item' (launch.html)``; an asset (launched, untracked) says so."""
    return f"{'SCO' if sco.tracked else 'asset'} '{sco.identifier}' ({sco.href})"


@dataclass
class Notebook:
    """What one SCO's smoke run has noted so far; frozen into a :class:`PreviewRun` at the end."""

    session: LmsSession
    watcher: PageWatcher
    steps: list[str] = field(default_factory=list)
    boundaries: list[int] = field(default_factory=list)
    """How many calls the LMS had recorded when each step began."""
    findings: list[Finding] = field(default_factory=list)
    screenshots: list[Screenshot] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    record: LaunchRecord | None = None
    """What the LMS held once the window had closed, in neutral terms."""

    def begin(self, step: str) -> str:
        self.boundaries.append(len(self.session.events()) if self.steps else 0)
        self.steps.append(step)
        self.watcher.step = step
        return step

    def step_events(self, events: Sequence[ApiEvent]) -> tuple[StepEvent, ...]:
        """Each call with the step it arrived in: the last step that began before it was recorded."""
        return tuple(StepEvent(self.steps[bisect.bisect_right(self.boundaries, index) - 1], event)
                     for index, event in enumerate(events))

    def timed(self, label: str, started: float) -> None:
        self.timings.append(Timing(label, time.monotonic() - started))


def wait_for_initialize(session: LmsSession, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(e.method == "LMSInitialize" for e in session.events()):
            return True
        time.sleep(0.05)
    return False


def wait_for_late_finish(session: LmsSession, grace_s: float) -> tuple[ApiEvent, ...]:
    """The launch's calls once LMSFinish is among them, or once none arrived for a while within ``grace_s``.

    The calls made while the window closes travel by beacon and may trail the harness's own settling."""
    deadline, events = time.monotonic() + grace_s, session.events()
    quiet_since = time.monotonic()
    while not any(e.method == "LMSFinish" for e in events) and time.monotonic() < deadline:
        time.sleep(0.05)
        latest = session.events()
        if len(latest) != len(events):
            events, quiet_since = latest, time.monotonic()
        elif time.monotonic() - quiet_since > grace_s / 2:
            break
    return events


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
    for candidate in frames_under(frame):
        buttons, links = (candidate.get_by_role(role, name=NEXT_CONTROL) for role in ("button", "link"))
        controls = buttons.or_(links)
        try:
            for control in controls.all()[:10]:
                if control.is_visible() and control.is_enabled():
                    return control
        except PlaywrightError:
            continue  # the frame navigated away while we looked
    return None


def control_name(control: Locator) -> str:
    try:
        text = control.inner_text(timeout=500) or control.get_attribute("aria-label", timeout=500) or ""
    except PlaywrightError:
        text = ""
    return " ".join(text.split())[:40] or "next"


def settle(frame: Frame, seconds: float) -> None:
    with contextlib.suppress(PlaywrightError):  # a frame replaced mid-wait is still a screen to look at
        frame.wait_for_load_state("load", timeout=5000)
    time.sleep(seconds)


def look(notes: Notebook, page: Page, frame: Frame, screen: int, checks: Checks) -> None:
    """Screenshot the screen shown and run the accessibility audits on it (the Tab walk on the first)."""
    started = time.monotonic()
    where = notes.begin(f"look at screen {screen}")
    size = page.viewport_size or {"width": 0, "height": 0}
    notes.screenshots.append(Screenshot(where, size["width"], size["height"], page.screenshot()))
    for audit in checks.audits:
        notes.findings.extend(audit(frame, where))
    if screen == 1:
        for walk in checks.keyboard:
            notes.findings.extend(walk(page, frame, notes.begin(f"Tab through screen {screen}")))
    notes.timed(f"look at screen {screen}", started)


def click_through(notes: Notebook, page: Page, frame: Frame, options: SmokeOptions, checks: Checks) -> None:
    """Press "Next" while there is one, at most ``options.next_clicks`` times, looking at each screen."""
    for number in range(1, options.next_clicks + 1):
        control = next_control(frame)
        if control is None:
            return
        notes.begin(f"click '{control_name(control)}' ({number})")
        try:
            control.click(timeout=2000)
        except PlaywrightError:
            return  # covered or detached: a learner would stop here too
        settle(frame, options.settle_s)
        look(notes, page, frame, number + 1, checks)


def observe_sco(context: BrowserContext, session: LmsSession, options: SmokeOptions, checks: Checks,
                notes: Notebook) -> Observation:
    """Launch one SCO, act like a learner, close the window, and collect what the LMS recorded."""
    sco, started = session.sco, time.monotonic()
    notes.begin(f"launch {sco_label(sco)}")
    page, frame = session.launch(context)
    notes.timed("launch", started)
    wait_step = notes.begin(f"wait for LMSInitialize ({options.api_timeout_s:g} s)" if sco.tracked else
                            f"let the page settle ({options.settle_s:g} s)")
    waited = time.monotonic()
    if not sco.tracked or wait_for_initialize(session, options.api_timeout_s):  # an asset need not call
        notes.timed("initialize", waited)
        time.sleep(options.settle_s)
    look(notes, page, frame, 1, checks)
    click_through(notes, page, frame, options, checks)
    close_step, closing = notes.begin("close the window"), time.monotonic()
    session.close(page)
    events = wait_for_late_finish(session, options.finish_grace_s)
    notes.record = session.launch_record()
    notes.timed("close", closing)
    base = session.server.base_url + session.package.url_path
    return Observation(sco_label(sco), wait_step, close_step, notes.step_events(events), dict(notes.record.values),
                       notes.watcher.problems(base), tracked=sco.tracked)


def unique(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The same problem seen on several screens is reported once, at its first step."""
    seen: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        seen.setdefault((finding.rule, finding.message), finding)
    return tuple(seen.values())


def run_name(package: ServedPackage, sco: Unit) -> str:
    return package.name if len(package.units) == 1 else f"{package.name}#{sco.identifier}"


def smoke_sco(server: PreviewServer, context: BrowserContext, package: ServedPackage, sco: Unit,
              options: SmokeOptions, checks: Checks) -> PreviewRun:
    """One SCO's smoke run as a :class:`PreviewRun`; a run that broke (timeout, crash) is ``Verdict.ERROR``."""
    started = time.monotonic()
    session = LmsSession(server, package, sco, options.profile)
    notes = Notebook(session, PageWatcher(context))
    try:
        seen = observe_sco(context, session, options, checks, notes)
        findings = unique([*notes.findings, *judge(seen)])
        verdict, events, record = verdict_of(findings), tuple(e.event for e in seen.events), seen.record
    except (PlaywrightError, RuntimeError) as error:
        step = notes.steps[-1] if notes.steps else "launch"
        findings = (*unique(notes.findings), Finding("scenario.error", f"the smoke test broke: {error}", step))
        verdict, events, record = Verdict.ERROR, (), {}
        with contextlib.suppress(PlaywrightError, RuntimeError):
            session.close()
    finally:
        notes.watcher.stop()
    launches = (notes.record,) if notes.record is not None and events else ()
    timeline = run_timeline(session.plugin, [(events, launches[0])]) if launches else session.plugin.timeline(events, 1)
    return PreviewRun(package=run_name(package, sco), format=package.format, locale=UNKNOWN_LOCALE,
                      profile=session.profile.name, scenario=SCENARIO, verdict=verdict, findings=tuple(findings),
                      steps=tuple(notes.steps), events=events, final_record=tuple(sorted(record.items())),
                      screenshots=tuple(notes.screenshots), timings=tuple(notes.timings),
                      duration_s=time.monotonic() - started, launches=launches, timeline=timeline,
                      profile_meaning=session.plugin.profile_meaning(session.profile) or "")


def smoke_package(server: PreviewServer, context: BrowserContext, package: ServedPackage,
                  options: SmokeOptions = SmokeOptions()) -> tuple[PreviewRun, ...]:
    """Every SCO of a served package, one after another in ``context``.

    An asset-only package (valid SCORM 1.2: the LMS launches pages and tracks nothing) has its
    launchable pages smoke-tested for page problems only.
    """
    checks = accessibility_checks(server) if options.accessibility else Checks()
    units = package.scos or package.units
    return tuple(smoke_sco(server, context, package, unit, options, checks) for unit in units)


def smoke_test(server: PreviewServer, context: BrowserContext, name: str, data: bytes,
               options: SmokeOptions = SmokeOptions()) -> tuple[PreviewRun, ...]:
    """``courseforge preview vendor.zip``: serve the zip's bytes and smoke-test every SCO.

    ``context`` is the caller's (its viewport is the screenshots' size, 1280x800 in a preview run);
    one context serves every package of a run, each launch in its own page.
    """
    try:
        package = server.serve_package(name, data)
    except (zipfile.BadZipFile, ManifestError) as problem:
        return (unlaunchable(name, options, str(problem)),)
    return smoke_package(server, context, package, options)


def not_smoke_tested(name: str, package_format: PackageFormat, options: SmokeOptions) -> PreviewRun:
    """The run of a vendor package of a standard the smoke test does not know yet: skipped, saying so."""
    title = profile_for(package_format).title
    finding = Finding("preview.not-smoke-tested", f"{name} is a {title} package: the vendor smoke test knows SCORM "
                      f"1.2 packages only, so it was not launched (courseforge check {name} judges the package)",
                      "import the package", FindingSeverity.WARNING)
    return PreviewRun(package=name, format=package_format, locale=UNKNOWN_LOCALE, profile=options.profile,
                      scenario=SCENARIO, verdict=Verdict.SKIPPED, findings=(finding,), steps=("import the package",))


def unlaunchable(name: str, options: SmokeOptions, problem: str) -> PreviewRun:
    """The run of a package the LMS could not even import: what was wrong with it (``check`` says more)."""
    finding = Finding("scenario.unlaunchable", f"{name} cannot be launched: {problem} (courseforge check {name} "
                      "tells what is wrong with the package)", "import the package")
    return PreviewRun(package=name, format=PackageFormat.SCORM12, locale=UNKNOWN_LOCALE, profile=options.profile,
                      scenario=SCENARIO, verdict=Verdict.ERROR, findings=(finding,), steps=("import the package",))
