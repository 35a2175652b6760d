"""The course rules in Python: what a learner's progress is worth (completion, score, lesson status).

These are the rules docs/authoring.md states ("Completion, score and mastery"), written a second time,
independently of the runtime, so the preview can judge what the LMS recorded and validation can check an
authored scenario's ``expect``. Pure functions over frozen values.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from courseforge.model.course import (
    Course,
    FillIn,
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Quiz,
    Sequencing,
    SingleChoice,
    TrueFalse,
)

STATUS_RANK = {"not attempted": 0, "": 0, "browsed": 1, "incomplete": 1, "failed": 2, "completed": 3, "passed": 4}
"""A reported status never moves down this order (the runtime's rule, and the LMS's expectation)."""
FINAL_STATUSES = frozenset({"passed", "failed", "completed"})


def js_round2(value: float) -> float:
    """Two decimals rounded half up, as ``Math.round(x * 100) / 100`` does for the percents here."""
    return math.floor(value * 100 + 0.5) / 100


def percent(earned: float, possible: float) -> float:
    return js_round2(earned / possible * 100) if possible > 0 else 0.0


@dataclass(frozen=True)
class QuizProgress:
    attempts: int = 0
    best: float | None = None
    """Best attempt's percent (two decimals), None before the first submitted attempt."""

    def after(self, attempt_percent: float) -> QuizProgress:
        best = attempt_percent if self.best is None else max(self.best, attempt_percent)
        return QuizProgress(self.attempts + 1, best)


def _frozen_map(values: Mapping[str, QuizProgress] | None = None) -> Mapping[str, QuizProgress]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class Progress:
    """What a learner has done so far, by id."""

    visited: frozenset[str] = frozenset()
    quizzes: Mapping[str, QuizProgress] = field(default_factory=_frozen_map)
    ticked: frozenset[tuple[str, str]] = frozenset()
    """(checklist id, item id) of every ticked item."""
    submitted: frozenset[str] = frozenset()
    """Survey ids."""

    def quiz(self, quiz_id: str) -> QuizProgress:
        return self.quizzes.get(quiz_id, QuizProgress())

    def visit(self, screen_id: str) -> Progress:
        return replace(self, visited=self.visited | {screen_id})

    def submit_attempt(self, quiz_id: str, attempt_percent: float) -> Progress:
        return replace(self, quizzes=_frozen_map({**self.quizzes, quiz_id: self.quiz(quiz_id).after(attempt_percent)}))

    def tick(self, checklist_id: str, item_ids: Iterable[str]) -> Progress:
        return replace(self, ticked=self.ticked | {(checklist_id, i) for i in item_ids})

    def send_survey(self, survey_id: str) -> Progress:
        return replace(self, submitted=self.submitted | {survey_id})


@dataclass(frozen=True)
class Outcome:
    status: str
    """passed | failed | completed | incomplete"""
    score: float | None
    """cmi.core.score.raw the rules give (None for an unscored course or before any mastery quiz)."""
    completed: bool


def attempt_percent(shown: Iterable[Question], right: Iterable[str]) -> float:
    """Points of the questions answered right, as a percent of the points of the questions shown."""
    questions = tuple(shown)
    correct = set(right)
    return percent(sum(q.points for q in questions if q.id in correct), sum(q.points for q in questions))


def quiz_weight(quiz: Quiz) -> float:
    """Points one attempt is worth: all of them, or the share a pool draws."""
    total = sum(q.points for q in quiz.questions)
    if quiz.pool and quiz.pool.draw < len(quiz.questions):
        return total * quiz.pool.draw / len(quiz.questions)
    return total


def passing_of(course: Course, quiz: Quiz, lms_mastery: float | None = None) -> float:
    """A quiz's passing percent: its own ``passing_score``, else the mastery score, which the LMS's own
    mastery score replaces for the mastery quizzes."""
    mastery = course.manifest.mastery
    if lms_mastery is not None and quiz.passing_score is None and mastery and quiz.id in mastery.quizzes:
        return lms_mastery
    return course.passing_score(quiz)


def quiz_passed(course: Course, quiz: Quiz, progress: QuizProgress, lms_mastery: float | None = None) -> bool:
    return progress.best is not None and progress.best >= passing_of(course, quiz, lms_mastery)


def quiz_locked(course: Course, quiz: Quiz, progress: QuizProgress, lms_mastery: float | None = None) -> bool:
    """No more attempts: passed, or every allowed attempt used (``attempts: 0`` is unlimited)."""
    return quiz_passed(course, quiz, progress, lms_mastery) or (0 < quiz.attempts <= progress.attempts)


def is_complete(course: Course, progress: Progress) -> bool:
    rules = course.manifest.completion
    pages = rules.pages != "all" or all(s.id in progress.visited for s in course.screens)
    checklists = {c.id: c for c in course.checklists}
    ticked = all((cid, item.id) in progress.ticked for cid in rules.checklists if cid in checklists
                 for item in checklists[cid].items if item.required)
    surveys = all(sid in progress.submitted for sid in rules.surveys)
    return pages and ticked and surveys


def mastery_quizzes(course: Course) -> tuple[Quiz, ...]:
    mastery = course.manifest.mastery
    wanted = set(mastery.quizzes) if mastery else set()
    return tuple(q for q in course.quizzes if q.id in wanted)


def course_score(course: Course, progress: Progress) -> float | None:
    """Points-weighted percent over the mastery quizzes' best attempts; None until one is submitted."""
    quizzes = mastery_quizzes(course)
    weight = sum(quiz_weight(q) for q in quizzes)
    bests = [(progress.quiz(q.id).best, quiz_weight(q)) for q in quizzes]
    if weight <= 0 or all(best is None for best, _ in bests):
        return None
    return js_round2(sum((best or 0.0) * w for best, w in bests) / weight)


def outcome(course: Course, progress: Progress, lms_mastery: float | None = None) -> Outcome:
    """The status and score the rules give now; ``lms_mastery`` (the LMS's own mastery score) replaces
    the course's ``mastery.score`` when set."""
    completed = is_complete(course, progress)
    mastery = course.manifest.mastery
    if mastery is None:
        return Outcome("completed" if completed else "incomplete", None, completed)
    score = course_score(course, progress)
    passing = lms_mastery if lms_mastery is not None else mastery.score
    quizzes = mastery_quizzes(course)
    if score is not None and score >= passing and completed:
        return Outcome("passed", score, completed)
    all_locked = all(quiz_locked(course, q, progress.quiz(q.id), lms_mastery) for q in quizzes)
    all_submitted = all(progress.quiz(q.id).attempts > 0 for q in quizzes)
    if score is not None and score < passing and all_locked and all_submitted:
        return Outcome("failed", score, completed)
    return Outcome("incomplete", score, completed)


def held_status(before: str, now: str) -> str:
    """What the LMS should hold after ``now`` is reported on top of ``before``: never a lower status."""
    return now if STATUS_RANK.get(now, 0) >= STATUS_RANK.get(before, 0) else before


# ------------------------------------------------------------------------------------ judging answers

def _number(value: object) -> float | None:
    """A learner's number (a decimal comma accepted), or None when it is not a plain number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", ".", 1)
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(value: str, case_sensitive: bool) -> str:
    trimmed = unicodedata.normalize("NFC", value.strip())
    return trimmed if case_sensitive else trimmed.lower()


def is_right(question: Question, answer: object) -> bool:
    """Whether ``answer`` (the shapes of model/scenario.py: ids, typed text, numbers) is right."""
    if isinstance(question, SingleChoice | MultipleResponse):
        chosen = {answer} if isinstance(answer, str) else set(answer) if isinstance(answer, list | tuple) else None
        return chosen == {c.id for c in question.choices if c.correct}
    if isinstance(question, TrueFalse):
        return isinstance(answer, bool) and answer == question.answer
    if isinstance(question, FillIn):
        return isinstance(answer, str) and _text(answer, question.case_sensitive) in {
            _text(a, question.case_sensitive) for a in question.accepted}
    if isinstance(question, Numeric):
        number = _number(answer)
        if number is None:
            return False
        if question.answer is not None:
            return abs(number - question.answer) <= 1e-9 * max(1.0, abs(question.answer))
        return (question.min is None or number >= question.min) and (question.max is None or number <= question.max)
    if isinstance(question, Matching):
        return isinstance(answer, Mapping) and dict(answer) == dict(question.answer)
    if isinstance(question, Sequencing):
        return isinstance(answer, list | tuple) and tuple(answer) == tuple(question.answer)
    raise TypeError(f"no judge for {type(question).__name__}")
