"""Course models -> view objects (views.py) for the templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

from courseforge.model.course import (
    Checklist,
    Course,
    FreeTextItem,
    Matching,
    MultipleResponse,
    Page,
    Question,
    Quiz,
    Screen,
    Sequencing,
    SingleChoice,
    Survey,
    SurveyItem,
)
from courseforge.stages.render.markup import MarkdownRenderer
from courseforge.stages.render.views import (
    AnyScreenView,
    ChecklistItemView,
    ChecklistView,
    ChoiceView,
    LabelledView,
    NavLesson,
    NavModule,
    NavScreen,
    OptionView,
    PageView,
    QuestionView,
    QuizView,
    ScaleOptionView,
    ScreenInfo,
    SurveyItemView,
    SurveyView,
    child_id,
    dom_id,
)

Numeral = Callable[[int], str]
"""Writes a whole number in the locale's digits (sequencing positions)."""


@dataclass(frozen=True)
class Placement:
    """Where a screen sits: its 0-based position and the module/lesson it belongs to."""

    position: int
    module_title: str
    lesson_title: str


def placements(course: Course) -> tuple[Placement, ...]:
    result: list[Placement] = []
    for module in course.modules:
        for lesson in module.lessons:
            result.extend(Placement(len(result), module.title, lesson.title) for _ in lesson.screens)
    return tuple(result)


def choice_views(question: SingleChoice | MultipleResponse, qid: str, md: MarkdownRenderer,
                 base: str) -> tuple[ChoiceView, ...]:
    return tuple(
        ChoiceView(c.id, child_id(qid, c.id), md.inline(c.text, base), md.optional_block(c.feedback, base))
        for c in question.choices
    )


def select_views(question: Matching | Sequencing, qid: str, md: MarkdownRenderer,
                 base: str) -> tuple[LabelledView, ...]:
    rows = question.sources if isinstance(question, Matching) else question.items
    return tuple(LabelledView(r.id, child_id(qid, r.id), md.inline(r.text, base)) for r in rows)


def option_views(question: Question, md: MarkdownRenderer, numeral: Numeral) -> tuple[OptionView, ...]:
    if isinstance(question, Matching):
        return tuple(OptionView(t.id, md.plain(t.text)) for t in question.targets)
    if isinstance(question, Sequencing):
        return tuple(OptionView(str(n), numeral(n)) for n in range(1, len(question.items) + 1))
    return ()


def question_view(quiz: Quiz, question: Question, md: MarkdownRenderer, base: str,
                  numeral: Numeral) -> QuestionView:
    qid = dom_id(quiz.id, question.id)
    choices = choice_views(question, qid, md, base) if isinstance(question, SingleChoice | MultipleResponse) else ()
    selects = select_views(question, qid, md, base) if isinstance(question, Matching | Sequencing) else ()
    return QuestionView(
        id=question.id,
        type=str(question.type),
        dom_id=qid,
        prompt=md.inline(question.prompt, base),
        choices=choices,
        selects=selects,
        options=option_views(question, md, numeral),
        feedback_correct=md.optional_block(question.feedback.correct, base),
        feedback_incorrect=md.optional_block(question.feedback.incorrect, base),
    )


def survey_item_view(survey: Survey, item: SurveyItem, md: MarkdownRenderer, base: str) -> SurveyItemView:
    iid = dom_id(survey.id, item.id)
    if isinstance(item, FreeTextItem):
        return SurveyItemView(item.id, "text", iid, md.inline(item.prompt, base), (), item.max_length)
    scale = tuple(ScaleOptionView(str(index), child_id(iid, str(index)), md.plain(label))
                  for index, label in enumerate(item.scale))
    return SurveyItemView(item.id, "likert", iid, md.inline(item.prompt, base), scale, 1)


def screen_view(screen: Screen, base: str, where: Placement, md: MarkdownRenderer,
                numeral: Numeral) -> AnyScreenView:
    """``base``: the file the screen was written in (its Markdown targets resolve from there)."""
    info = ScreenInfo(screen.id, screen.kind, screen.title, where.position, where.module_title, where.lesson_title)
    if isinstance(screen, Page):
        return PageView(info, md.block(screen.body, base, drop_title=screen.title))
    intro = md.optional_block(screen.intro, base)
    if isinstance(screen, Quiz):
        return QuizView(info, intro, tuple(question_view(screen, q, md, base, numeral) for q in screen.questions))
    if isinstance(screen, Checklist):
        items = tuple(ChecklistItemView(i.id, dom_id(screen.id, i.id), md.inline(i.text, base), i.required)
                      for i in screen.items)
        return ChecklistView(info, intro, items)
    return SurveyView(info, intro, tuple(survey_item_view(screen, i, md, base) for i in screen.questions))


@dataclass(frozen=True)
class ScreenViews(Sequence[AnyScreenView]):
    """The course's screens as views, each made when the template reaches it and let go after it: a screen's
    rendered Markdown is held only while its section is written, never every screen's at once (a 1,000-page
    course's is 12 MB, twice over as str). Going through them again makes them again (a build finds their
    Markdown in its cache)."""

    course: Course
    md: MarkdownRenderer
    numeral: Numeral = str

    @cached_property
    def sources(self) -> Mapping[str, str]:
        """Screen id -> the file it was written in."""
        return {screen_id: path for path, screen_id in self.course.screen_paths.items()}

    @cached_property
    def placements(self) -> tuple[Placement, ...]:
        return placements(self.course)

    def __len__(self) -> int:
        return len(self.course.screens)

    @overload
    def __getitem__(self, index: int) -> AnyScreenView: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[AnyScreenView]: ...

    def __getitem__(self, index: int | slice) -> AnyScreenView | Sequence[AnyScreenView]:
        if isinstance(index, slice):
            return tuple(self.view(position) for position in range(*index.indices(len(self))))
        return self.view(range(len(self))[index])

    def __iter__(self) -> Iterator[AnyScreenView]:
        return map(self.view, range(len(self)))

    def view(self, position: int) -> AnyScreenView:
        screen = self.course.screens[position]
        return screen_view(screen, self.sources[screen.id], self.placements[position], self.md, self.numeral)


def nav_modules(course: Course) -> tuple[NavModule, ...]:
    """The course contents: modules > lessons > screens, with each screen's position in course order."""
    position = iter(range(len(course.screens)))
    return tuple(
        NavModule(module.title, tuple(
            NavLesson(lesson.title, tuple(NavScreen(s.id, s.title, next(position)) for s in lesson.screens))
            for lesson in module.lessons
        ))
        for module in course.modules
    )
