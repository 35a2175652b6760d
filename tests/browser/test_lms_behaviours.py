"""The runtime under real LMS behaviours: the sample packages in Chromium inside the preview harness
(scorm-again with each behaviour profile of ``courseforge.stages.preview.harness.profiles``), judged only
by what the LMS stored and the calls it recorded.

What every profile must see: the status the LMS holds after each finish is what the course rules say
(incomplete while attempts remain), score before status, score.raw to two decimals, exit "suspend"
whenever the learner leaves unfinished, exactly one LMSFinish, a session_time, suspend_data within 4,096.
The learner is the one of test_localized_packages (labels and roles only), in the source language.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, expect
from test_localized_packages import (
    LOCALES,
    PRIVACY,
    SAFETY,
    Edition,
    answer_survey,
    build,
    localized_course,
    submit_quiz,
    take_course,
)

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import FillIn, Quiz
from courseforge.model.package import PackageFormat
from courseforge.model.suspend import worst_case_length
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness.plugins import Learner as LmsLearner
from courseforge.stages.preview.harness.profiles import PROFILES
from courseforge.stages.preview.harness.server import PreviewServer, ServedPackage
from courseforge.stages.preview.harness.session import LmsSession
from courseforge.stages.preview.harness.store import LaunchRow
from courseforge.standards.scorm12 import SUSPEND_DATA_LIMIT as SCORM12_SUSPEND_LIMIT

SCORM12_ONLY = (PackageFormat.SCORM12,)

pytestmark = pytest.mark.browser

RUNTIME_COURSE = Path(__file__).parents[1] / "roots" / "runtime-course"
FINISH_WAIT_S = 5.0
TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
SEEDED_RANDOM = """(() => {
  let seed = 7;  // mulberry32: the same pool draw and shuffles on every run
  Math.random = () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();"""


@dataclass(frozen=True)
class Served:
    edition: Edition
    package: ServedPackage

    @property
    def quiz(self) -> Quiz:
        (quiz,) = self.edition.localized.course.quizzes
        return quiz

    def right_but(self, missed_points: int) -> frozenset[str]:
        """Question ids to answer right so that one-point questions worth ``missed_points`` are missed."""
        missed = [q.id for q in self.quiz.questions if q.points == 1][:missed_points]
        return frozenset(q.id for q in self.quiz.questions if q.id not in missed)


@dataclass(frozen=True)
class Packages:
    safety: Served
    privacy: Served
    runtime: Served


@pytest.fixture(scope="module")
def server() -> Iterator[PreviewServer]:
    with PreviewServer() as running:
        yield running


@pytest.fixture(scope="module")
def packages(server: PreviewServer, tmp_path_factory: pytest.TempPathFactory) -> Packages:
    out = tmp_path_factory.mktemp("lms-behaviours")
    safety, _ = build(SAFETY, ("en",), out)
    privacy, _ = build(PRIVACY, ("en",), out)
    sink = DiagnosticSink()
    result = build_course(RUNTIME_COURSE, "tests/roots/runtime-course", BuildOptions(formats=SCORM12_ONLY), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    runtime_zip = out / "runtime-course-en.zip"
    runtime_zip.write_bytes(result.packages[0].package.data)
    runtime = Edition(runtime_zip, localized_course(result.course, "en", LOCALES))

    def serve(edition: Edition) -> Served:
        return Served(edition, server.serve_package(edition.zip_path.stem, edition.zip_path.read_bytes()))

    return Packages(serve(safety["en"]), serve(privacy["en"]), serve(runtime))


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    browser_context = chromium.new_context()
    browser_context.add_init_script(SEEDED_RANDOM)
    browser_context.set_default_timeout(5000)
    yield browser_context
    browser_context.close()


class Learner:
    """One learner at one package under one profile: launches, acts, leaves; reads what the LMS kept.
    Each is a new learner of the LMS, so tests sharing the server never see each other's records."""

    _ids = itertools.count(1)

    def __init__(self, server: PreviewServer, served: Served, profile: str, context: BrowserContext) -> None:
        self.served = served
        self.session = LmsSession(server, served.package, profile=profile,
                                  learner=LmsLearner(id=f"learner-{next(self._ids)}"))
        self.context = context
        self.frame: Frame | None = None

    def launch(self) -> Frame:
        _, self.frame = self.session.launch(self.context)
        return self.frame

    def resume(self) -> Frame:
        """Relaunch and, when the player offers, go back to the bookmark."""
        frame = self.launch()
        assert self.session.attempt is not None and self.session.attempt.resumed
        dialog = frame.get_by_role("dialog", name="Resume where you left off?")
        dialog.get_by_role("button", name="Resume").click()
        return frame

    def open_quiz(self) -> Frame:
        frame = self.now()
        contents = frame.get_by_role("navigation", name="Course contents")
        contents.get_by_role("link", name=self.served.edition.text(self.served.quiz.title), exact=True).click()
        return frame

    def submit(self, right: frozenset[str]) -> None:
        submit_quiz(self.now(), self.served.edition, self.served.quiz, lambda q: q.id in right)

    def result_line(self) -> str:
        return self.now().locator('[data-role="result"]').inner_text()

    def now(self) -> Frame:
        assert self.frame is not None, "not launched"
        return self.frame

    def leave(self) -> dict[str, str]:
        """Close the window as a learner does; the record the LMS then holds, checked for what always holds."""
        self.session.close()
        self.frame = None
        self.wait_for_finish()
        record = self.session.record()
        assert_session_rules(self.session, record)
        return record


    def wait_for_finish(self) -> None:
        """LMSFinish's call and commit travel by beacon as the page goes: on a busy machine they may trail
        the close by more than the harness's quiet period. Waits a bounded time; the checks judge."""
        deadline = time.monotonic() + FINISH_WAIT_S
        while time.monotonic() < deadline:
            if any(c.terminate for c in self.session.commits()) and self.session.finish_count():
                return
            time.sleep(0.05)


def assert_session_rules(session: LmsSession, record: dict[str, str]) -> None:
    """Exactly one LMSFinish, score before status, a session time, suspend_data within 4,096."""
    events = session.events()
    assert session.finish_count() == 1, [e.method for e in events]
    sets = [e.arguments for e in events if e.method == "LMSSetValue"]
    results = [i for i, (name, value) in enumerate(sets) if name == "cmi.core.lesson_status" and value in
               ("passed", "failed")]
    for index in results:
        scores = [i for i, (name, value) in enumerate(sets[:index]) if name == "cmi.core.score.raw" and value]
        assert scores, f"status {sets[index][1]} set before any score"
    assert TIMESPAN.match(record.get("cmi.core.session_time", "")), record
    assert len(record.get("cmi.suspend_data", "")) <= SCORM12_SUSPEND_LIMIT
    assert session.page_errors == []


def status_exit_score(record: dict[str, str]) -> tuple[str, str, str]:
    return record["cmi.core.lesson_status"], record["cmi.core.exit"], record["cmi.core.score.raw"]


def two_decimals(earned: float, possible: float) -> str:
    """score.raw as a CMIDecimal with at most two decimals, the way the runtime writes it."""
    return f"{round(100 * earned / possible, 2):g}"


# ------------------------------------------------------------------------------------ mastery-override

def test_mastery_override_keeps_incomplete_while_attempts_remain(
        server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    learner = Learner(server, packages.safety, "mastery-override", context)
    learner.launch()
    learner.open_quiz()
    learner.submit(learner.served.right_but(3))  # 8 of 11 points, two attempts left
    expect(learner.now().locator('[data-role="result"]')).to_contain_text("72.73")
    assert status_exit_score(learner.leave()) == ("incomplete", "suspend", "")

    # The relaunch resumes (exit was suspend), keeps the attempt used, and still leaves unfinished as suspend.
    learner.resume()
    expect(learner.now().get_by_text("Attempts used: 1 of 3.")).to_be_visible()
    assert status_exit_score(learner.leave()) == ("incomplete", "suspend", "")


def test_a_failed_the_lms_decided_is_incomplete_again_and_exit_stays_suspend(
        server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    """An LMS that once turned an unfinished score into "failed" (what the runtime used to cause): relaunched
    from that record, a learner who leaves unfinished is suspended, and the LMS is told incomplete again."""
    learner = Learner(server, packages.safety, "mastery-override", context)
    learner.launch()
    learner.open_quiz()
    learner.submit(learner.served.right_but(3))
    learner.leave()
    stored = learner.session.stored_cmi()
    stored["core"] = {**stored["core"], "lesson_status": "failed", "score": {"raw": "72.73", "min": "0", "max": "100"}}
    launch = server.store.launch(learner.session.launch_id)
    assert isinstance(launch, LaunchRow)
    server.store.add_commit(launch, True, stored, time.time())

    learner.resume()
    record = learner.leave()
    assert status_exit_score(record) == ("incomplete", "suspend", "")
    assert ["cmi.core.score.raw", ""] in [list(e.arguments) for e in learner.session.events()]


def test_unlimited_pool_sends_no_score_until_passed_and_then_two_decimals(
        server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    learner = Learner(server, packages.privacy, "mastery-override", context)
    quiz = learner.served.quiz
    frame = learner.launch()
    learner.open_quiz()
    shown = [q for q in quiz.questions
             if frame.get_by_role("group", name=learner.served.edition.text(q.prompt), exact=True).is_visible()]
    assert len(shown) == 8
    fill_ins = [q for q in shown if isinstance(q, FillIn)]
    assert fill_ins, "the seeded draw no longer shows the fill-in question: change the seed in SEEDED_RANDOM"
    fill_in = fill_ins[0]
    others = [q for q in shown if q is not fill_in]
    learner.submit(frozenset({fill_in.id, others[0].id, others[1].id}))  # answered: the fill-in and two more
    assert status_exit_score(learner.leave()) == ("incomplete", "suspend", "")

    # Every accepted answer of the fill-in is a correct_responses pattern of its interaction.
    record = learner.session.record()
    index = next(k.split(".")[2] for k, v in record.items() if k.endswith(".id") and v.startswith(f"{quiz.id}__"
                                                                                                  f"{fill_in.id}__"))
    patterns = [v for k, v in sorted(record.items()) if k.startswith(f"cmi.interactions.{index}.correct_responses.")]
    assert sorted(patterns) == sorted(fill_in.accepted)

    # Then every screen, with a passing attempt that misses one question: a score with decimals, once final.
    frame = learner.resume()
    frame.get_by_role("navigation", name="Course contents").get_by_role("link").first.click()
    edition = learner.served.edition
    for index_, screen in enumerate(edition.localized.course.screens):
        if screen.id == quiz.id:  # a new attempt started when the relaunch showed the quiz
            drawn = [q for q in quiz.questions
                     if frame.get_by_role("group", name=edition.text(q.prompt), exact=True).is_visible()]
            missed = next(q for q in drawn if q.points == 1)
            learner.submit(frozenset(q.id for q in drawn if q is not missed))
            possible = sum(q.points for q in drawn)
            expected = two_decimals(possible - 1, possible)
        elif screen.kind == "survey":
            (survey,) = edition.localized.course.surveys
            answer_survey(frame, edition, survey)
        if index_ < len(edition.localized.course.screens) - 1:
            frame.get_by_role("button", name="Next").click()
    record = learner.leave()
    assert status_exit_score(record) == ("passed", "", expected)
    assert "." in expected  # the case that used to lose its decimals

    # suspend_data keeps the pool's best to the hundredth (3 base-36 digits), so a relaunch reports it again.
    best = record["cmi.suspend_data"].split("~")[2].split(".")[1]
    assert len(best) == 3 and f"{int(best, 36) / 100:g}" == expected


# ------------------------------------------------------------------------------------ lms-mastery

def test_the_lms_mastery_score_decides_both_the_screen_and_the_status(
        server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    learner = Learner(server, packages.safety, "lms-mastery", context)  # the LMS says 70, the course 80
    learner.launch()
    learner.open_quiz()
    learner.submit(learner.served.right_but(3))
    assert learner.result_line() == "Your score: 72.73%. You passed."
    expect(learner.now().get_by_role("button", name="Try again")).to_be_hidden()  # passed: the quiz is done
    # Passed, but not every screen seen: the course is not done, so the LMS gets no score yet.
    assert status_exit_score(learner.leave()) == ("incomplete", "suspend", "")

    frame = learner.resume()
    edition = learner.served.edition
    frame.get_by_role("navigation", name="Course contents").get_by_role("link").first.click()
    for index, screen in enumerate(edition.localized.course.screens):
        if screen.kind == "checklist":
            for checkbox in frame.get_by_role("checkbox").all():
                checkbox.check()
        if index < len(edition.localized.course.screens) - 1:
            frame.get_by_role("button", name="Next").click()
    assert learner.result_line() == "Your score: 72.73%. You passed."
    assert status_exit_score(learner.leave()) == ("passed", "", "72.73")


# ------------------------------------------------------------------------------------ the other profiles

@pytest.mark.parametrize("profile", ["strict", "write-only-interactions", "unload-null"])
def test_a_whole_course_is_recorded(profile: str, server: PreviewServer, packages: Packages,
                                    context: BrowserContext) -> None:
    learner = Learner(server, packages.runtime, profile, context)
    frame = learner.launch()
    take_course(frame, learner.served.edition)  # the quiz failed once (nothing answered), then passed
    record = learner.leave()
    assert status_exit_score(record) == ("passed", "", "100")
    assert record["cmi.suspend_data"].startswith("1~f~2.2s.")

    # Interactions numbered by the runtime itself, never read back: the 7 questions of the passing attempt
    # (the first had nothing answered) and the 2 survey items.
    ids = [v for k, v in record.items() if re.fullmatch(r"cmi\.interactions\.\d+\.id", k)]
    assert len(ids) == len(set(ids)) == 9, ids
    indexes = sorted(int(k.split(".")[2]) for k in record if re.fullmatch(r"cmi\.interactions\.\d+\.id", k))
    assert indexes == list(range(9))
    reads = [e.arguments[0] for e in learner.session.events() if e.method == "LMSGetValue"]
    assert [r for r in reads if r.startswith("cmi.interactions")] == ["cmi.interactions._count"]


@pytest.mark.parametrize("profile", ["strict", "write-only-interactions"])
def test_interactions_of_every_launch_are_kept_when_the_lms_cannot_count_them(
        profile: str, server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    """Three failed attempts in three launches, each leaving questions unanswered (so the count is not a function
    of the attempts used): without a readable _count, each relaunch numbers on after the earlier launches."""
    learner = Learner(server, packages.safety, profile, context)
    quiz = learner.served.quiz
    expected: list[str] = []
    for attempt, missed in enumerate((3, 4, 5), start=1):
        if attempt == 1:
            learner.launch()
            learner.open_quiz()
        else:
            learner.resume()
            expect(learner.now().get_by_text(f"Attempts used: {attempt - 1} of 3.")).to_be_visible()
        right = learner.served.right_but(missed)
        learner.submit(right)
        expected += [f"{quiz.id}__{q.id}__{attempt}" for q in quiz.questions if q.id in right]
        record = learner.leave()
        ids = {int(k.split(".")[2]): v for k, v in record.items() if re.fullmatch(r"cmi\.interactions\.\d+\.id", k)}
        assert sorted(ids) == list(range(len(expected))), (attempt, ids)
        assert sorted(ids.values()) == sorted(expected), attempt
    assert status_exit_score(record) == ("failed", "", two_decimals(8, 11))  # the best attempt
    assert len(record["cmi.suspend_data"]) <= worst_case_length(learner.served.edition.localized.course)
    reads = [e.arguments[0] for e in learner.session.events() if e.method == "LMSGetValue"]
    assert [r for r in reads if r.startswith("cmi.interactions")] == ["cmi.interactions._count"]


@pytest.mark.parametrize("profile", ["unload-null", "slow"])
def test_leaving_halfway_keeps_the_last_state(
        profile: str, server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    learner = Learner(server, packages.runtime, profile, context)
    frame = learner.launch()
    frame.get_by_role("button", name="Next").click()
    frame.get_by_role("button", name="Next").click()
    frame.get_by_label("I know where the fire exits are.").check()
    record = learner.leave()
    assert status_exit_score(record) == ("incomplete", "suspend", "")
    assert record["cmi.core.lesson_location"] == "safety-check"
    # The state reached the LMS with the last commit before the page went away (refused then, or slow).
    committed = [c.cmi for c in learner.session.commits() if not c.terminate]
    assert committed and committed[-1]["suspend_data"] == record["cmi.suspend_data"]


@pytest.mark.parametrize("profile", ["deep-frames", "deep-frames-popup"])
def test_the_api_is_found_up_the_frames_and_through_the_opener(
        profile: str, server: PreviewServer, packages: Packages, context: BrowserContext) -> None:
    assert PROFILES[profile].frames_between or PROFILES[profile].popup
    learner = Learner(server, packages.runtime, profile, context)
    frame = learner.launch()
    expect(frame.get_by_text("will not be saved")).to_be_hidden()
    frame.get_by_role("button", name="Next").click()
    record = learner.leave()
    assert status_exit_score(record) == ("incomplete", "suspend", "")
    assert record["cmi.core.lesson_location"] == "details"
    inits: list[Any] = [e for e in learner.session.events() if e.method == "LMSInitialize"]
    assert len(inits) == 1 and inits[0].result == "true"
