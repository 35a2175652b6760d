"""The validated course: pydantic models that also define the source schema (unknown keys forbidden).

Every node carries ``origin`` (file:line:col), filled in by the loader through ``ORIGIN_KEY``. Ids are
stable and never derived from text: they are what tracking and answer keys use in every language.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from babel.core import Locale, UnknownLocaleError
from pydantic import AfterValidator, Field, StringConstraints, field_validator

from courseforge.model.branding import Branding
from courseforge.model.node import Frozen as Frozen
from courseforge.model.node import Node as Node
from courseforge.model.package import PackageFormat
from courseforge.model.scenario import AuthoredScenario
from courseforge.model.source import MARK_KEYS

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""Stable id: letters, digits, '-' and '_' (a SCORM CMIIdentifier in its strict reading), at most 64."""

NonEmpty = Annotated[str, StringConstraints(min_length=1)]

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
"""Every number of a course is finite: ``.nan``/``.inf`` would reach the player as invalid JSON."""
MAX_POINTS = 1_000_000
"""Points are summed per quiz and course; a bound keeps every sum finite too."""
MAX_COUNT = 1_000_000
"""Minutes, attempts, draws: far above any course, and exact as a JavaScript number."""


# ----------------------------------------------------------------------------------------- course.yaml

UnansweredPolicy = Literal["ask", "refuse"]


class Author(Node):
    name: NonEmpty
    email: str | None = None
    role: str | None = None


class Objective(Node):
    id: Id
    text: NonEmpty


class CompletionRules(Node):
    """What the learner must do for the course to count as completed."""

    pages: Literal["all", "none"] = "all"
    checklists: tuple[Id, ...] = ()
    surveys: tuple[Id, ...] = ()


class MasteryRules(Node):
    """Which quizzes are scored and the score (percent of their points) that passes the course."""

    score: FiniteFloat
    quizzes: tuple[Id, ...] = Field(min_length=1)


class Lesson(Node):
    id: Id
    title: NonEmpty
    items: tuple[NonEmpty, ...] = Field(min_length=1)
    """Paths (relative to the course folder) of pages, quizzes, surveys and checklists, in order."""


class Module(Node):
    id: Id
    title: NonEmpty
    lessons: tuple[Lesson, ...] = Field(min_length=1)


LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def language_problem(tag: str) -> str | None:
    """Why ``tag`` cannot name a language (a catalog folder, a package folder, ``<html lang>``), or None.

    A language is a BCP 47 tag that Babel (CLDR) knows, written as Babel writes it: ``de``, ``pt-BR``,
    ``zh-Hant-TW``; anything else could name a folder nobody asked for (``../x``) or a language no
    plural rules or formats exist for.
    """
    if not LANGUAGE_TAG.fullmatch(tag):
        return "is not a BCP 47 language tag (such as de, pt-BR or zh-Hant-TW)"
    try:
        known = str(Locale.parse(tag.replace("-", "_"))).replace("_", "-")
    except (UnknownLocaleError, ValueError):
        return "is not a language Babel (CLDR) knows"
    if known != tag:
        return f"is not a language Babel (CLDR) knows as written (it reads it as '{known}')"
    return None


def known_language(tag: str) -> str:
    problem = language_problem(tag)
    if problem is not None:
        raise ValueError(f"'{tag}' {problem}")
    return tag


Language = Annotated[str, AfterValidator(known_language)]
"""BCP 47 tag as used for catalogs and html lang: ``de``, ``pt-BR``, ``ar``."""


class TranslationTarget(Node):
    """A language the course is translated into, and the catalog coverage it needs to be published."""

    language: Language
    required: FiniteFloat = 100.0
    """Percent of messages translated (not fuzzy) for ``i18n status`` to pass."""


class CourseManifest(Node):
    """``course.yaml``."""

    id: Id
    title: NonEmpty
    description: NonEmpty
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")]
    language: Language
    """The source language the course is written in."""
    translations: tuple[TranslationTarget, ...] = ()
    authors: tuple[Author, ...] = Field(min_length=1)
    duration_minutes: int = Field(gt=0, le=MAX_COUNT)
    objectives: tuple[Objective, ...] = ()
    completion: CompletionRules = CompletionRules()
    mastery: MasteryRules | None = None
    unanswered: UnansweredPolicy = "ask"
    """What every quiz does when submitted with unanswered questions, unless the quiz says otherwise."""
    theme: Id = "default"
    branding: Branding | None = None
    """Logo, colours, font and cover of this course, key by key over courseforge.yaml's ``branding``."""
    modules: tuple[Module, ...] = Field(min_length=1)
    scenarios: tuple[AuthoredScenario, ...] = ()
    """What ``courseforge preview`` runs besides the scenarios derived from the course (model/scenario.py)."""
    formats: tuple[PackageFormat, ...] = ()
    """Package formats this course is built in by default; empty: courseforge.yaml's, else every format."""


# ------------------------------------------------------------------------------------------ questions

class Feedback(Node):
    correct: str | None = None
    incorrect: str | None = None


class Choice(Node):
    id: Id
    text: NonEmpty
    correct: bool = False
    feedback: str | None = None


class Pairable(Node):
    """A matching source/target or a sequencing item."""

    id: Id
    text: NonEmpty


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true-false"
    FILL_IN = "fill-in"
    NUMERIC = "numeric"
    MATCHING = "matching"
    SEQUENCING = "sequencing"


class QuestionBase(Node):
    id: Id
    prompt: NonEmpty
    points: float = Field(default=1, gt=0, le=MAX_POINTS, allow_inf_nan=False)
    feedback: Feedback = Feedback()


class SingleChoice(QuestionBase):
    type: Literal[QuestionType.SINGLE]
    choices: tuple[Choice, ...] = Field(min_length=2)
    shuffle: bool = False


class MultipleResponse(QuestionBase):
    type: Literal[QuestionType.MULTIPLE]
    choices: tuple[Choice, ...] = Field(min_length=2)
    shuffle: bool = False


class TrueFalse(QuestionBase):
    type: Literal[QuestionType.TRUE_FALSE]
    answer: bool


class FillIn(QuestionBase):
    type: Literal[QuestionType.FILL_IN]
    accepted: tuple[NonEmpty, ...] = Field(min_length=1)
    case_sensitive: bool = False


class Numeric(QuestionBase):
    """Exact (``answer``) or inclusive range (``min``/``max``)."""

    type: Literal[QuestionType.NUMERIC]
    answer: FiniteFloat | None = None
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None


class Matching(QuestionBase):
    type: Literal[QuestionType.MATCHING]
    sources: tuple[Pairable, ...] = Field(min_length=2)
    targets: tuple[Pairable, ...] = Field(min_length=2)
    answer: dict[Id, Id]
    """source id -> target id."""

    @field_validator("answer", mode="before")
    @classmethod
    def _drop_origin(cls, value: object) -> object:
        """The loader marks every YAML mapping with its origin; this one is data, not a node."""
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k not in MARK_KEYS}
        return value


class Sequencing(QuestionBase):
    type: Literal[QuestionType.SEQUENCING]
    items: tuple[Pairable, ...] = Field(min_length=2)
    answer: tuple[Id, ...]
    """Item ids in the correct order."""


Question = Annotated[
    SingleChoice | MultipleResponse | TrueFalse | FillIn | Numeric | Matching | Sequencing,
    Field(discriminator="type"),
]


class Pool(Node):
    draw: int = Field(gt=0, le=MAX_COUNT)
    """How many questions each attempt draws from the quiz's questions."""


class Quiz(Node):
    """A graded assessment (``kind: quiz``)."""

    kind: Literal["quiz"]
    id: Id
    title: NonEmpty
    intro: str | None = None
    passing_score: FiniteFloat | None = None
    """Percent; defaults to the course mastery score (or 80 when the course has none)."""
    attempts: int = Field(default=0, ge=0, le=MAX_COUNT)
    """0 means unlimited."""
    shuffle: bool = False
    pool: Pool | None = None
    unanswered: UnansweredPolicy | None = None
    """Submitting with unanswered questions: ``ask`` for confirmation first, or ``refuse`` until all are
    answered; unset, the course's ``unanswered`` applies."""
    questions: tuple[Question, ...] = Field(min_length=1)


# -------------------------------------------------------------------------- surveys and checklists

class LikertItem(Node):
    type: Literal["likert"]
    id: Id
    prompt: NonEmpty
    scale: tuple[NonEmpty, ...] = Field(
        default=("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"), min_length=2, max_length=10)
    """Labels from one end to the other; SCORM 1.2 records the answer as one character (1..9, then a)."""


class FreeTextItem(Node):
    type: Literal["text"]
    id: Id
    prompt: NonEmpty
    max_length: int | None = Field(default=None, gt=0)
    """Longest answer accepted; None: the longest each package format records (lint checks any value
    against every format built)."""


SurveyItem = Annotated[LikertItem | FreeTextItem, Field(discriminator="type")]


class Survey(Node):
    """An ungraded evaluation (``kind: survey``); answers are recorded as neutral interactions."""

    kind: Literal["survey"]
    id: Id
    title: NonEmpty
    intro: str | None = None
    questions: tuple[SurveyItem, ...] = Field(min_length=1)


class ChecklistItem(Node):
    id: Id
    text: NonEmpty
    required: bool = True


class Checklist(Node):
    """Items the learner attests (``kind: checklist``)."""

    kind: Literal["checklist"]
    id: Id
    title: NonEmpty
    intro: str | None = None
    items: tuple[ChecklistItem, ...] = Field(min_length=1)


Activity = Annotated[Quiz | Survey | Checklist, Field(discriminator="kind")]


class PageFrontMatter(Node):
    id: Id
    title: NonEmpty


class Page(Node):
    """A Markdown page. ``body`` is the Markdown as written; ``body_line`` is its first line in the file."""

    kind: Literal["page"] = "page"
    id: Id
    title: NonEmpty
    body: str
    body_line: int
    path: str
    """Relative to the course folder; links and images resolve against it."""


Screen = Page | Quiz | Survey | Checklist
"""One thing the learner sees at a time, in course order."""
S = TypeVar("S", Page, Quiz, Survey, Checklist)


class LessonScreens(Frozen):
    id: Id
    title: str
    screens: tuple[Screen, ...]


class ModuleScreens(Frozen):
    id: Id
    title: str
    lessons: tuple[LessonScreens, ...]


class Course(Frozen):
    """A validated course: metadata, its screens in order, and its asset files."""

    manifest: CourseManifest
    modules: tuple[ModuleScreens, ...]
    assets: dict[str, bytes]
    """Files the rendered pages reference, by path relative to the course folder."""
    screen_paths: dict[str, str]
    """Source file (relative to the course folder) -> screen id, for every screen in the order.
    Links between screens resolve through it; Markdown targets resolve against a screen's file."""
    course_dir: str

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def screens(self) -> tuple[Screen, ...]:
        return tuple(s for m in self.modules for lesson in m.lessons for s in lesson.screens)

    def screens_of(self, kind: type[S]) -> tuple[S, ...]:
        """The screens of one kind, in course order."""
        return tuple(s for s in self.screens if isinstance(s, kind))

    @property
    def quizzes(self) -> tuple[Quiz, ...]:
        return self.screens_of(Quiz)

    @property
    def surveys(self) -> tuple[Survey, ...]:
        return self.screens_of(Survey)

    @property
    def checklists(self) -> tuple[Checklist, ...]:
        return self.screens_of(Checklist)

    def passing_score(self, quiz: Quiz) -> float:
        if quiz.passing_score is not None:
            return quiz.passing_score
        return self.manifest.mastery.score if self.manifest.mastery else 80.0
