"""The course data the runtime needs (``<script type="application/json" id="cf-data">``).

Ids, structure and answer keys: every text the learner reads is in the HTML. Lists keep authored order,
because tracking encodes choices by authored index and suspend_data stores positions.

Besides fill-in answers, which are text by nature, one part is text: ``texts`` holds each question's and
survey item's localized plain text, because some standards record interactions with their texts (xAPI and
cmi5 activity definitions carry the prompt and the choices in language maps, SCORM 2004 the prompt as
``cmi.interactions.n.description``; see :class:`ItemTexts`). It is there for every format, so that the page is
the same for all of them (``render.entry_page``); the others' runtime does not read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from typing import Literal, TypedDict

from markupsafe import Markup

from courseforge.cache import JSON, digest, memoized
from courseforge.markdown import DIALECT
from courseforge.model.course import (
    Checklist,
    Choice,
    Course,
    FillIn,
    LikertItem,
    Matching,
    MultipleResponse,
    Numeric,
    Page,
    Pairable,
    Question,
    Quiz,
    Sequencing,
    SingleChoice,
    Survey,
    SurveyItem,
    TrueFalse,
)
from courseforge.object_memo import Same, kept
from courseforge.stages.render.fallback import strip_marks
from courseforge.stages.render.markup import MarkdownRenderer

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


class ItemTexts(TypedDict, total=False):
    """One question's or survey item's texts as the learner reads them, without markup
    (``data.texts[<quiz or survey id>][<question or item id>]``); keys by the item's type."""

    prompt: str
    choices: dict[str, str]
    """single/multiple: choice id -> text."""
    sources: dict[str, str]
    """matching: source id -> text."""
    targets: dict[str, str]
    """matching: target id -> text."""
    items: dict[str, str]
    """sequencing: item id -> text."""
    scale: list[str]
    """likert: the labels, first to last (the response is the 0-based position)."""


RUNTIME_DATA = "runtime-data"
DATA_VERSION = 1
"""Bump when the same inputs (:func:`data_inputs`) would give other course data."""
TEXTS = "interaction-texts"
TEXTS_VERSION = 1
"""Bump when an item's plain text could differ for the same source texts."""


def plain(text: str) -> str:
    """What the learner reads, without Markdown or fallback marks."""
    return MarkdownRenderer.plain(strip_marks(text))


def as_written(text: str) -> str:
    return text


def texts_by_id(rows: Sequence[Choice | Pairable], convert: Callable[[str], str]) -> dict[str, str]:
    return {row.id: convert(row.text) for row in rows}


def question_texts(question: Question, convert: Callable[[str], str] = plain) -> ItemTexts:
    texts: ItemTexts = {"prompt": convert(question.prompt)}
    if isinstance(question, SingleChoice | MultipleResponse):
        texts["choices"] = texts_by_id(question.choices, convert)
    elif isinstance(question, Matching):
        texts["sources"] = texts_by_id(question.sources, convert)
        texts["targets"] = texts_by_id(question.targets, convert)
    elif isinstance(question, Sequencing):
        texts["items"] = texts_by_id(question.items, convert)
    return texts


def survey_item_texts(item: SurveyItem, convert: Callable[[str], str] = plain) -> ItemTexts:
    texts: ItemTexts = {"prompt": convert(item.prompt)}
    if isinstance(item, LikertItem):
        texts["scale"] = [convert(label) for label in item.scale]
    return texts


def every_item_texts(course: Course, convert: Callable[[str], str]) -> dict[str, dict[str, ItemTexts]]:
    """Every recorded item's texts through ``convert`` by activity (quiz or survey) id, then item id."""
    texts = {quiz.id: {q.id: question_texts(q, convert) for q in quiz.questions} for quiz in course.quizzes}
    texts.update({survey.id: {i.id: survey_item_texts(i, convert) for i in survey.questions}
                  for survey in course.surveys})
    return texts


def interaction_texts(course: Course) -> dict[str, dict[str, ItemTexts]]:
    """Every recorded item's plain texts, memoized by the same walk over the texts as written (ids, structure
    and sources: all the plain texts depend on). A course's items are some 250 short inline parses (5 ms), on
    every rebuild, though a page edit changes none of them; the key costs a walk and one digest."""
    key = (TEXTS_VERSION, DIALECT, JSON.encode(every_item_texts(course, as_written)))
    found: dict[str, dict[str, ItemTexts]] = kept(TEXTS, digest(*key), lambda: memoized(
        TEXTS, key, lambda: every_item_texts(course, plain), JSON), lambda _: len(key[-1]))
    return found


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
        "texts": interaction_texts(course),
    }


def script_json(data: JsonObject) -> Markup:
    """Sorted, compact JSON that cannot end its ``<script>`` element early."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def data_inputs(course: Course, language: str) -> Hashable:
    """All :func:`course_data` reads, as a key: the manifest's rules, each page's id, kind and title (a page's body
    is not in the data), and each activity as the very object (``object_memo.Same``: validate hands back the same
    one for an unchanged file), which holds its rules, answer keys and texts."""
    manifest = course.manifest
    mastery, completion = manifest.mastery, manifest.completion
    return (DATA_VERSION, DIALECT, language, manifest.id, manifest.version, manifest.unanswered,
            None if mastery is None else (mastery.score, mastery.quizzes),
            (completion.pages, completion.checklists, completion.surveys),
            tuple((screen.id, screen.kind, screen.title) if isinstance(screen, Page) else Same(screen)
                  for screen in course.screens))


def course_data_json(course: Course, language: str) -> Markup:
    """:func:`script_json` of :func:`course_data`, kept by :func:`data_inputs` in a long-lived process: a page's
    edit changes none of it, so a rebuild neither walks every quiz nor encodes the JSON again."""
    return kept(RUNTIME_DATA, data_inputs(course, language), lambda: script_json(course_data(course, language)), len)
