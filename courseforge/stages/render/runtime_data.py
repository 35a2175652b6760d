"""The course data the runtime needs (``<script type="application/json" id="cf-data">``).

Only ids, structure and answer keys: every text the learner reads is in the HTML, so translating a course
never changes this block except for fill-in answers, which are text by nature. Lists keep authored order,
because tracking encodes choices by authored index and suspend_data stores positions.
"""

from __future__ import annotations

import json
from typing import Literal, TypedDict

from markupsafe import Markup

from courseforge.model.course import (
    Checklist,
    Course,
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

JsonObject = dict[str, object]


class QuizData(TypedDict):
    """One quiz as runtime/quiz.js and runtime/scoring.js read it (``data.quizzes[<quiz id>]``)."""

    passing: float
    """Percent at which the quiz is passed."""
    attempts: int
    """0 means unlimited."""
    shuffle: bool
    draw: int | None
    """Questions per attempt when the quiz is a pool, else null."""
    unanswered: Literal["ask", "refuse"]
    """Submitting with unanswered questions: confirm first (ask) or block until answered (refuse)."""
    questions: list[JsonObject]


def answer_key(question: Question) -> JsonObject:
    """Type-specific fields: the ids in authored order and what counts as correct."""
    if isinstance(question, SingleChoice | MultipleResponse):
        return {"choices": [c.id for c in question.choices], "correct": [c.id for c in question.choices if c.correct],
                "shuffle": question.shuffle}
    if isinstance(question, TrueFalse):
        return {"answer": question.answer}
    if isinstance(question, FillIn):
        return {"accepted": list(question.accepted), "caseSensitive": question.case_sensitive}
    if isinstance(question, Numeric):
        if question.answer is not None:
            return {"answer": question.answer}
        return {"min": question.min, "max": question.max}
    if isinstance(question, Matching):
        return {"sources": [s.id for s in question.sources], "targets": [t.id for t in question.targets],
                "answer": dict(question.answer)}
    if isinstance(question, Sequencing):
        return {"items": [i.id for i in question.items], "answer": list(question.answer)}
    raise TypeError(f"no answer key for {type(question).__name__}")


def question_data(question: Question) -> JsonObject:
    return {"id": question.id, "type": str(question.type), "points": question.points, **answer_key(question)}


def quiz_data(course: Course, quiz: Quiz) -> QuizData:
    return {
        "passing": course.passing_score(quiz),
        "attempts": quiz.attempts,
        "shuffle": quiz.shuffle,
        "draw": quiz.pool.draw if quiz.pool else None,
        "unanswered": quiz.unanswered or course.manifest.unanswered,
        "questions": [question_data(q) for q in quiz.questions],
    }


def checklist_data(checklist: Checklist) -> JsonObject:
    return {"items": [{"id": i.id, "required": i.required} for i in checklist.items]}


def survey_data(survey: Survey) -> JsonObject:
    return {"items": [{"id": i.id, "type": i.type} for i in survey.questions]}


def course_data(course: Course, language: str) -> JsonObject:
    manifest = course.manifest
    mastery = manifest.mastery
    completion = manifest.completion
    return {
        "course": {"id": manifest.id, "version": manifest.version, "language": language},
        "mastery": {"score": mastery.score, "quizzes": list(mastery.quizzes)} if mastery else None,
        "completion": {"pages": completion.pages, "checklists": list(completion.checklists),
                       "surveys": list(completion.surveys)},
        "screens": [{"id": s.id, "kind": s.kind, "title": s.title} for s in course.screens],
        "quizzes": {q.id: quiz_data(course, q) for q in course.quizzes},
        "checklists": {c.id: checklist_data(c) for c in course.checklists},
        "surveys": {s.id: survey_data(s) for s in course.surveys},
    }


def script_json(data: JsonObject) -> Markup:
    """Sorted, compact JSON that cannot end its ``<script>`` element early."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
