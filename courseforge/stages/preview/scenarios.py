"""Scenarios from the course source, and the runner that plays them in the test LMS.

Every course gets ``pass`` (every screen, every question right, checklists ticked, surveys sent),
``fail`` (below mastery; left, relaunched and left again unfinished; then attempts used up where they
are limited), ``resume`` (stop past the first activity, relaunch from the stored record, check the
bookmark and what was kept, finish) and ``keyboard`` (``pass`` with the keyboard only); each authored
scenario of ``course.yaml`` runs too. While the robot acts, the runner keeps the learner's progress in
Python and asks the course rules (model/outcome.py) what the LMS must hold after each launch; the
assertions compare that with what the LMS stored, read by the package format's plug-in into neutral
terms. The same scenarios run for every standard; only the plug-in differs (the LMS side, the
interactions' syntax, the standard's own rules). The first applicable profile's ``pass`` run also takes
the evidence (``screen_evidence.py``: screenshots, axe-core, layout, Tab walks), unless ``evidence=False``.

``run_scenarios`` is the stage's entry point: one package x locale, for each profile and scenario; a
format without a plug-in gives one skipped run saying so, a profile that does not apply to the format
is left out (:func:`applicable_profiles` says which and why).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Frame, Page, Response
from playwright.sync_api import Error as PlaywrightError

from courseforge.model.course import Checklist, Course, FillIn, Question, Quiz, Screen, Survey
from courseforge.model.outcome import FINAL_STATUSES, Progress, attempt_percent, held_status, outcome, passing_of
from courseforge.model.package import PackageFormat
from courseforge.model.preview import (
    ApiEvent,
    Finding,
    FindingSeverity,
    LaunchRecord,
    PreviewRun,
    Signal,
    SignalKind,
    TimelineEntry,
    Timing,
    Verdict,
)
from courseforge.model.scenario import DERIVED_SCENARIOS, AnswerValue, AuthoredScenario
from courseforge.stages.preview.assertions import (
    ExpectedInteraction,
    LaunchObservation,
    PageProblem,
    ScenarioObservation,
    Standard,
    judge,
)
from courseforge.stages.preview.harness import (
    HarnessPlugin,
    Learner,
    LmsProfile,
    LmsSession,
    PreviewServer,
    ServedPackage,
)
from courseforge.stages.preview.harness.interface import InteractionCodec
from courseforge.stages.preview.learner_view import LearnerView, ViewError
from courseforge.stages.preview.robot import Given, Mode, Robot, RobotError, right_answer, wrong_answer
from courseforge.stages.preview.screen_evidence import DESKTOP, ScreenEvidence, screen_evidence
from courseforge.standards import profile_for

AttemptPlan = Literal["right", "below-pass", "authored"]
Kind = TypeVar("Kind", Quiz, Checklist, Survey)
Chooser = Callable[[Question, tuple[Question, ...]], AnswerValue | None]
SURVEY_TEXT = "More worked examples, please."
SESSION_END_WAIT_S = 3.0
"""How long after a close the end of the session (LMSFinish, terminated) may still be on its way."""
NO_PLUGIN = "preview.no-plugin"
PLAYER_WAIT_MS = 10_000
"""How long the player may take to connect to its LMS and show the first screen as current."""


# ------------------------------------------------------------------------------------ what a scenario is

@dataclass(frozen=True)
class Go:
    screen: str


@dataclass(frozen=True)
class Attempt:
    quiz: str
    plan: AttemptPlan
    ask_first: bool = False
    """Leave the last question unanswered and press "Keep answering" once before "Submit anyway"."""


@dataclass(frozen=True)
class Tick:
    checklist: str


@dataclass(frozen=True)
class Send:
    survey: str


@dataclass(frozen=True)
class CheckKept:
    """After a relaunch: the screen shows what the LMS kept (ticked items, a passed quiz's result)."""

    screen: str


Act = Go | Attempt | Tick | Send | CheckKept


@dataclass(frozen=True)
class Launch:
    acts: tuple[Act, ...]
    resume_at: str | None = None
    """The bookmark the relaunch must offer (None: the first launch)."""
    leave: str = "leave"
    """What the step that ends this launch is called."""


@dataclass(frozen=True)
class Scenario:
    name: str
    launches: tuple[Launch, ...]
    mode: Mode = "pointer"
    authored: AuthoredScenario | None = None


# ------------------------------------------------------------------------------------ deriving them

def _activity(screen: Screen, plan: AttemptPlan) -> tuple[Act, ...]:
    if isinstance(screen, Quiz):
        return (Attempt(screen.id, plan),)
    if isinstance(screen, Checklist):
        return (Tick(screen.id),)
    if isinstance(screen, Survey):
        return (Send(screen.id),)
    return ()


def walk(screens: Sequence[Screen], start: int, stop: int, plan: AttemptPlan = "right",
         skip_activities: Iterable[str] = ()) -> tuple[Act, ...]:
    """Screens ``start``..``stop`` in order with Next, doing each one's activity except on ``stop``."""
    skipped = set(skip_activities)
    acts: list[Act] = []
    for index in range(start, stop + 1):
        acts.append(Go(screens[index].id))
        if index < stop and screens[index].id not in skipped:
            acts.extend(_activity(screens[index], plan))
    return tuple(acts)


def pass_scenario(course: Course, mode: Mode = "pointer") -> Scenario:
    screens = course.screens
    acts = (*walk(screens, 0, len(screens) - 1), *_activity(screens[-1], "right"))
    return Scenario("keyboard" if mode == "keyboard" else "pass", (Launch(acts, leave="leave at the end"),), mode)


def fail_scenario(course: Course) -> Scenario:
    """Below mastery at every mastery quiz; leave; relaunch and leave again unfinished; relaunch and use up
    the attempts (one more attempt where they are unlimited)."""
    screens = course.screens
    mastery = set(course.manifest.mastery.quizzes) if course.manifest.mastery else set()
    first: list[Act] = []
    for screen in screens:
        first.append(Go(screen.id))
        if isinstance(screen, Quiz) and screen.id in mastery:
            first.append(Attempt(screen.id, "below-pass", ask_first=True))
        else:
            first.extend(_activity(screen, "right"))
    last = screens[-1].id
    again: list[Act] = []
    at = len(screens) - 1
    for index, screen in enumerate(screens):
        if isinstance(screen, Quiz) and screen.id in mastery:
            again.extend(Go(s.id) for s in _path(screens, at, index))
            at = index
            again.extend(Attempt(screen.id, "below-pass") for _ in range(max(1, screen.attempts - 1)))
    return Scenario("fail", (Launch(tuple(first), leave="leave after attempt 1"),
                             Launch((), resume_at=last, leave="leave again, unfinished"),
                             Launch(tuple(again), resume_at=last, leave="leave after the last attempt")))


def _path(screens: Sequence[Screen], start: int, target: int) -> list[Screen]:
    """The screens passed moving from ``start`` to ``target`` with Next or Previous (target included)."""
    step = 1 if target >= start else -1
    return [screens[i] for i in range(start + step, target + step, step)]


def resume_stop(course: Course) -> int:
    """Where the first launch stops: halfway, but past the first activity so something is kept."""
    screens = course.screens
    first_activity = next((i for i, s in enumerate(screens) if s.kind != "page"), 0)
    return min(len(screens) - 1, max(len(screens) // 2, first_activity + 1))


def resume_scenario(course: Course) -> Scenario:
    screens = course.screens
    stop = resume_stop(course)
    done = [s for s in screens[:stop] if s.kind != "page"]
    second: list[Act] = []
    at = stop
    for screen in done:  # back to each kept activity, then on from the bookmark
        index = screens.index(screen)
        second.extend(Go(s.id) for s in _path(screens, at, index))
        second.append(CheckKept(screen.id))
        at = index
    second.extend(Go(s.id) for s in _path(screens, at, stop))
    second.extend(walk(screens, stop, len(screens) - 1)[1:])
    second.extend(_activity(screens[-1], "right"))
    return Scenario("resume", (Launch(walk(screens, 0, stop), leave=f"leave at '{screens[stop].id}'"),
                               Launch(tuple(second), resume_at=screens[stop].id, leave="leave at the end")))


def authored_scenario(course: Course, scenario: AuthoredScenario) -> Scenario:
    screens = course.screens
    acts = (*walk(screens, 0, len(screens) - 1, "authored"), *_activity(screens[-1], "authored"))
    return Scenario(scenario.name, (Launch(acts, leave="leave at the end"),), authored=scenario)


def derive_scenarios(course: Course) -> tuple[Scenario, ...]:
    """Every scenario of a course: the derived ones (``fail`` only for a scored course), then the authored."""
    derived = [pass_scenario(course)]
    if course.manifest.mastery:
        derived.append(fail_scenario(course))
    derived += [resume_scenario(course), pass_scenario(course, "keyboard")]
    return (*derived, *(authored_scenario(course, s) for s in course.manifest.scenarios))


def select_scenarios(course: Course, names: Sequence[str] = ()) -> tuple[Scenario, ...]:
    """The scenarios named (all when none is); an unknown name raises KeyError naming the known ones."""
    every = derive_scenarios(course)
    if not names:
        return every
    known = {s.name: s for s in every}
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(f"unknown scenario {', '.join(missing)} (known: {', '.join(known)})")
    return tuple(known[n] for n in names)


# ------------------------------------------------------------------------------------ playing one

@dataclass(frozen=True)
class LmsRules:
    """What the profile's LMS does that changes what it must hold."""

    mastery: float | None
    """The LMS's own mastery score (replaces the course's), or None."""
    records_interactions: bool = True
    """False for an LMS that refuses interactions altogether (no built-in profile does)."""

    @classmethod
    def of(cls, profile: LmsProfile) -> LmsRules:
        return cls(profile.mastery_percent)


@dataclass
class _Watch:
    """Console errors and failed requests of the package, each with the step it happened in."""

    package_url: str
    step: str = "launch"
    problems: list[PageProblem] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._add("page.console-error", f"uncaught error: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", lambda request: self._add(
            "page.request-failed", f"request for {request.url} failed: {request.failure}")
            if request.url.startswith(self.package_url) else None)

    def _add(self, rule: str, detail: str) -> None:
        self.problems.append(PageProblem(self.step, rule, detail))

    def _console(self, message: ConsoleMessage) -> None:
        source = str(message.location.get("url", ""))
        if message.type == "error" and source.startswith(self.package_url) and \
                not message.text.startswith("Failed to load resource"):
            self._add("page.console-error", f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.url.startswith(self.package_url):
            self._add("page.request-failed", f"{response.url} answered {response.status}")


class Player:
    """Plays one scenario under one profile: the robot acts, the course rules say what must follow."""

    def __init__(self, course: Course, view: LearnerView, session: LmsSession, context: BrowserContext,
                 scenario: Scenario, evidence: ScreenEvidence | None = None) -> None:
        self.course = course
        self.view = view
        self.session = session
        self.codec: InteractionCodec = session.plugin.codec(session.package, session.sco)
        self.context = context
        self.scenario = scenario
        self.rules = LmsRules.of(session.profile)
        self.screens = course.screens
        self.progress = Progress()
        self.held = "incomplete"
        self.interactions: list[ExpectedInteraction] = []
        self.steps: list[str] = []
        self.watch = _Watch(session.server.base_url + session.package.url_path)
        self.launches: list[LaunchObservation] = []
        self.at = 0
        self.robot: Robot | None = None
        self.evidence = evidence
        """Screenshots and audits to take on the way (the first profile's ``pass``), or None."""
        self.page: Page | None = None
        self.frame: Frame | None = None

    def step(self, name: str) -> None:
        self.watch.step = f"launch {len(self.launches) + 1}: {name}"
        self.steps.append(self.watch.step)

    def play(self) -> ScenarioObservation:
        for launch in self.scenario.launches:
            try:
                self.open(launch)
                for act in launch.acts:
                    self.do(act)
            except (RobotError, ViewError, PlaywrightError) as error:
                self.watch.problems.append(PageProblem(self.watch.step, "scenario.robot-stuck",
                                                       f"the robot learner could not go on: {_first_line(error)}"))
                self.leave(launch)
                break
            self.leave(launch)
        authored = self.scenario.authored
        return ScenarioObservation(self.scenario.name, self.session.profile.name, tuple(self.launches),
                                   tuple(self.watch.problems), authored.expect.status if authored else None,
                                   authored.expect.score if authored else None, runtime=self.session.server.runtime)

    # ------------------------------------------------------------------ launches

    def open(self, launch: Launch) -> None:
        self.step("launch" if launch.resume_at is None else "relaunch")
        page, frame = self.session.launch(self.context)
        self.page, self.frame = page, frame
        self.watch.attach(page)
        if self.session.host_page is not None and self.session.host_page is not page:
            self.watch.attach(self.session.host_page)
        page.set_default_timeout(5000)
        self.robot = Robot(frame, self.view, self.scenario.mode, self.step)
        if launch.resume_at is None:
            self.at = 0
            self.robot.expect_screen(self.screens[0].id)
            self.wait_for_the_player(frame)
            self.arrived(0)
        else:
            self.robot.resume(launch.resume_at)
            self.at = self._index(launch.resume_at)
            self.arrived(self.at)

    @staticmethod
    def wait_for_the_player(frame: Frame) -> None:
        """The first screen is in the page before the player runs; the player marks the current screen in the
        contents (aria-current, what a screen reader announces) once it has connected to its LMS, which for
        an asynchronous one (xAPI, cmi5) takes a round trip: a Next pressed before that does nothing."""
        try:
            frame.locator('[aria-current="step"]').first.wait_for(state="attached", timeout=PLAYER_WAIT_MS)
        except PlaywrightError:
            raise RobotError("the player never showed which screen is current (it did not start)") from None

    def leave(self, launch: Launch) -> None:
        self.step(launch.leave)
        try:
            self.session.close()
        except PlaywrightError as error:
            self.watch.problems.append(PageProblem(self.watch.step, "scenario.robot-stuck",
                                                   f"closing the window failed: {_first_line(error)}"))
        now = outcome(self.course, self.progress, self.rules.mastery)
        self.held = held_status(self.held, now.status)
        # The page sends its last calls (the finish among them) by beacon as it closes: they may trail it.
        events = self.session.wait_ended(SESSION_END_WAIT_S)
        self.launches.append(LaunchObservation(
            leave_step=self.watch.step, events=events, record=self.session.launch_record(),
            status=self.held, score=now.score, finished=self.held in FINAL_STATUSES,
            interactions=tuple(self.interactions), record_interactions=self.rules.records_interactions,
            completed=now.completed))

    # ------------------------------------------------------------------ acts

    def _robot(self) -> Robot:
        if self.robot is None:
            raise RobotError("no launch running")
        return self.robot

    def _index(self, screen_id: str) -> int:
        return next(i for i, s in enumerate(self.screens) if s.id == screen_id)

    def arrived(self, index: int) -> None:
        self.progress = self.progress.visit(self.screens[index].id)
        for src in self._robot().broken_images():
            self.watch.problems.append(PageProblem(self.watch.step, "page.image-broken",
                                                   f"image {src} did not load on '{self.screens[index].id}'"))
        if self.evidence is not None and self.page is not None and self.frame is not None:
            screen = self.screens[index]
            self.evidence.arrival(self.page, self.frame, index + 1, screen.id,
                                  "unanswered" if isinstance(screen, Quiz) else "")

    def look_at(self, quiz: Quiz, state: str) -> None:
        """axe-core on the quiz in ``state`` (answered, submitted, the unanswered-questions dialog open)."""
        if self.evidence is not None and self.frame is not None:
            self.evidence.state(self.frame, self._index(quiz.id) + 1, quiz.id, state)

    def look_before_answering(self, quiz: Quiz) -> None:
        """Once per run: the Tab walk through a quiz, and Submit pressed too early (the dialog or alert)."""
        if self.evidence is None or self.page is None or self.frame is None:
            return
        number = self._index(quiz.id) + 1
        if self.evidence.first_time("Tab walk on a quiz"):
            self.evidence.tab_walk(self.page, self.frame, number, quiz.id, "unanswered")
        if self.evidence.first_time("submit too early"):
            asks = (quiz.unanswered or self.course.manifest.unanswered) == "ask"
            self._robot().submit_too_early(quiz, asks, lambda state: self.look_at(quiz, state))

    def do(self, act: Act) -> None:
        robot = self._robot()
        if isinstance(act, Go):
            target = self._index(act.screen)
            if target == self.at:
                return
            if abs(target - self.at) != 1:
                raise RobotError(f"'{act.screen}' is not next to the current screen")
            (robot.next_screen if target > self.at else robot.previous_screen)(act.screen)
            self.at = target
            self.arrived(target)
        elif isinstance(act, Tick):
            checklist = self._screen(act.checklist, Checklist)
            self.progress = self.progress.tick(checklist.id, robot.tick_checklist(checklist))
        elif isinstance(act, Send):
            self.send(self._screen(act.survey, Survey))
        elif isinstance(act, Attempt):
            self.attempt(act)
        else:
            self.check_kept(act.screen)

    def _screen(self, screen_id: str, kind: type[Kind]) -> Kind:
        return next(s for s in self.course.screens_of(kind) if s.id == screen_id)

    def send(self, survey: Survey) -> None:
        answers: dict[str, int | str] = {}
        for position, item in enumerate(survey.questions):
            answers[item.id] = position % len(item.scale) if item.type == "likert" else SURVEY_TEXT
        self._robot().send_survey(survey, answers)
        self.progress = self.progress.send_survey(survey.id)
        if self.rules.records_interactions:
            self.interactions.extend(self.codec.survey(survey, item, answers[item.id]) for item in survey.questions)

    def attempt(self, act: Attempt) -> None:
        robot = self._robot()
        quiz = self._screen(act.quiz, Quiz)
        if not robot.can_submit(quiz):
            robot.try_again(quiz)
        self.look_before_answering(quiz)
        given = robot.fill_attempt(quiz, self._chooser(quiz, act))
        self.look_at(quiz, "answered")
        left = sum(1 for g in given if g.value is None)
        robot.submit(quiz, left, keep_answering_first=act.ask_first and left > 0)
        percent = attempt_percent((g.question for g in given), (g.question.id for g in given if g.right))
        self.progress = self.progress.submit_attempt(quiz.id, percent)
        number = self.progress.quiz(quiz.id).attempts
        self.interactions.extend(self._interaction(quiz, number, g) for g in given if g.value is not None)
        self.check_result_line(quiz, percent)
        self.look_at(quiz, "submitted, feedback shown")

    def _interaction(self, quiz: Quiz, number: int, given: Given) -> ExpectedInteraction:
        accepted = self.view.accepted(quiz.id, given.question.id) if isinstance(given.question, FillIn) else ()
        assert given.value is not None
        return self.codec.quiz(quiz.id, number, given.question, given.value, given.right, accepted)

    def check_result_line(self, quiz: Quiz, percent: float) -> None:
        passed = percent >= passing_of(self.course, quiz, self.rules.mastery)
        line = self._robot().result_line(quiz)
        if not self.view.result_line(passed).search(line):
            verdict = "passed" if passed else "not passed"
            self.watch.problems.append(PageProblem(self.watch.step, "scenario.result-line",
                                                   f"quiz '{quiz.id}' says {line!r}; at {percent:g}% the learner "
                                                   f"has {verdict} (passing score "
                                                   f"{passing_of(self.course, quiz, self.rules.mastery):g})"))

    def _chooser(self, quiz: Quiz, act: Attempt) -> Chooser:
        """How the robot answers each question shown, by the act's plan."""
        passing = min(passing_of(self.course, quiz, self.rules.mastery),
                      self.rules.mastery if self.rules.mastery is not None else
                      (self.course.manifest.mastery.score if self.course.manifest.mastery else 100.0))
        authored = self.scenario.authored
        answers = authored.answers_for(quiz.id) if authored else {}
        right_so_far: list[Question] = []

        def choose(question: Question, shown: tuple[Question, ...]) -> AnswerValue | None:
            accepted = self.view.accepted(quiz.id, question.id) if isinstance(question, FillIn) else ()
            if act.plan == "right":
                return right_answer(question, accepted)
            if act.plan == "authored" and authored is not None:
                if question.id in answers:
                    return answers[question.id]
                return None if authored.others == "unanswered" else \
                    right_answer(question, accepted) if authored.others == "right" else wrong_answer(question, accepted)
            if act.ask_first and question is shown[-1]:
                return None
            trial = attempt_percent(shown, (q.id for q in (*right_so_far, question)))
            if trial < passing:
                right_so_far.append(question)
                return right_answer(question, accepted)
            return wrong_answer(question, accepted)

        return choose

    def check_kept(self, screen_id: str) -> None:
        robot = self._robot()
        screen = next(s for s in self.screens if s.id == screen_id)
        self.step(f"check what '{screen_id}' kept")
        if isinstance(screen, Checklist):
            wanted = tuple(i.id for i in screen.items if (screen.id, i.id) in self.progress.ticked)
            shown = robot.ticked_items(screen)
            if shown != wanted:
                self.watch.problems.append(PageProblem(self.watch.step, "scenario.kept", f"checklist '{screen.id}' "
                                                       f"shows {list(shown)} ticked after the relaunch, not "
                                                       f"{list(wanted)}"))
        elif isinstance(screen, Quiz):
            best = self.progress.quiz(screen.id).best
            if best is not None and best >= passing_of(self.course, screen, self.rules.mastery):
                line = robot.result_line(screen)
                if robot.can_submit(screen) or not self.view.result_line(True).search(line):
                    self.watch.problems.append(PageProblem(self.watch.step, "scenario.kept", f"quiz '{screen.id}' "
                                                           f"was passed, but after the relaunch shows {line!r}"
                                                           " and takes answers again"))


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# ------------------------------------------------------------------------------------ the stage

def verdict_of(findings: Iterable[Finding]) -> Verdict:
    return Verdict.FAILED if any(f.severity.value == "error" for f in findings) else Verdict.PASSED


MEANS_STATE_CHARS = 40
MEANS_VALUE_CHARS = 120


def _meaning(signal: Signal) -> str:
    limit = MEANS_STATE_CHARS if signal.kind is SignalKind.STATE else MEANS_VALUE_CHARS
    if len(signal.value) <= limit:
        return f"{signal.kind.value} {signal.value}".strip()
    return f"{signal.kind.value} ({len(signal.value):,} characters)"


def means(signals: Sequence[Signal], event: int) -> str:
    """What one raw event meant in neutral terms (``score 85; success passed``), for the report's timeline
    (saved state is decoded beside the value already: only its length here)."""
    return "; ".join(_meaning(s) for s in signals if s.event == event)


def run_timeline(plugin: HarnessPlugin,
                 launches: Sequence[tuple[Sequence[ApiEvent], LaunchRecord]]) -> tuple[TimelineEntry, ...]:
    """Every launch's events (with the record read after it) as the plug-in describes them, each with what
    it meant."""
    entries: list[TimelineEntry] = []
    for number, (events, record) in enumerate(launches, start=1):
        described = plugin.timeline(events, number)
        entries.extend(replace(entry, means=means(record.signals, index)) for index, entry in enumerate(described))
    return tuple(entries)


def run_one(course: Course, view: LearnerView, server: PreviewServer, package: ServedPackage, browser: Browser,
            scenario: Scenario, profile: str, locale: str, evidence: bool = False) -> PreviewRun:
    """One scenario under one profile, in a browser context of its own (one learner); with ``evidence``,
    screenshots, axe-core, the layout check and Tab walks on the way (``screen_evidence.py``)."""
    started = time.monotonic()
    context = browser.new_context(viewport=DESKTOP)
    session = LmsSession(server, package, profile=profile, learner=Learner(f"robot-{scenario.name}-{profile}"))
    looks = screen_evidence(server.runtime.axe_core.path) if evidence else None
    try:
        player = Player(course, view, session, context, scenario, looks)
        seen = player.play()
    finally:
        context.close()
    plugin = session.plugin
    standard = Standard(player.codec.same, plugin.rules)
    findings = (*judge(seen, standard), *(looks.findings if looks else ()))
    events = tuple(e for launch in seen.launches for e in launch.events)
    records: tuple[LaunchRecord, ...] = tuple(launch.record for launch in seen.launches)
    final = records[-1].values if records else ()
    duration = time.monotonic() - started
    return PreviewRun(package=package.name, format=package.format, locale=locale, profile=profile,
                      scenario=scenario.name, verdict=verdict_of(findings), findings=findings,
                      steps=tuple(player.steps), events=events, final_record=final,
                      screenshots=tuple(looks.screenshots) if looks else (),
                      timings=(Timing("scenario", duration), *(looks.timings() if looks else ())), duration_s=duration,
                      launches=records,
                      timeline=run_timeline(plugin, [(launch.events, launch.record) for launch in seen.launches]),
                      profile_meaning=plugin.profile_meaning(session.profile) or "")


def applicable_profiles(server: PreviewServer, package_format: PackageFormat,
                        profiles: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The profiles that apply to the format's plug-in, and a note for each one left out (why)."""
    plugin = server.plugin(package_format)
    kept: list[str] = []
    notes: list[str] = []
    for name in profiles:
        if plugin.profile_meaning(server.profile(name)) is None:
            notes.append(f"profile '{name}' does not apply to {profile_for(package_format).title}: "
                         f"{server.profile(name).summary}")
        else:
            kept.append(name)
    return tuple(kept), tuple(notes)


def no_plugin_run(name: str, package_format: PackageFormat, locale: str, profiles: Sequence[str]) -> PreviewRun:
    """The run of a package whose format has no preview plug-in yet: skipped, and the finding says so."""
    title = profile_for(package_format).title
    finding = Finding(NO_PLUGIN, f"{name} is a {title} package and the preview has no plug-in for {title} yet: "
                      "it was built and checked, not played", "choose the LMS side", FindingSeverity.WARNING)
    return PreviewRun(package=name, format=package_format, locale=locale, profile=",".join(profiles) or "-",
                      scenario="-", verdict=Verdict.SKIPPED, findings=(finding,))


def run_scenarios(course: Course, package_bytes: bytes, locale: str, profiles: Sequence[str],
                  scenarios: Sequence[str], browser: Browser, server: PreviewServer,
                  name: str = "", package_format: PackageFormat = PackageFormat.SCORM12,
                  evidence: bool = True) -> list[PreviewRun]:
    """Every named scenario (all when none is) under every profile that applies to the format, for one
    package of ``course``.

    ``course`` is the validated course (ids, answer keys, rules); the names the robot reads come from
    the package (``learner_view.py``), so ``locale`` only labels the runs. With ``evidence``, the ``pass``
    run of the first applicable profile takes the screenshots, accessibility audits and layout checks:
    what a screen looks like does not depend on how the LMS stores its data, so one run per package x
    locale is enough, and the first profile (not ``default``) keeps it in any ``--profile`` selection.
    """
    label = name or f"{course.id}-{locale}"
    if package_format not in server.plugins:
        return [no_plugin_run(label, package_format, locale, profiles)]
    chosen = select_scenarios(course, scenarios)
    kept, _ = applicable_profiles(server, package_format, profiles)
    if not kept:
        return []
    view = LearnerView.of_package(package_bytes)
    package = server.serve_package(label, package_bytes, package_format)
    return [run_one(course, view, server, package, browser, scenario, profile, locale,
                    evidence=evidence and scenario.name == "pass" and profile == kept[0])
            for profile in kept for scenario in chosen]


__all__ = ["DERIVED_SCENARIOS", "NO_PLUGIN", "Attempt", "CheckKept", "Go", "Launch", "LmsRules", "Player", "Scenario",
           "Send", "Tick", "applicable_profiles", "derive_scenarios", "no_plugin_run", "run_one", "run_scenarios",
           "select_scenarios"]
