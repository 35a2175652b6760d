"""A quiz never uses an attempt by accident, and the learner's answers stay readable after submitting.

The runtime course's final quiz (7 questions, 2 attempts, shuffled) is built twice by the real pipeline:
as written (``unanswered`` left at its default, ``ask``) and with ``unanswered: refuse``. A learner drives
it in Chromium against scorm-again by roles, names and keys; what reached the LMS is read back from the
recorded API calls, scorm-again's data model and the commits the test LMS received.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lms import ScormSession
from playwright.sync_api import Frame, Locator, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.validate.contrast import AA_TEXT, contrast_ratio, to_hex

pytestmark = pytest.mark.browser

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"
QUIZ_FILE = Path("quizzes") / "final-quiz.yaml"
CONFIRM = "Submit with unanswered questions?"
COLOUR = "Which colour means stop on a traffic light?"
PRIMES = "Which of these numbers are prime?"
ORBIT = "The Earth orbits the Sun."
CAPITAL = "What is the capital of France?"
LEGS = "How many legs does a spider have?"
SOUNDS = "Match each animal to its sound."
TEA = "Put the steps for making tea in order."
PROMPTS = {COLOUR, PRIMES, ORBIT, CAPITAL, LEGS, SOUNDS, TEA}


@dataclass(frozen=True)
class Packages:
    ask: Path
    refuse: Path


def build(course_dir: Path, target: Path) -> Path:
    sink = DiagnosticSink()
    result = build_course(course_dir, course_dir.name, BuildOptions(formats=(PackageFormat.SCORM12,)), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    target.write_bytes(result.packages[0].package.data)
    return target


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    folder = tmp_path_factory.mktemp("unanswered")
    refusing = shutil.copytree(COURSE_DIR, folder / "runtime-course")
    quiz = refusing / QUIZ_FILE
    text = quiz.read_text(encoding="utf-8")
    assert "unanswered:" not in text and "\nattempts: 2\n" in text
    quiz.write_text(text.replace("\nattempts: 2\n", "\nattempts: 2\nunanswered: refuse\n"), encoding="utf-8")
    return Packages(ask=build(COURSE_DIR, folder / "ask.zip"), refuse=build(refusing, folder / "refuse.zip"))


# ------------------------------------------------------------------------------------ a learner

def open_quiz(session: ScormSession, package: Path) -> Frame:
    _, frame = session.launch(package)
    frame.get_by_role("navigation", name="Course contents").get_by_role("link", name="Final quiz").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Final quiz")
    return frame


def group(frame: Frame, prompt: str) -> Locator:
    return frame.get_by_role("group", name=prompt)


def submit(frame: Frame) -> None:
    frame.get_by_role("button", name="Submit answers").click()


def answer_all_but_sounds(frame: Frame) -> None:
    """Every question but the matching one; colour and capital wrong, the others right."""
    group(frame, COLOUR).get_by_label("Green").check()
    for label in ("2", "3"):
        group(frame, PRIMES).get_by_label(label, exact=True).check()
    group(frame, ORBIT).get_by_label("True", exact=True).check()
    frame.get_by_role("textbox", name=CAPITAL).fill("Lyon")
    frame.get_by_role("textbox", name=LEGS).fill("8")
    for label, position in (("Boil the water", "1"), ("Put a tea bag in the cup", "2"), ("Pour the water", "3")):
        frame.get_by_label(label, exact=True).select_option(label=position)


def match_sounds(frame: Frame, animals: Sequence[str]) -> None:
    sounds = {"Dog": "Woof", "Cat": "Meow", "Cow": "Moo"}
    for animal in animals:
        frame.get_by_label(animal, exact=True).select_option(label=sounds[animal])


def linked_questions(box: Locator) -> list[str]:
    return box.get_by_role("listitem").get_by_role("link").all_inner_texts()


# ------------------------------------------------------------------------------------ what the LMS has

@dataclass(frozen=True)
class Sent:
    """Everything the content has sent the LMS so far."""

    set_values: int
    commits: int
    stored: int

    @classmethod
    def now(cls, session: ScormSession) -> Sent:
        return cls(len(session.calls("LMSSetValue")), len(session.calls("LMSCommit")), len(session.commits()))


def interactions(session: ScormSession) -> dict[str, str]:
    return {i["id"]: i["result"] for i in session.cmi()["interactions"].values()}


def quiz_state(session: ScormSession) -> str:
    """The quiz's entry in suspend_data v1: attempts.best.correct-bits."""
    return str(session.cmi()["suspend_data"]).split("~")[2]


# ------------------------------------------------------------------------------------ ask

def test_submitting_nothing_asks_and_keep_answering_records_nothing(
        scorm_session: ScormSession, packages: Packages) -> None:
    frame = open_quiz(scorm_session, packages.ask)
    before = Sent.now(scorm_session)
    submit_button = frame.get_by_role("button", name="Submit answers")

    submit(frame)
    dialog = frame.get_by_role("dialog", name=CONFIRM)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Unanswered questions: 7 of 7.")
    expect(dialog).to_contain_text("Unanswered questions count as wrong.")
    assert set(linked_questions(dialog)) == PROMPTS
    expect(dialog.get_by_role("button", name="Keep answering")).to_be_focused()
    assert dialog.evaluate("d => d.matches(':modal')")  # showModal: the page behind is inert

    frame.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(submit_button).to_be_focused()

    group(frame, COLOUR).get_by_label("Red").check()
    match_sounds(frame, ["Dog"])  # a matching question with pairs left is still unanswered
    submit_button.press("Enter")
    expect(dialog).to_contain_text("Unanswered questions: 6 of 7.")
    listed = linked_questions(dialog)
    assert set(listed) == PROMPTS - {COLOUR} and SOUNDS in listed
    frame.page.keyboard.press("Enter")  # Keep answering has the focus
    expect(dialog).to_be_hidden()
    expect(group(frame, listed[0]).locator(":focus")).to_have_count(1)  # the first unanswered, as shown

    submit(frame)
    dialog.get_by_role("link", name=SOUNDS).click()
    expect(dialog).to_be_hidden()
    expect(group(frame, SOUNDS).get_by_label("Cat", exact=True)).to_be_focused()  # its first pair left

    assert Sent.now(scorm_session) == before
    assert interactions(scorm_session) == {}
    assert quiz_state(scorm_session) == "0.."
    expect(frame.get_by_text("Attempts used: 0 of 2.")).to_be_visible()
    expect(frame.locator('[data-role="result"]')).to_have_text("")
    assert scorm_session.page_errors == []


def test_submit_anyway_uses_exactly_one_attempt(scorm_session: ScormSession, packages: Packages) -> None:
    frame = open_quiz(scorm_session, packages.ask)
    group(frame, COLOUR).get_by_label("Red").check()
    match_sounds(frame, ["Dog", "Cat"])
    submit(frame)
    dialog = frame.get_by_role("dialog", name=CONFIRM)
    expect(dialog).to_contain_text("Unanswered questions: 6 of 7.")
    dialog.get_by_role("button", name="Submit anyway").click()

    expect(dialog).to_be_hidden()
    result = frame.get_by_role("status").filter(has_text="Your score")
    expect(result).to_have_text("Your score: 12.5%. You did not pass.")  # 1 of 8 points
    expect(result).to_be_focused()
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    # Unanswered questions count as wrong; the partly matched one is recorded with its two pairs.
    assert interactions(scorm_session) == {"final-quiz__q-colour__1": "correct", "final-quiz__q-sounds__1": "wrong"}
    assert quiz_state(scorm_session).startswith("1.c.")
    sounds = next(i for i in scorm_session.cmi()["interactions"].values() if i["id"] == "final-quiz__q-sounds__1")
    assert sounds["student_response"] == "a.b,b.c"
    for prompt in PROMPTS - {COLOUR}:
        expect(group(frame, prompt).get_by_text("Incorrect", exact=True)).to_be_visible()
    expect(group(frame, COLOUR).get_by_text("Correct", exact=True)).to_be_visible()
    assert scorm_session.commits()[-1].cmi["suspend_data"] == scorm_session.cmi()["suspend_data"]
    assert scorm_session.page_errors == []


# ------------------------------------------------------------------------------------ refuse

def test_refuse_blocks_with_an_alert_and_records_nothing(scorm_session: ScormSession, packages: Packages) -> None:
    frame = open_quiz(scorm_session, packages.refuse)
    before = Sent.now(scorm_session)

    submit(frame)
    alert = frame.get_by_role("alert")
    expect(alert).to_contain_text("Answer every question before you submit. Unanswered questions: 7 of 7.")
    assert set(linked_questions(alert)) == PROMPTS
    expect(frame.get_by_role("dialog")).to_have_count(0)
    expect(frame.get_by_role("button", name="Submit answers")).to_be_focused()

    answer_all_but_sounds(frame)
    match_sounds(frame, ["Dog", "Cow"])
    submit(frame)
    expect(alert).to_contain_text("Unanswered questions: 1 of 7.")
    assert linked_questions(alert) == [SOUNDS]
    alert.get_by_role("link", name=SOUNDS).press("Enter")
    expect(group(frame, SOUNDS).get_by_label("Cat", exact=True)).to_be_focused()
    assert Sent.now(scorm_session) == before
    assert interactions(scorm_session) == {}
    assert quiz_state(scorm_session) == "0.."

    match_sounds(frame, ["Cat"])
    submit(frame)
    expect(alert).to_have_count(0)
    expect(frame.get_by_role("status").filter(has_text="Your score")).to_have_text(
        "Your score: 75%. You did not pass.")  # 6 of 8 points: colour and capital wrong
    assert len(interactions(scorm_session)) == 7
    assert quiz_state(scorm_session).startswith("1.")
    assert scorm_session.page_errors == []


# ------------------------------------------------------------------------------------ after submitting

def composite(top: Sequence[float], bottom: Sequence[float]) -> list[float]:
    """``top`` (r, g, b, alpha) drawn over an opaque ``bottom`` (source-over)."""
    alpha = top[3] if len(top) > 3 else 1.0
    return [t * alpha + b * (1 - alpha) for t, b in zip(top[:3], bottom[:3], strict=True)] + [1.0]


def shown_colours(sample: dict[str, Any]) -> tuple[str, str]:
    """The text colour and the background it is drawn on, as the eye gets them (alpha and opacity applied)."""
    background = [255.0, 255.0, 255.0, 1.0]
    for layer in reversed(sample["backgrounds"]):  # from the page down to the element
        background = composite(layer, background)
    colour = list(sample["color"])
    colour = composite([*colour[:3], (colour[3] if len(colour) > 3 else 1.0) * sample["opacity"]], background)

    def as_hex(rgb: Sequence[float]) -> str:
        r, g, b = (round(c) for c in rgb[:3])
        return to_hex((r, g, b))
    return as_hex(colour), as_hex(background)


ANSWER_STYLES = """() => {
    const channels = text => text.match(/[\\d.]+/g).map(Number);
    const chosen = [...document.querySelectorAll(
        'fieldset:disabled .cf-option:has(:checked) label, fieldset:disabled input.cf-text, fieldset:disabled select')];
    return chosen.filter(el => el.offsetParent !== null).map(el => {
        const backgrounds = [];
        let opacity = 1;
        for (let node = el; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            opacity *= Number(style.opacity);
            backgrounds.push(channels(style.backgroundColor));
        }
        const name = el.tagName === 'LABEL' ? el.textContent.trim()
            : el.tagName === 'SELECT' ? el.selectedOptions[0].text : el.value;
        return {name: name, color: channels(getComputedStyle(el).color), backgrounds: backgrounds, opacity: opacity};
    });
}"""


def test_submitted_answers_stay_checked_and_legible(scorm_session: ScormSession, packages: Packages) -> None:
    frame = open_quiz(scorm_session, packages.ask)
    answer_all_but_sounds(frame)
    match_sounds(frame, ["Dog", "Cat", "Cow"])
    submit(frame)
    expect(frame.get_by_role("dialog", name=CONFIRM)).to_have_count(0)
    expect(frame.get_by_role("status").filter(has_text="Your score")).to_have_text(
        "Your score: 75%. You did not pass.")

    def still_answered() -> None:
        expect(group(frame, COLOUR).get_by_role("radio", name="Green")).to_be_checked()
        expect(group(frame, COLOUR).get_by_role("radio", name="Green")).to_be_disabled()
        expect(group(frame, COLOUR).get_by_role("radio", name="Red")).not_to_be_checked()
        for label in ("2", "3"):
            expect(group(frame, PRIMES).get_by_role("checkbox", name=label, exact=True)).to_be_checked()
        expect(group(frame, ORBIT).get_by_role("radio", name="True", exact=True)).to_be_checked()
        expect(frame.get_by_role("textbox", name=CAPITAL)).to_have_value("Lyon")
        expect(frame.get_by_role("textbox", name=LEGS)).to_have_value("8")
        expect(frame.get_by_label("Cat", exact=True)).to_have_value("meow")
        for prompt in (COLOUR, CAPITAL):
            expect(group(frame, prompt).get_by_text("Incorrect", exact=True)).to_be_visible()
        for prompt in PROMPTS - {COLOUR, CAPITAL}:
            expect(group(frame, prompt).get_by_text("Correct", exact=True)).to_be_visible()
        expect(group(frame, COLOUR).get_by_text("Green means go.")).to_be_visible()  # the chosen option's note
        expect(group(frame, COLOUR).get_by_text("Look at the top light.")).to_be_visible()

    still_answered()
    samples = frame.evaluate(ANSWER_STYLES)
    names = {s["name"] for s in samples}
    assert {"Green", "2", "3", "True", "Lyon", "8", "Woof", "Meow", "Moo", "1"} <= names, names
    ratios = [(s["name"], round(contrast_ratio(*shown_colours(s)), 2)) for s in samples]
    assert min(ratio for _, ratio in ratios) >= AA_TEXT, ratios

    # The submitted attempt stays on screen while the learner moves around the course.
    frame.get_by_role("button", name="Next").click()
    frame.get_by_role("button", name="Previous").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Final quiz")
    still_answered()

    # suspend_data keeps scores, never answers: after a relaunch, a quiz with an attempt left starts blank.
    scorm_session.close()
    _, frame = scorm_session.relaunch()
    frame.get_by_role("dialog", name="Resume where you left off?").get_by_role("button", name="Resume").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Final quiz")
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    expect(group(frame, COLOUR).get_by_role("radio", name="Green")).not_to_be_checked()
    expect(group(frame, COLOUR).get_by_role("radio", name="Green")).to_be_enabled()
    assert scorm_session.page_errors == []


def test_contrast_arithmetic() -> None:
    """The compositing the legibility test relies on, against values worked out by hand."""
    grey_text = {"color": [16, 16, 16, 0.3], "backgrounds": [[0, 0, 0, 0], [255, 255, 255, 1]], "opacity": 1.0}
    assert shown_colours(grey_text) == ("#b7b7b7", "#ffffff")  # Chromium's disabled text: about 2:1
    assert contrast_ratio(*shown_colours(grey_text)) < AA_TEXT
    faded = {"color": [0, 0, 0], "backgrounds": [[255, 255, 255, 1]], "opacity": 0.5}
    assert shown_colours(faded) == ("#808080", "#ffffff")
