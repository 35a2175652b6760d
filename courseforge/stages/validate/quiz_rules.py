"""Checks on graded questions that a schema cannot express (answer keys consistent with the choices)."""

from __future__ import annotations

from collections.abc import Iterable

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.course import (
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Quiz,
    Sequencing,
    SingleChoice,
)
from courseforge.stages.validate.ids import check_unique

MAX_CHOICES = 26
"""SCORM 1.2 choice responses are single characters a..z."""


def check_choices(question: SingleChoice | MultipleResponse, sink: DiagnosticSink) -> None:
    correct = [c for c in question.choices if c.correct]
    check_unique(question.choices, "choice", sink)
    if not correct:
        sink.error("quiz.no-correct", f"question '{question.id}' has no correct choice", question.origin,
                   hint="mark the right answer with 'correct: true'")
    elif isinstance(question, SingleChoice) and len(correct) > 1:
        ids = ", ".join(c.id for c in correct)
        sink.error("quiz.several-correct", f"single-choice question '{question.id}' has {len(correct)} "
                   f"correct choices ({ids})", correct[1].origin,
                   hint="keep one 'correct: true', or make it 'type: multiple'")
    if len(question.choices) > MAX_CHOICES:
        sink.error("quiz.too-many-choices", f"question '{question.id}' has {len(question.choices)} choices; "
                   f"SCORM 1.2 allows {MAX_CHOICES}", question.origin, hint="split the question")


def check_matching(question: Matching, sink: DiagnosticSink) -> None:
    check_unique(question.sources, "matching source", sink)
    check_unique(question.targets, "matching target", sink)
    sources = {s.id for s in question.sources}
    targets = {t.id for t in question.targets}
    for source_id, target_id in question.answer.items():
        if source_id not in sources:
            sink.error("quiz.matching-unknown-source", f"question '{question.id}': answer names unknown "
                       f"source '{source_id}'", question.origin_of("answer"),
                       hint=f"sources are: {', '.join(sorted(sources))}")
        if target_id not in targets:
            sink.error("quiz.matching-unknown-target", f"question '{question.id}': answer names unknown "
                       f"target '{target_id}'", question.origin_of("answer"),
                       hint=f"targets are: {', '.join(sorted(targets))}")
    for source in question.sources:
        if source.id not in question.answer:
            sink.error("quiz.matching-unanswered", f"question '{question.id}': source '{source.id}' has no "
                       "target in 'answer'", source.origin, hint=f"add '{source.id}: <target id>' to 'answer'")
    if max(len(question.sources), len(question.targets)) > MAX_CHOICES:
        sink.error("quiz.too-many-choices", f"question '{question.id}' has more than {MAX_CHOICES} sources "
                   "or targets", question.origin, hint="split the question")


def check_sequencing(question: Sequencing, sink: DiagnosticSink) -> None:
    check_unique(question.items, "sequencing item", sink)
    items = [i.id for i in question.items]
    if sorted(question.answer) != sorted(items):
        missing = sorted(set(items) - set(question.answer))
        unknown = sorted(set(question.answer) - set(items))
        details = []
        if missing:
            details.append(f"missing {', '.join(missing)}")
        if unknown:
            details.append(f"unknown {', '.join(unknown)}")
        if not details:
            details.append("an item is listed twice")
        sink.error("quiz.sequence-mismatch", f"question '{question.id}': 'answer' must list every item once "
                   f"({'; '.join(details)})", question.origin_of("answer"),
                   hint="list each item id exactly once, in order")
    if len(items) > MAX_CHOICES:
        sink.error("quiz.too-many-choices", f"question '{question.id}' has more than {MAX_CHOICES} items",
                   question.origin, hint="split the question")


def check_numeric(question: Numeric, sink: DiagnosticSink) -> None:
    has_range = question.min is not None or question.max is not None
    if (question.answer is None) == (not has_range):
        sink.error("quiz.numeric-answer", f"numeric question '{question.id}' needs either 'answer' or "
                   "'min' and 'max'", question.origin, hint="use 'answer: 42' or 'min: 40' + 'max: 45'")
    elif has_range and (question.min is None or question.max is None):
        sink.error("quiz.numeric-answer", f"numeric question '{question.id}' needs both 'min' and 'max'",
                   question.origin, hint="give both ends of the range")
    elif question.min is not None and question.max is not None and question.min > question.max:
        sink.error("quiz.numeric-answer", f"numeric question '{question.id}': min {question.min:g} is above "
                   f"max {question.max:g}", question.origin_of("min"), hint="swap min and max")


def check_question(question: Question, sink: DiagnosticSink) -> None:
    if isinstance(question, SingleChoice | MultipleResponse):
        check_choices(question, sink)
    elif isinstance(question, Matching):
        check_matching(question, sink)
    elif isinstance(question, Sequencing):
        check_sequencing(question, sink)
    elif isinstance(question, Numeric):
        check_numeric(question, sink)


def check_percent(value: float | None, what: str, code: str, origin: Location, sink: DiagnosticSink) -> None:
    if value is not None and not 0 <= value <= 100:
        sink.error(code, f"{what} {value:g} is outside 0..100", origin, hint="give a percentage, e.g. 80")


def check_quiz(quiz: Quiz, sink: DiagnosticSink) -> None:
    check_unique(quiz.questions, "question", sink)
    check_percent(quiz.passing_score, f"quiz '{quiz.id}' passing_score", "quiz.passing-range",
                  quiz.origin_of("passing_score"), sink)
    if quiz.pool and quiz.pool.draw > len(quiz.questions):
        sink.error("quiz.pool-too-large", f"quiz '{quiz.id}' draws {quiz.pool.draw} of only "
                   f"{len(quiz.questions)} questions", quiz.pool.origin_of("draw"),
                   hint="lower 'draw' or add questions")
    for question in quiz.questions:
        check_question(question, sink)


def check_quizzes(quizzes: Iterable[Quiz], sink: DiagnosticSink) -> None:
    for quiz in quizzes:
        check_quiz(quiz, sink)
