"""The robot learner: takes a courseforge package the way a person does, in a real browser.

It finds every control by its role and accessible name (in the package's language, see
``learner_view.py``), inside the current screen's region and the question's own group (its fieldset and
legend), and uses it with the pointer or, in keyboard mode, only with the keyboard (Tab to reach it,
Space, Enter, arrow keys and typing to use it). It never calls into the runtime: no page script reads
or changes courseforge's state, and no test ids are used; the only scripts it runs ask the browser
what a person sees (which element has focus, which option a list shows, whether an image loaded).

A question is answered from what is on screen: a pooled quiz shows some of its questions, and the robot
answers the groups it can see, mapping each back to the answer key by the question's id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Locator

from courseforge.model.course import (
    Checklist,
    FillIn,
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Quiz,
    Sequencing,
    SingleChoice,
    Survey,
    TrueFalse,
)
from courseforge.model.outcome import is_right
from courseforge.model.scenario import AnswerValue
from courseforge.stages.preview.learner_view import LearnerView, ViewError

Mode = Literal["pointer", "keyboard"]
Plan = Literal["right", "wrong", "unanswered"]
MAX_TABS = 300
"""Tab presses allowed to reach one control before the robot calls it unreachable."""
WAIT_MS = 5000
"""How long a control may take to appear (the player reacts in milliseconds)."""

IS_FOCUSED = "element => element === element.ownerDocument.activeElement"
SHOWN_OPTION = "select => select.selectedIndex >= 0 ? select.options[select.selectedIndex].textContent.trim() : ''"
FOCUS_IN_GROUP = ("radio => { const active = radio.ownerDocument.activeElement;"
                  " return !!active && active.type === 'radio' && active.name === radio.name; }")
BROKEN_IMAGES = ("() => Array.from(document.images).filter(image => image.checkVisibility()"
                 " && !(image.complete && image.naturalWidth > 0)).map(image => image.getAttribute('src') || '?')")
ANY_TEXT = re.compile(r"\S")


class RobotError(Exception):
    """The robot could not do what a learner would: a control missing, unreachable or not reacting."""


@dataclass(frozen=True)
class Given:
    """One answer the robot gave: the id-level value (None: left unanswered) and whether it is right."""

    question: Question
    value: AnswerValue | None
    right: bool


# ------------------------------------------------------------------------------------ answers

def right_answer(question: Question, accepted: tuple[str, ...]) -> AnswerValue:
    """A right answer by ids (fill-in: the first accepted answer of the package's language)."""
    if isinstance(question, SingleChoice):
        return next(c.id for c in question.choices if c.correct)
    if isinstance(question, MultipleResponse):
        return tuple(c.id for c in question.choices if c.correct)
    if isinstance(question, TrueFalse):
        return question.answer
    if isinstance(question, FillIn):
        return (accepted or question.accepted)[0]
    if isinstance(question, Numeric):
        return question.answer if question.answer is not None else question.min if question.min is not None \
            else question.max if question.max is not None else 0.0
    if isinstance(question, Matching):
        return dict(question.answer)
    return tuple(question.answer)


def wrong_answer(question: Question, accepted: tuple[str, ...]) -> AnswerValue:
    """An answer that is certainly wrong, of the right shape."""
    if isinstance(question, SingleChoice | MultipleResponse):
        return next(c.id for c in question.choices if not c.correct) if isinstance(question, SingleChoice) \
            else (next(c.id for c in question.choices if not c.correct),)
    if isinstance(question, TrueFalse):
        return not question.answer
    if isinstance(question, FillIn):
        known = {a.lower() for a in (*accepted, *question.accepted)}
        return next(text for text in ("no idea", "not sure", "unknown answer") if text not in known)
    if isinstance(question, Numeric):
        edge = question.max if question.max is not None else question.answer
        return (edge if edge is not None else (question.min or 0.0) - 2.0) + 1.0
    if isinstance(question, Matching):
        targets = [question.answer[s.id] for s in question.sources]
        return {s.id: targets[(i + 1) % len(targets)] for i, s in enumerate(question.sources)}
    return tuple(reversed(question.answer))


def typed_number(value: float) -> str:
    """A number as a learner types it (6, not 6.0)."""
    return str(int(value)) if math.isfinite(value) and value == int(value) else repr(value)


# ------------------------------------------------------------------------------------ the hands

class Hands:
    """Uses controls with the pointer (click, check, fill, choose)."""

    mode: Mode = "pointer"

    def press(self, control: Locator) -> None:
        control.click()

    def tick(self, control: Locator) -> None:
        control.check()

    def type_into(self, control: Locator, text: str) -> None:
        control.fill(text)

    def choose(self, control: Locator, option: str) -> None:
        control.select_option(label=option)


class KeyboardHands(Hands):
    """Uses controls with the keyboard only: Tab until the control has focus, then the keys a person uses."""

    mode: Mode = "keyboard"

    def __init__(self, frame: Frame) -> None:
        self.frame = frame

    def _reach(self, control: Locator, focused: str = IS_FOCUSED) -> None:
        control.wait_for(state="visible", timeout=WAIT_MS)
        for _ in range(MAX_TABS):
            if control.evaluate(focused):
                return
            self.frame.page.keyboard.press("Tab")
        raise RobotError(f"{MAX_TABS} presses of Tab never reached {control}: not reachable by keyboard")

    def press(self, control: Locator) -> None:
        self._reach(control)
        self.frame.page.keyboard.press("Enter")

    def tick(self, control: Locator) -> None:
        if control.get_attribute("type") == "radio":
            self._pick_radio(control)
            return
        self._reach(control)
        if not control.is_checked():
            self.frame.page.keyboard.press("Space")

    def _pick_radio(self, control: Locator) -> None:
        """Tab into the radio group, then arrow keys to the option (they check it), Space for the first."""
        self._reach(control, FOCUS_IN_GROUP)
        for _ in range(MAX_TABS):
            if control.evaluate(IS_FOCUSED):
                if not control.is_checked():
                    self.frame.page.keyboard.press("Space")
                return
            self.frame.page.keyboard.press("ArrowDown")
        raise RobotError(f"the arrow keys never reached {control}")

    def type_into(self, control: Locator, text: str) -> None:
        self._reach(control)
        self.frame.page.keyboard.press("ControlOrMeta+A")
        self.frame.page.keyboard.type(text)

    def choose(self, control: Locator, option: str) -> None:
        """Arrow keys through a closed list until it shows the option (as a person watching it does)."""
        self._reach(control)
        for _ in range(MAX_TABS):
            if control.evaluate(SHOWN_OPTION) == option:
                return
            self.frame.page.keyboard.press("ArrowDown")
        raise RobotError(f"the list {control} never showed '{option}'")


# ------------------------------------------------------------------------------------ the learner

Step = Callable[[str], None]
"""Called with the name of each step as the robot starts it (for findings and the report)."""


class Robot:
    """One learner in one launched package (the content frame of the LMS page)."""

    def __init__(self, frame: Frame, view: LearnerView, mode: Mode = "pointer", on_step: Step | None = None) -> None:
        self.frame = frame
        self.view = view
        self.hands: Hands = KeyboardHands(frame) if mode == "keyboard" else Hands()
        self._on_step = on_step or (lambda name: None)

    def step(self, name: str) -> None:
        self._on_step(name)

    # ------------------------------------------------------------------ where the learner is

    def region(self, screen_id: str) -> Locator:
        """The screen as shown: a region named by its heading (hidden screens are not in the tree)."""
        return self.frame.get_by_role("region", name=self.view.title(screen_id), exact=True)

    def expect_screen(self, screen_id: str) -> Locator:
        region = self.region(screen_id)
        try:
            region.get_by_role("heading", level=1, name=self.view.title(screen_id), exact=True).wait_for(
                state="visible", timeout=WAIT_MS)
        except PlaywrightError:
            raise RobotError(f"screen '{screen_id}' ('{self.view.title(screen_id)}') is not showing") from None
        return region

    def button(self, name: str, scope: Locator | Frame | None = None) -> Locator:
        return (scope or self.frame).get_by_role("button", name=name, exact=True)

    def next_screen(self, screen_id: str) -> None:
        self.step(f"press Next to '{screen_id}'")
        self.hands.press(self.button(self.view.button("cf-next")))
        self.expect_screen(screen_id)

    def previous_screen(self, screen_id: str) -> None:
        self.step(f"press Previous to '{screen_id}'")
        self.hands.press(self.button(self.view.button("cf-prev")))
        self.expect_screen(screen_id)

    def broken_images(self) -> list[str]:
        """The images on screen (the page's banner and the current screen) that did not load."""
        return [str(src) for src in self.frame.evaluate(BROKEN_IMAGES)]

    # ------------------------------------------------------------------ resuming

    def resume(self, bookmark: str) -> None:
        """The resume dialog must offer the bookmarked screen; Resume must show it."""
        title, resume, _restart = self.view.resume()
        self.step(f"resume at '{bookmark}'")
        dialog = self.frame.get_by_role("dialog", name=title, exact=True)
        try:
            dialog.wait_for(state="visible", timeout=WAIT_MS)
        except PlaywrightError:
            raise RobotError("the relaunch did not offer to resume (no resume dialog)") from None
        where = self.view.resume_where(self.view.title(bookmark))
        shown = dialog.get_by_text(where, exact=True)
        if shown.count() == 0:
            raise RobotError(f"the resume dialog does not say {where!r}")
        self.hands.press(self.button(resume, dialog))
        self.expect_screen(bookmark)

    # ------------------------------------------------------------------ checklists and surveys

    def tick_checklist(self, checklist: Checklist) -> tuple[str, ...]:
        """Ticks every required item; returns their ids."""
        region = self.expect_screen(checklist.id)
        ticked = []
        for item in (i for i in checklist.items if i.required):
            self.step(f"tick '{item.id}' on '{checklist.id}'")
            self.hands.tick(region.get_by_role("checkbox", name=self.view.checklist_item(checklist.id, item.id),
                                               exact=True))
            ticked.append(item.id)
        return tuple(ticked)

    def ticked_items(self, checklist: Checklist) -> tuple[str, ...]:
        """Which items show as ticked (after a relaunch: what the LMS kept)."""
        region = self.expect_screen(checklist.id)
        return tuple(i.id for i in checklist.items
                     if region.get_by_role("checkbox", name=self.view.checklist_item(checklist.id, i.id),
                                           exact=True).is_checked())

    def send_survey(self, survey: Survey, answers: Mapping[str, int | str]) -> None:
        """Answers each item (a scale point by index, or text) and submits the survey."""
        region = self.expect_screen(survey.id)
        for item in survey.questions:
            prompt, points = self.view.survey_item(survey.id, item.id)
            answer = answers.get(item.id)
            if answer is None:
                continue
            self.step(f"answer survey item '{item.id}'")
            if points and isinstance(answer, int):
                group = region.get_by_role("group", name=prompt, exact=True)
                self.hands.tick(group.get_by_role("radio", name=points[answer], exact=True))
            else:
                self.hands.type_into(region.get_by_role("textbox", name=prompt, exact=True), str(answer))
        self.step(f"send survey '{survey.id}'")
        self.hands.press(self.button(self.view.role_text(survey.id, "submit"), region))
        region.get_by_role("status").filter(has_text=self.view.ui["surveySubmitted"]).wait_for(timeout=WAIT_MS)

    # ------------------------------------------------------------------ quizzes

    def question_group(self, quiz: Quiz, question: Question) -> Locator:
        return self.region(quiz.id).get_by_role("group", name=self.view.prompt(quiz.id, question.id), exact=True)

    def shown_questions(self, quiz: Quiz) -> tuple[Question, ...]:
        """The questions this attempt shows, in the quiz's authored order (a pool hides the others)."""
        self.expect_screen(quiz.id)
        return tuple(q for q in quiz.questions if self.question_group(quiz, q).count() == 1)

    def answer(self, quiz: Quiz, question: Question, value: AnswerValue) -> None:
        """Gives ``value`` (ids, typed text, a number) to one question through its group's controls."""
        group = self.question_group(quiz, question)
        self.step(f"answer '{question.id}' with {value!r}")
        if isinstance(question, SingleChoice | MultipleResponse):
            chosen = [value] if isinstance(value, str) else list(value) if isinstance(value, tuple | list) else []
            for choice in chosen:
                name = self.view.option(quiz.id, question.id, str(choice))
                control = group.get_by_role("radio", name=name, exact=True) if isinstance(question, SingleChoice) \
                    else group.get_by_role("checkbox", name=name, exact=True)
                self.hands.tick(control)
        elif isinstance(question, TrueFalse):
            name = self.view.option(quiz.id, question.id, "true" if value is True else "false")
            self.hands.tick(group.get_by_role("radio", name=name, exact=True))
        elif isinstance(question, FillIn | Numeric):
            text = typed_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
            self.hands.type_into(group.get_by_role("textbox"), text)
        elif isinstance(question, Matching) and isinstance(value, Mapping):
            for source, target in value.items():
                label, options = self.view.row(quiz.id, question.id, source)
                self.hands.choose(group.get_by_role("combobox", name=label, exact=True), options[target])
        elif isinstance(question, Sequencing) and isinstance(value, tuple | list):
            for position, item in enumerate(value, start=1):
                label, options = self.view.row(quiz.id, question.id, item)
                self.hands.choose(group.get_by_role("combobox", name=label, exact=True), options[str(position)])
        else:
            raise RobotError(f"cannot give {value!r} to a {question.type} question")

    def fill_attempt(self, quiz: Quiz, choose: Callable[[Question, tuple[Question, ...]], AnswerValue | None]
                     ) -> tuple[Given, ...]:
        """Answers the questions on screen; ``choose`` gives each its value (None leaves it unanswered)."""
        shown = self.shown_questions(quiz)
        if not shown:
            raise RobotError(f"quiz '{quiz.id}' shows no question")
        given = []
        for question in shown:
            value = choose(question, shown)
            if value is not None:
                self.answer(quiz, question, value)
            localized = replace_accepted(question, self.view.accepted(quiz.id, question.id)) \
                if isinstance(question, FillIn) else question
            given.append(Given(question, value, value is not None and is_right(localized, value)))
        return tuple(given)

    def submit(self, quiz: Quiz, unanswered: int, keep_answering_first: bool = False) -> None:
        """Submits the attempt; with questions unanswered the player must ask first, and only
        "Submit anyway" submits (``keep_answering_first`` tries "Keep answering" once before)."""
        region = self.region(quiz.id)
        submit = self.button(self.view.role_text(quiz.id, "submit"), region)
        dialog = self.frame.get_by_role("dialog", name=self.view.dialog_title(quiz.id), exact=True)
        self.step(f"submit quiz '{quiz.id}'")
        self.hands.press(submit)
        if unanswered == 0:
            return
        try:
            dialog.wait_for(state="visible", timeout=WAIT_MS)
        except PlaywrightError:
            raise RobotError(f"{unanswered} questions left unanswered, but no confirmation was asked") from None
        if keep_answering_first:
            self.step(f"keep answering quiz '{quiz.id}'")
            self.hands.press(self.button(self.view.role_text(quiz.id, "keep"), dialog))
            dialog.wait_for(state="hidden", timeout=WAIT_MS)
            self.step(f"submit quiz '{quiz.id}' again")
            self.hands.press(submit)
            dialog.wait_for(state="visible", timeout=WAIT_MS)
        self.step(f"submit quiz '{quiz.id}' anyway")
        self.hands.press(self.button(self.view.role_text(quiz.id, "submit-anyway"), dialog))
        dialog.wait_for(state="hidden", timeout=WAIT_MS)

    def submit_too_early(self, quiz: Quiz, asks: bool, look: Callable[[str], None]) -> None:
        """Presses Submit before answering anything, for the evidence of what the player shows then: the
        unanswered-questions dialog (``asks``; "Keep answering" closes it) or the inline alert. ``look``
        is called while it shows, with the state's name. Nothing is submitted."""
        region = self.region(quiz.id)
        self.step(f"submit quiz '{quiz.id}' before answering")
        self.hands.press(self.button(self.view.role_text(quiz.id, "submit"), region))
        if not asks:
            try:
                region.get_by_role("alert").filter(has_text=ANY_TEXT).first.wait_for(state="visible", timeout=WAIT_MS)
            except PlaywrightError:
                raise RobotError(f"quiz '{quiz.id}' took no answers, yet says nothing about it") from None
            look("unanswered alert")
            return
        dialog = self.frame.get_by_role("dialog", name=self.view.dialog_title(quiz.id), exact=True)
        try:
            dialog.wait_for(state="visible", timeout=WAIT_MS)
        except PlaywrightError:
            raise RobotError(f"quiz '{quiz.id}' took no answers, but no confirmation was asked") from None
        look("unanswered-questions dialog")
        self.step(f"keep answering quiz '{quiz.id}'")
        self.hands.press(self.button(self.view.role_text(quiz.id, "keep"), dialog))
        dialog.wait_for(state="hidden", timeout=WAIT_MS)

    def result_line(self, quiz: Quiz) -> str:
        """The attempt's result as the status line reads it."""
        line = self.region(quiz.id).get_by_role("status").filter(has_text=ANY_TEXT)
        try:
            line.first.wait_for(state="visible", timeout=WAIT_MS)
        except PlaywrightError:
            raise RobotError(f"quiz '{quiz.id}' shows no result line after the submit") from None
        return line.first.inner_text().strip()

    def try_again(self, quiz: Quiz) -> None:
        self.step(f"try quiz '{quiz.id}' again")
        self.hands.press(self.button(self.view.role_text(quiz.id, "retry"), self.region(quiz.id)))

    def can_submit(self, quiz: Quiz) -> bool:
        """Whether the quiz still takes answers (a passed or used-up quiz shows only its result)."""
        return self.button(self.view.role_text(quiz.id, "submit"), self.region(quiz.id)).is_visible()


def replace_accepted(question: FillIn, accepted: tuple[str, ...]) -> FillIn:
    """The question as the package's language accepts it (translated accepted answers)."""
    return FillIn(id=question.id, prompt=question.prompt, points=question.points, type=question.type,
                  accepted=accepted or question.accepted, case_sensitive=question.case_sensitive)


__all__ = ["Given", "Hands", "KeyboardHands", "Mode", "Plan", "Robot", "RobotError", "ViewError", "right_answer",
           "wrong_answer"]
