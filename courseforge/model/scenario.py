"""Scenarios an author adds to a course (``course.yaml`` key ``scenarios``), for ``courseforge preview``.

A scenario is what one learner does and what the LMS must hold afterwards::

    scenarios:
      - name: one-wrong
        answers:                      # quiz id -> question id -> the learner's answer
          safety-quiz:
            q-use-lift: true          # true-false: true | false
            q-co2-removes: c-heat     # single: a choice id; multiple: a list of choice ids
            q-cpr-rate: 110           # numeric: a number; fill-in: the text typed
        others: right                 # questions not listed: right | wrong | unanswered (default)
        expect: {status: incomplete, score: 81.82}

Matching answers are ``{source id: target id}``, sequencing answers the item ids in order. The robot
learner visits every screen, ticks every required checklist item, sends every survey and submits each
quiz once with these answers, then leaves; ``expect`` is checked against what the LMS recorded and,
at validation, against the course rules. Answers are ids (or typed text), so a scenario holds in every
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, field_validator

from courseforge.diagnostics import Location
from courseforge.model.node import Node
from courseforge.model.source import FIELDS_KEY, MARK_KEYS, ORIGIN_KEY

ScenarioName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]

AnswerValue = bool | float | str | tuple[ItemId, ...] | dict[ItemId, ItemId]
"""What the learner gives, by question type (see the module docstring)."""

LessonStatus = Literal["passed", "failed", "completed", "incomplete"]
Others = Literal["right", "wrong", "unanswered"]

DERIVED_SCENARIOS = ("pass", "fail", "resume", "keyboard")
"""Names of the scenarios every course gets from its source; an authored one cannot take them."""


class ScenarioAnswer(Node):
    question: ItemId
    value: AnswerValue

    @field_validator("value", mode="before")
    @classmethod
    def _one_of_the_shapes(cls, value: object) -> object:
        """One clear message for an empty or odd answer, instead of one per shape of the union."""
        if not isinstance(value, bool | int | float | str | list | tuple | Mapping):
            raise ValueError("an answer is true/false, a number, a text, a list of ids or a map of ids")
        return value


class QuizAnswers(Node):
    quiz: ItemId
    answers: tuple[ScenarioAnswer, ...]


class ScenarioExpect(Node):
    status: LessonStatus
    score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    """Percent, as ``cmi.core.score.raw`` holds it (two decimals); unset, the score is not checked."""


def _without_marks(value: object) -> object:
    if isinstance(value, Mapping):
        return _entries(value)
    return value


def _entries(value: Mapping[str, object]) -> dict[str, object]:
    """A parsed YAML mapping's own keys, without the loader's marks."""
    return {k: v for k, v in value.items() if k not in MARK_KEYS}


def _marked(value: object, key: str, fallback: object) -> object:
    """The line the loader noted for ``key`` of a parsed mapping (so each answer keeps its file:line)."""
    fields = value.get(FIELDS_KEY) if isinstance(value, Mapping) else None
    found = fields.get(key) if isinstance(fields, Mapping) else None
    return found if isinstance(found, Location) else fallback


class AuthoredScenario(Node):
    name: ScenarioName
    description: str | None = None
    answers: tuple[QuizAnswers, ...] = ()
    others: Others = "unanswered"
    """How the learner answers the questions ``answers`` does not name."""
    expect: ScenarioExpect

    @field_validator("answers", mode="before")
    @classmethod
    def _nested_maps(cls, value: object) -> object:
        """``{quiz: {question: answer}}`` as written becomes nodes that remember their lines."""
        if not isinstance(value, Mapping):
            return value
        origin = value.get(ORIGIN_KEY)
        quizzes = []
        for quiz, answers in _entries(value).items():
            quiz_origin = _marked(value, quiz, origin)
            entries: object = answers
            if isinstance(answers, Mapping):
                entries = [{"question": question, "value": _without_marks(answer),
                            ORIGIN_KEY: _marked(answers, question, quiz_origin)}
                           for question, answer in _entries(answers).items()]
            quizzes.append({"quiz": quiz, "answers": entries, **({ORIGIN_KEY: quiz_origin} if quiz_origin else {})})
        return quizzes

    def answers_for(self, quiz_id: str) -> dict[str, AnswerValue]:
        return {a.question: a.value for q in self.answers if q.quiz == quiz_id for a in q.answers}
