"""The player runtime in a real browser against scorm-again's SCORM 1.2 API, driven like a learner:
by roles and labels only. The package is built from tests/roots/runtime-course by the real pipeline.

What the LMS records is read back from scorm-again (renderCMIToJSONObject) and from the recorded calls.
Interactions: one per answered quiz question per submission, plus one per answered survey item.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lms import LmsServer, ScormSession
from playwright.sync_api import Browser, Frame, Page, expect
from runtime_course import go_next, group, heading

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.suspend import worst_case_length
from courseforge.pipeline import BuildOptions, build_course
from courseforge.standards.scorm12 import SUSPEND_DATA_LIMIT as SCORM12_SUSPEND_LIMIT

pytestmark = pytest.mark.browser

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"
QUIZ = "final-quiz"
QUESTION_TYPES = {
    "q-colour": "choice", "q-primes": "choice", "q-orbit": "true-false", "q-capital": "fill-in",
    "q-legs": "numeric", "q-sounds": "matching", "q-tea": "sequencing",
}
SCORM12_ONLY = (PackageFormat.SCORM12,)
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")
"""CMITimespan as the runtime writes it: HHHH:MM:SS.SS."""


@dataclass(frozen=True)
class Built:
    course: Course
    zip_path: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    sink = DiagnosticSink()
    result = build_course(COURSE_DIR, "tests/roots/runtime-course", BuildOptions(formats=SCORM12_ONLY), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    zip_path = tmp_path_factory.mktemp("runtime-course") / "scorm12.zip"
    zip_path.write_bytes(result.packages[0].package.data)
    return Built(result.course, zip_path)


# ------------------------------------------------------------------------------------ a learner

def check_all(frame: Frame, question: str, labels: tuple[str, ...]) -> None:
    for label in labels:
        group(frame, question).get_by_label(label, exact=True).check()


def choose(frame: Frame, pairs: dict[str, str]) -> None:
    """Selects by visible text: {select label: option text}."""
    for label, option in pairs.items():
        frame.get_by_label(label, exact=True).select_option(label=option)


Answer = Callable[[Frame], None]
ANSWERS: dict[str, tuple[Answer, Answer]] = {
    # question id: (a correct answer, a wrong answer)
    "q-colour": (lambda f: group(f, "Which colour means stop on a traffic light?").get_by_label("Red").check(),
                 lambda f: group(f, "Which colour means stop on a traffic light?").get_by_label("Green").check()),
    "q-primes": (lambda f: check_all(f, "Which of these numbers are prime?", ("2", "3")),
                 lambda f: check_all(f, "Which of these numbers are prime?", ("4",))),
    "q-orbit": (lambda f: group(f, "The Earth orbits the Sun.").get_by_label("True", exact=True).check(),
                lambda f: group(f, "The Earth orbits the Sun.").get_by_label("False", exact=True).check()),
    "q-capital": (lambda f: f.get_by_role("textbox", name="What is the capital of France?").fill("  paris "),
                  lambda f: f.get_by_role("textbox", name="What is the capital of France?").fill("Lyon")),
    "q-legs": (lambda f: f.get_by_role("textbox", name="How many legs does a spider have?").fill("8"),
               lambda f: f.get_by_role("textbox", name="How many legs does a spider have?").fill("6")),
    "q-sounds": (lambda f: choose(f, {"Dog": "Woof", "Cat": "Meow", "Cow": "Moo"}),
                 lambda f: choose(f, {"Dog": "Moo", "Cat": "Woof", "Cow": "Meow"})),
    "q-tea": (lambda f: choose(f, {"Boil the water": "1", "Put a tea bag in the cup": "2", "Pour the water": "3"}),
              lambda f: choose(f, {"Pour the water": "1", "Boil the water": "2", "Put a tea bag in the cup": "3"})),
}


def answer_quiz(frame: Frame, right: set[str]) -> None:
    """Answers every question: those in ``right`` correctly, the others wrongly; then submits."""
    for question_id, (correct, wrong) in ANSWERS.items():
        (correct if question_id in right else wrong)(frame)
    frame.get_by_role("button", name="Submit answers").click()


def status_text(frame: Frame, containing: str) -> Any:
    return frame.get_by_role("status").filter(has_text=containing)


def tick_required_items(frame: Frame) -> None:
    frame.get_by_label("I know where the fire exits are.").check()
    frame.get_by_label("I have read the safety policy.").check()


def leave_sco(frame: Frame) -> None:
    """The LMS navigates the content frame away: the content's pagehide handler must finish."""
    frame.evaluate("() => { window.location.href = 'about:blank'; }")


def set_values(session: ScormSession, element: str) -> list[str]:
    return [c.args[1] for c in session.calls("LMSSetValue") if c.args[0] == element]


def set_index(session: ScormSession, element: str, value: str) -> int:
    calls = session.calls("LMSSetValue")
    return next(i for i, c in enumerate(calls) if c.args == [element, value])


# ------------------------------------------------------------------------------------ the tests

def test_learner_passes_and_everything_is_recorded(scorm_session: ScormSession, built: Built) -> None:
    _, frame = scorm_session.launch(built.zip_path)
    expect(status_text(frame, "will not be saved")).to_have_count(0)
    assert heading(frame) == "Introduction"
    expect(frame.get_by_text("Screen 1 of 5")).to_be_visible()

    frame.get_by_role("link", name="details page").click()
    assert heading(frame) == "Details"
    assert frame.evaluate("() => document.activeElement.textContent") == "Details"
    frame.get_by_role("button", name="Previous").click()
    assert heading(frame) == "Introduction"
    go_next(frame)
    go_next(frame)

    assert heading(frame) == "Safety check"
    tick_required_items(frame)
    expect(status_text(frame, "required items")).to_have_text("2 of 2 required items ticked.")
    go_next(frame)

    assert heading(frame) == "Final quiz"
    answer_quiz(frame, right=set(ANSWERS))
    expect(status_text(frame, "Your score")).to_have_text("Your score: 100%. You passed.")
    expect(frame.get_by_role("button", name="Try again")).to_be_hidden()
    expect(frame.get_by_role("button", name="Submit answers")).to_be_hidden()
    expect(frame.get_by_role("radio", name="Red")).to_be_disabled()
    go_next(frame)

    assert heading(frame) == "Your feedback"
    group(frame, "The course was useful.").get_by_label("Agree", exact=True).check()
    frame.get_by_label("Any other comments?").fill("Clear and short.")
    frame.get_by_role("button", name="Submit survey").click()
    expect(status_text(frame, "Thank you")).to_be_visible()
    expect(frame.get_by_role("button", name="Next")).to_be_disabled()

    leave_sco(frame)
    scorm_session.wait_finished()

    cmi = scorm_session.cmi()
    core = cmi["core"]
    assert core["lesson_status"] == "passed"
    assert core["score"] == {"raw": "100", "min": "0", "max": "100"}
    assert (core["lesson_location"], core["exit"]) == ("feedback", "")
    session_time = set_values(scorm_session, "cmi.core.session_time")[-1]  # set at each commit; the last counts
    assert TIMESPAN.match(session_time), session_time
    assert core["session_time"]

    # Score before status, every time; "not attempted" is never written.
    assert set_index(scorm_session, "cmi.core.score.raw", "100") < set_index(
        scorm_session, "cmi.core.lesson_status", "passed")
    assert "not attempted" not in set_values(scorm_session, "cmi.core.lesson_status")

    interactions = {i["id"]: i for i in cmi["interactions"].values()}
    quiz_ids = {f"{QUIZ}__{q}__1" for q in QUESTION_TYPES}
    assert set(interactions) == quiz_ids | {"feedback__useful__1", "feedback__comments__1"}
    for question_id, kind in QUESTION_TYPES.items():
        record = interactions[f"{QUIZ}__{question_id}__1"]
        assert (record["type"], record["result"]) == (kind, "correct"), record
    latencies = [c.args[1] for c in scorm_session.calls("LMSSetValue") if c.args[0].endswith(".latency")]
    assert len(latencies) == len(interactions) and all(TIMESPAN.match(t) for t in latencies), latencies
    patterns = {q: interactions[f"{QUIZ}__{q}__1"]["correct_responses"]["0"]["pattern"] for q in QUESTION_TYPES}
    responses = {q: interactions[f"{QUIZ}__{q}__1"]["student_response"] for q in QUESTION_TYPES}
    assert patterns == {"q-colour": "a", "q-primes": "a,b", "q-orbit": "t", "q-capital": "Paris", "q-legs": "8",
                        "q-sounds": "a.b,b.c,c.a", "q-tea": "b,c,a"}
    assert responses == {**patterns, "q-capital": "paris"}
    assert interactions[f"{QUIZ}__q-sounds__1"]["weighting"] == "2"
    likert = interactions["feedback__useful__1"]
    assert (likert["type"], likert["student_response"], likert["result"]) == ("likert", "4", "neutral")
    comment = interactions["feedback__comments__1"]
    assert (comment["type"], comment["student_response"], comment["result"]) == (
        "fill-in", "Clear and short.", "neutral")

    # suspend_data v1: 5 screens visited, quiz 1 attempt / best 100 / 7 correct, 2 items ticked, 1 survey,
    # 9 interactions written.
    assert cmi["suspend_data"] == "1~f~1.2s._B~D~B~9"
    assert len(cmi["suspend_data"]) <= worst_case_length(built.course) <= SCORM12_SUSPEND_LIMIT

    assert len(scorm_session.calls("LMSInitialize")) == 1
    assert len(scorm_session.calls("LMSFinish")) == 1
    assert scorm_session.page_errors == []
    assert scorm_session.not_found() == []


def test_relaunch_offers_to_resume_at_the_bookmark(scorm_session: ScormSession, built: Built) -> None:
    _, frame = scorm_session.launch(built.zip_path)
    go_next(frame)
    go_next(frame)
    frame.get_by_label("I know where the fire exits are.").check()
    scorm_session.close()
    stored = scorm_session.stored_cmi()
    assert (stored["core"]["lesson_location"], stored["core"]["exit"]) == ("safety-check", "suspend")

    _, frame = scorm_session.relaunch()
    assert scorm_session.cmi()["core"]["entry"] == "resume"
    dialog = frame.get_by_role("dialog", name="Resume where you left off?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Safety check")
    dialog.get_by_role("button", name="Resume").click()
    expect(dialog).to_be_hidden()
    assert heading(frame) == "Safety check"
    expect(frame.get_by_label("I know where the fire exits are.")).to_be_checked()
    assert frame.evaluate("() => document.activeElement.textContent") == "Safety check"
    scorm_session.close()

    _, frame = scorm_session.relaunch()
    frame.get_by_role("dialog").get_by_role("button", name="Start over").click()
    assert heading(frame) == "Introduction"
    # Starting over moves to the first screen only: what was done stays done.
    contents = frame.get_by_role("navigation", name="Course contents")
    expect(contents.get_by_role("link", name="Safety check")).to_contain_text("visited")
    assert scorm_session.cmi()["core"]["lesson_status"] == "incomplete"
    assert scorm_session.page_errors == []


def test_failing_every_attempt_records_failed(scorm_session: ScormSession, built: Built) -> None:
    _, frame = scorm_session.launch(built.zip_path)
    frame.get_by_role("navigation", name="Course contents").get_by_role("link", name="Final quiz").click()
    assert heading(frame) == "Final quiz"

    answer_quiz(frame, right={"q-colour", "q-orbit"})
    expect(status_text(frame, "Your score")).to_have_text("Your score: 25%. You did not pass.")
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    frame.get_by_role("button", name="Try again").click()
    expect(frame.get_by_role("radio", name="Red")).not_to_be_checked()

    answer_quiz(frame, right={"q-colour", "q-orbit", "q-legs"})
    expect(status_text(frame, "Your score")).to_have_text(
        "Your score: 37.5%. You did not pass. You have no attempts left.")
    expect(frame.get_by_role("button", name="Try again")).to_be_hidden()

    core = scorm_session.cmi()["core"]
    assert (core["lesson_status"], core["score"]["raw"]) == ("failed", "37.5")
    assert set_index(scorm_session, "cmi.core.score.raw", "37.5") < set_index(
        scorm_session, "cmi.core.lesson_status", "failed")
    interactions = {i["id"]: i["result"] for i in scorm_session.cmi()["interactions"].values()}
    assert len(interactions) == 2 * len(QUESTION_TYPES)
    assert interactions[f"{QUIZ}__q-tea__1"] == "wrong" and interactions[f"{QUIZ}__q-legs__2"] == "correct"

    leave_sco(frame)
    scorm_session.wait_finished()
    core = scorm_session.cmi()["core"]
    assert (core["lesson_status"], core["exit"]) == ("failed", "")
    assert len(scorm_session.calls("LMSFinish")) == 1
    assert scorm_session.page_errors == []


# ------------------------------------------------------------------------------------ without an LMS

@pytest.fixture
def open_package(chromium: Browser, lms_server: LmsServer, built: Built,
                 tmp_path: Path) -> Iterator[Callable[[str], tuple[Page, list[str]]]]:
    """Opens the package's index.html straight from the server (no LMS host page), after an optional
    init script; returns the page and the errors it reports (uncaught exceptions, console errors)."""
    context = chromium.new_context()
    folder = lms_server.root / "standalone" / tmp_path.name
    with zipfile.ZipFile(built.zip_path) as archive:
        archive.extractall(folder)

    def open_(init_script: str = "") -> tuple[Page, list[str]]:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        if init_script:
            page.add_init_script(init_script)
        page.goto(f"{lms_server.base_url}/standalone/{tmp_path.name}/index.html")
        return page, errors

    yield open_
    context.close()


def test_standalone_course_works_and_says_progress_is_not_saved(
        open_package: Callable[[str], tuple[Page, list[str]]]) -> None:
    # A SCORM 2004 API alone must not be used by a SCORM 1.2 package.
    page, errors = open_package("window.API_1484_11 = {Initialize: () => 'true'};")
    frame = page.main_frame
    expect(status_text(frame, "will not be saved")).to_be_visible()
    for title in ("Introduction", "Details", "Safety check"):
        assert heading(frame) == title
        go_next(frame)
    answer_quiz(frame, right=set(ANSWERS) - {"q-sounds"})
    expect(status_text(frame, "Your score")).to_have_text("Your score: 75%. You did not pass.")
    frame.get_by_role("button", name="Try again").click()
    answer_quiz(frame, right=set(ANSWERS))
    expect(status_text(frame, "Your score")).to_have_text("Your score: 100%. You passed.")
    page.close(run_before_unload=True)
    assert errors == []


def test_runtime_state_codec_matches_the_build_worst_case(
        open_package: Callable[[str], tuple[Page, list[str]]], built: Built) -> None:
    page, errors = open_package("")
    result = page.evaluate("""() => {
        const cf = window.courseforge, data = JSON.parse(document.getElementById('cf-data').textContent);
        const shape = cf.state.layout(data), full = cf.state.fresh(shape);
        const all = bits => bits.map(() => true);
        full.visited = all(full.visited); full.checked = all(full.checked); full.submitted = all(full.submitted);
        full.quizzes = full.quizzes.map(q => ({attempts: 2, best: 99.99, correct: all(q.correct)}));
        full.interactions = 2 * 7 + 2;  // both attempts answering all 7 questions, and the 2 survey items
        const text = cf.state.encode(full);
        return {
          worst: text.length,
          roundTrip: cf.state.encode(cf.state.decode(text, shape)) === text,
          empty: cf.state.encode(cf.state.fresh(shape)),
          garbage: ['2~x', '1~~~~', '1~f~zzz.2s._B~D~B', '1~f~1.2s._B~D~B~', null, 'ABC', '1~f~1.2t.~~']
            .map(t => cf.state.hasProgress(cf.state.decode(t, shape))),
          rangePattern: cf.scorm12.patterns.numeric({min: 1, max: 2}),
          timespan: cf.scorm12.timespan(312340),
          draw: cf.scoring.drawQuestions({questions: [1, 2, 3, 4, 5].map(n => ({id: 'q' + n})), draw: 3,
                                          shuffle: false}, Math.random).length,
        };
    }""")
    assert result["worst"] == worst_case_length(built.course)
    assert result["roundTrip"] is True
    assert result["empty"] == "1~~0..~~"
    assert result["garbage"] == [False] * 7
    assert result["rangePattern"] is None
    assert result["timespan"] == "0000:05:12.34"
    assert result["draw"] == 3
    assert errors == []


FAKE_MINIMAL_LMS = """
window.fakeCalls = [];
(function () {
  var values = {"cmi.core.lesson_status": "not attempted", "cmi.core.entry": "ab-initio"}, last = "0";
  function log(name, args, result) { window.fakeCalls.push([name].concat(args, [result])); return result; }
  window.API = {
    LMSInitialize: function () { return log("LMSInitialize", [], "true"); },
    LMSFinish: function () { return log("LMSFinish", [], "true"); },
    LMSCommit: function () { return log("LMSCommit", [], null); },
    LMSGetValue: function (el) {
      if (el.indexOf("cmi.interactions") === 0 || el === "cmi.student_data.mastery_score") { last = "401"; return ""; }
      last = "0"; return values[el] || "";
    },
    LMSSetValue: function (el, v) {
      if (el.indexOf("cmi.interactions") === 0) { last = "401"; return log("LMSSetValue", [el, v], "false"); }
      values[el] = v; last = "0"; return log("LMSSetValue", [el, v], "true");
    },
    LMSGetLastError: function () { return last; },
    LMSGetErrorString: function () { return "Not implemented"; },
    LMSGetDiagnostic: function () { return ""; }
  };
})();
"""


def test_lms_without_optional_elements_still_gets_status(
        open_package: Callable[[str], tuple[Page, list[str]]]) -> None:
    """An LMS with only mandatory elements (no interactions, no mastery_score) that returns null from
    LMSCommit: the course carries on, skips interactions, and still reports score and status."""
    page, errors = open_package(FAKE_MINIMAL_LMS)
    frame = page.main_frame
    expect(status_text(frame, "will not be saved")).to_have_count(0)
    frame.get_by_role("link", name="Final quiz").click()
    answer_quiz(frame, right=set(ANSWERS))
    expect(status_text(frame, "Your score")).to_have_text("Your score: 100%. You passed.")
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    calls = page.evaluate("() => window.fakeCalls")
    sets = [c[1:3] for c in calls if c[0] == "LMSSetValue"]
    # One refused interaction id and no more; no score while the course is not done (an LMS could judge it).
    assert len([name for name, _ in sets if name.startswith("cmi.interactions")]) == 1
    assert "cmi.core.score.raw" not in {name for name, value in sets if value}
    # Not every screen was visited, so the course is not passed yet, whatever the score.
    assert [v for name, v in sets if name == "cmi.core.lesson_status"] == ["incomplete"]
    assert [c[0] for c in calls].count("LMSFinish") == 1
    assert [c[0] for c in calls].count("LMSInitialize") == 1
    assert errors == []


INTERACTIVE = {"A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"}


def focused(page: Page) -> dict[str, str]:
    return dict(page.evaluate(
        "() => ({tag: document.activeElement.tagName, text: document.activeElement.textContent.trim()})"))


def test_keyboard_only_learner(open_package: Callable[[str], tuple[Page, list[str]]]) -> None:
    """Everything in the tab order is a real control, and a learner can move and answer by keyboard."""
    page, errors = open_package("")
    walk: list[dict[str, str]] = []
    for _ in range(40):  # the whole tab order of the first screen, until focus leaves the page
        page.keyboard.press("Tab")
        if focused(page)["tag"] == "BODY":
            break
        walk.append(focused(page))
    assert walk[0] == {"tag": "A", "text": "Skip to content"}
    assert {step["tag"] for step in walk} <= INTERACTIVE, walk
    assert {"tag": "BUTTON", "text": "Next"} in walk

    while focused(page)["text"] != "Next":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert focused(page) == {"tag": "H1", "text": "Details"}

    page.get_by_role("link", name="Final quiz").focus()
    page.keyboard.press("Enter")
    assert focused(page) == {"tag": "H1", "text": "Final quiz"}
    page.keyboard.press("Tab")  # questions are shuffled: the first control may be any kind
    assert focused(page)["tag"] in {"INPUT", "SELECT"}
    page.get_by_role("radio", name="Red").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Red")).to_be_checked()
    page.get_by_role("textbox", name="What is the capital of France?").focus()
    page.keyboard.type("Paris")
    page.keyboard.press("Enter")  # five questions still unanswered: the player asks first
    assert focused(page) == {"tag": "BUTTON", "text": "Keep answering"}
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Submit anyway
    expect(status_text(page.main_frame, "Your score")).to_contain_text("You did not pass.")
    assert focused(page)["text"].startswith("Your score")
    assert errors == []
