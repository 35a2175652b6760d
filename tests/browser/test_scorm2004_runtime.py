"""The player runtime in a real browser against scorm-again's Scorm2004API (SCORM 2004 4th edition), driven
like a learner by roles and labels. The package is built from tests/roots/runtime-course by the real pipeline
and served by the preview harness with its SCORM 2004 plug-in; what the LMS holds is its last commit, every
API call is recorded with its result and error code.

Every value the runtime writes must be accepted by scorm-again's data model checks: each test holds every
SetValue of the run to "true" with error 0.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Frame, Page, expect
from runtime_course import go_next, group, heading
from test_scorm12_runtime import ANSWERS, QUIZ, answer_quiz, leave_sco, status_text, tick_required_items

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent
from courseforge.model.suspend import worst_case_length
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness import LaunchOptions, LmsSession, PreviewServer
from courseforge.standards import scorm2004 as std

pytestmark = pytest.mark.browser

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"
DURATION = re.compile(std.DURATION_PATTERN)
TIMESTAMP = re.compile(std.TIMESTAMP_PATTERN)
TYPES = {"q-colour": "choice", "q-primes": "choice", "q-orbit": "true-false", "q-capital": "fill-in",
         "q-legs": "numeric", "q-sounds": "matching", "q-tea": "sequencing"}


@dataclass(frozen=True)
class Built:
    course: Course
    data: bytes


@pytest.fixture(scope="module")
def built() -> Built:
    sink = DiagnosticSink()
    result = build_course(COURSE_DIR, "tests/roots/runtime-course",
                          BuildOptions(formats=(PackageFormat.SCORM2004,)), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    return Built(result.course, result.packages[0].package.data)


def learner(server: PreviewServer, data: bytes, profile: str = "default") -> LmsSession:
    package = server.serve_package("runtime-course-2004", data, PackageFormat.SCORM2004)
    # These tests relaunch a finished course to see its record: the LMS keeps it.
    return LmsSession(server, package, profile=profile, options=LaunchOptions(new_attempt_after_exit=False))


def sets(events: tuple[ApiEvent, ...], element: str) -> list[str]:
    return [e.arguments[1] for e in events if e.method == "SetValue" and e.arguments[0] == element]


def index_of(events: tuple[ApiEvent, ...], element: str, value: str) -> int:
    return next(i for i, e in enumerate(events) if e.method == "SetValue" and e.arguments == (element, value))


def refused_writes(events: tuple[ApiEvent, ...]) -> list[ApiEvent]:
    """Every SetValue scorm-again did not take: a value of the wrong type, format or range."""
    return [e for e in events if e.method == "SetValue" and (e.result != "true" or e.error != "0")]


def finish_passing(frame: Frame) -> None:
    go_next(frame)
    go_next(frame)
    tick_required_items(frame)
    go_next(frame)
    answer_quiz(frame, right=set(ANSWERS))
    expect(status_text(frame, "Your score")).to_have_text("Your score: 100%. You passed.")
    go_next(frame)
    group(frame, "The course was useful.").get_by_label("Agree", exact=True).check()
    frame.get_by_label("Any other comments?").fill("{braces} first,\nthen a second line [,] and more.")
    frame.get_by_role("button", name="Submit survey").click()
    expect(status_text(frame, "Thank you")).to_be_visible()


def test_learner_passes_and_everything_is_recorded_in_2004_terms(lms_server: PreviewServer, context: BrowserContext,
                                                                 built: Built) -> None:
    session = learner(lms_server, built.data)
    _, frame = session.launch(context)
    assert heading(frame) == "Introduction"
    finish_passing(frame)
    leave_sco(frame)
    session.close()
    events = session.events()
    record = session.record()

    assert refused_writes(events) == []
    assert (record["cmi.completion_status"], record["cmi.success_status"]) == ("completed", "passed")
    assert (record["cmi.score.raw"], record["cmi.score.scaled"], record["cmi.score.min"],
            record["cmi.score.max"]) == ("100", "1", "0", "100")
    assert (record["cmi.progress_measure"], record["cmi.exit"], record["cmi.location"]) == ("1", "normal", "feedback")
    # The score before either status, completion and success set separately, "not attempted" never written.
    assert index_of(events, "cmi.score.scaled", "1") < index_of(events, "cmi.success_status", "passed")
    assert sets(events, "cmi.completion_status") == ["incomplete", "completed"]
    assert sets(events, "cmi.success_status") == ["passed"]
    # The test LMS sequences the course: continue is valid (the organization flows) and ends the session.
    assert sets(events, "adl.nav.request") == ["continue"]
    terminate = next(i for i, e in enumerate(events) if e.method == "Terminate")
    assert index_of(events, "adl.nav.request", "continue") < terminate
    session_times = sets(events, "cmi.session_time")
    assert session_times and all(DURATION.match(t) for t in session_times), session_times
    assert [e.method for e in events].count("Initialize") == 1 and [e.method for e in events].count("Terminate") == 1

    interactions = {i.id: dict(i.values) for i in session.launch_record().interactions}
    assert set(interactions) == {f"{QUIZ}__{q}__1" for q in TYPES} | {"feedback__useful__1", "feedback__comments__1"}
    for question, kind in TYPES.items():
        held = interactions[f"{QUIZ}__{question}__1"]
        assert (held["type"], held["result"]) == (kind, "correct"), held
        assert TIMESTAMP.match(held["timestamp"]) and DURATION.match(held["latency"]), held
    responses = {q: interactions[f"{QUIZ}__{q}__1"]["learner_response"] for q in TYPES}
    patterns = {q: interactions[f"{QUIZ}__{q}__1"]["correct_responses.0.pattern"] for q in TYPES}
    assert patterns == {"q-colour": "red", "q-primes": "two[,]three", "q-orbit": "true", "q-capital": "Paris",
                        "q-legs": "8", "q-sounds": "dog[.]woof[,]cat[.]meow[,]cow[.]moo",
                        "q-tea": "boil[,]bag[,]pour"}
    assert responses == {**patterns, "q-capital": "paris"}
    assert interactions[f"{QUIZ}__q-colour__1"]["description"] == "{lang=en}Which colour means stop on a traffic light?"
    assert interactions[f"{QUIZ}__q-sounds__1"]["weighting"] == "2"
    likert, comment = interactions["feedback__useful__1"], interactions["feedback__comments__1"]
    assert (likert["type"], likert["learner_response"], likert["result"]) == ("likert", "4", "neutral")
    # Free text is long-fill-in, on one line, never starting with "{", without the [,] delimiter.
    assert (comment["type"], comment["result"]) == ("long-fill-in", "neutral")
    assert comment["learner_response"] == " {braces} first, then a second line [ ,] and more."
    assert comment["description"] == "{lang=en}Any other comments?"

    assert len(record["cmi.suspend_data"]) <= worst_case_length(built.course) <= std.SUSPEND_DATA_LIMIT
    assert session.page_errors == [] and session.not_found() == ()


def test_failing_every_attempt_records_failed_with_its_score(lms_server: PreviewServer, context: BrowserContext,
                                                              built: Built) -> None:
    session = learner(lms_server, built.data)
    _, frame = session.launch(context)
    frame.get_by_role("navigation", name="Course contents").get_by_role("link", name="Final quiz").click()
    answer_quiz(frame, right={"q-colour", "q-orbit"})
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    session.wait_for_commits()
    working = session.record()
    # Attempts remain: no score and no verdict yet, whatever an LMS would judge from one.
    assert (working.get("cmi.score.scaled", ""), working["cmi.success_status"]) == ("", "unknown")
    frame.get_by_role("button", name="Try again").click()
    answer_quiz(frame, right={"q-colour", "q-orbit", "q-legs"})
    expect(status_text(frame, "Your score")).to_have_text(
        "Your score: 37.5%. You did not pass. You have no attempts left.")
    leave_sco(frame)
    session.close()
    events = session.events()
    record = session.record()

    assert refused_writes(events) == []
    assert (record["cmi.success_status"], record["cmi.completion_status"]) == ("failed", "incomplete")
    assert (record["cmi.score.raw"], record["cmi.score.scaled"]) == ("37.5", "0.375")
    assert index_of(events, "cmi.score.scaled", "0.375") < index_of(events, "cmi.success_status", "failed")
    # Done by the rules (no attempt left): exit normal, and the LMS may move on (its engine says continue is valid).
    assert (record["cmi.exit"], sets(events, "adl.nav.request")) == ("normal", ["continue"])
    results = {i.id: i.result for i in session.launch_record().interactions}
    assert len(results) == 2 * len(TYPES)
    assert results[f"{QUIZ}__q-tea__1"] == "incorrect" and results[f"{QUIZ}__q-legs__2"] == "correct"
    assert session.page_errors == []


def test_leaving_unfinished_suspends_and_the_relaunch_resumes(lms_server: PreviewServer, context: BrowserContext,
                                                              built: Built) -> None:
    session = learner(lms_server, built.data)
    _, frame = session.launch(context)
    go_next(frame)
    go_next(frame)
    frame.get_by_label("I know where the fire exits are.").check()
    session.close()
    first = session.events()
    stored = session.record()
    assert (stored["cmi.location"], stored["cmi.exit"], stored["cmi.completion_status"]) == (
        "safety-check", "suspend", "incomplete")
    assert 0 < float(stored["cmi.progress_measure"]) < 1
    # suspendAll keeps the attempt (exitAll would end it and drop its data).
    assert sets(first, "adl.nav.request") == ["suspendAll"]

    _, frame = session.relaunch(context)
    assert session.attempt is not None and session.attempt.resumed
    dialog = frame.get_by_role("dialog", name="Resume where you left off?")
    expect(dialog).to_contain_text("Safety check")
    dialog.get_by_role("button", name="Resume").click()
    assert heading(frame) == "Safety check"
    expect(frame.get_by_label("I know where the fire exits are.")).to_be_checked()
    second = session.events()
    assert next(e.result for e in second if e.method == "GetValue" and e.arguments == ("cmi.entry",)) == "resume"
    session.close()
    assert refused_writes(first) == [] and refused_writes(session.events()) == []
    assert session.page_errors == []


def test_an_lms_judging_by_measure_with_its_own_passing_score(lms_server: PreviewServer, context: BrowserContext,
                                                               built: Built) -> None:
    """lms-mastery: cmi.scaled_passing_score 0.7 replaces the course's 80; the runtime's verdict and the
    LMS's (score.scaled against it at Terminate) agree at 75%."""
    session = learner(lms_server, built.data, profile="lms-mastery")
    _, frame = session.launch(context)
    finish_passing_at_75 = {"q-colour", "q-primes", "q-orbit", "q-capital", "q-sounds"}
    go_next(frame)
    go_next(frame)
    tick_required_items(frame)
    go_next(frame)
    answer_quiz(frame, right=finish_passing_at_75)
    expect(status_text(frame, "Your score")).to_have_text("Your score: 75%. You passed.")
    go_next(frame)
    group(frame, "The course was useful.").get_by_label("Agree", exact=True).check()
    frame.get_by_role("button", name="Submit survey").click()
    leave_sco(frame)
    session.close()
    record = session.record()
    assert record["cmi.scaled_passing_score"] == "0.7"
    assert (record["cmi.success_status"], record["cmi.completion_status"], record["cmi.score.scaled"]) == (
        "passed", "completed", "0.75")
    assert refused_writes(session.events()) == []


@pytest.mark.parametrize("profile", ["strict", "write-only-interactions"])
def test_an_lms_that_cannot_count_interactions(profile: str, lms_server: PreviewServer, context: BrowserContext,
                                               built: Built) -> None:
    """strict: adl.nav.* and cmi.interactions._count answer 402; write-only-interactions: reads of
    cmi.interactions.* answer 405. The course goes on, and the second launch numbers its interactions after the
    first launch's (from the saved state) instead of overwriting them."""
    session = learner(lms_server, built.data, profile=profile)
    _, frame = session.launch(context)
    frame.get_by_role("navigation", name="Course contents").get_by_role("link", name="Final quiz").click()
    answer_quiz(frame, right={"q-colour"})
    session.close()
    _, frame = session.relaunch(context)
    frame.get_by_role("dialog").get_by_role("button", name="Resume").click()
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    answer_quiz(frame, right={"q-colour"})
    session.close()
    ids = [i.id for i in session.launch_record().interactions]
    assert len(ids) == 2 * len(TYPES) and len(set(ids)) == len(ids)
    assert session.record()["cmi.success_status"] == "failed"
    assert session.page_errors == []


# ------------------------------------------------------------------------------------ odd LMSs, no LMS


@pytest.fixture
def open_package(context: BrowserContext, lms_server: PreviewServer, built: Built,
                 tmp_path: Path) -> Callable[[str], tuple[Page, list[str]]]:
    """Opens the package's index.html straight from the server (no LMS page), after an init script; returns the
    page and the errors it reports (uncaught exceptions, console errors)."""
    folder = lms_server.root / "standalone-2004" / tmp_path.name
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        archive.extractall(folder)

    def open_(init_script: str) -> tuple[Page, list[str]]:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.add_init_script(init_script)
        page.goto(f"{lms_server.base_url}/standalone-2004/{tmp_path.name}/index.html")
        return page, errors

    return open_


def test_a_scorm_12_api_alone_is_not_used(open_package: Callable[[str], tuple[Page, list[str]]]) -> None:
    page, errors = open_package("window.API = {LMSInitialize: () => 'true'};")
    expect(status_text(page.main_frame, "will not be saved")).to_be_visible()
    assert page.evaluate("() => window.courseforge.player.tracker.mode") == "standalone"
    assert errors == []


def test_an_api_that_throws_never_stops_the_course(open_package: Callable[[str], tuple[Page, list[str]]]) -> None:
    """Initialize succeeds, every other call throws: the learner can still take the whole course."""
    page, errors = open_package("""window.API_1484_11 = {
        Initialize: () => 'true', GetLastError: () => { throw new Error('GetLastError'); },
        GetValue: () => { throw new Error('GetValue'); }, SetValue: () => { throw new Error('SetValue'); },
        Commit: () => { throw new Error('Commit'); }, Terminate: () => { throw new Error('Terminate'); },
        GetErrorString: () => '', GetDiagnostic: () => ''};""")
    frame = page.main_frame
    assert page.evaluate("() => window.courseforge.player.tracker.mode") == "scorm2004"
    finish_passing(frame)
    page.close(run_before_unload=True)
    assert errors == []
