"""Course models -> view objects (views.py) for the templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass, fields, is_dataclass
from functools import cached_property
from typing import cast, overload

from markupsafe import Markup

from courseforge.cache import JSON, Codec
from courseforge.markdown import DIALECT
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
from courseforge.object_memo import Same, kept, remembered
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
ACTIVITY_VIEW = "activity-view"
VIEW_VERSION = 1
"""Bump when the same activity, place, targets and numerals would make another view (kept views)."""
ACTIVITY_VIEW_WEIGHT = 4
"""About the bytes an activity's view holds for each character of its content."""
ACTIVITY_VIEW_OF = "activity-view-of"
ACTIVITY_VIEW_OF_WEIGHT = 1024
"""What the identity entry adds: its key and a reference to the view, which the content entry weighs."""
ACTIVITY_VIEW_TYPES: dict[str, type] = {kind.__name__: kind for kind in (
    ChecklistItemView, ChecklistView, ChoiceView, LabelledView, OptionView, QuestionView, QuizView, ScaleOptionView,
    ScreenInfo, SurveyItemView, SurveyView)}
"""What an activity's view is made of: the only types a cached view is rebuilt as."""


def view_to_json(value: object) -> object:
    """An activity's view as JSON: each view ``{"t": type, "f": fields}``, Markup ``{"m": html}``, tuples as
    lists, plain values as they are."""
    if isinstance(value, Markup):
        return {"m": str(value)}
    if isinstance(value, tuple):
        return [view_to_json(item) for item in value]
    if ACTIVITY_VIEW_TYPES.get(type(value).__name__) is type(value) and is_dataclass(value):
        return {"t": type(value).__name__, "f": [view_to_json(getattr(value, field.name)) for field in fields(value)]}
    if value is None or isinstance(value, str | int):
        return value
    raise TypeError(f"an activity's view holds no {type(value).__qualname__}")


def view_from_json(value: object) -> object:
    """:func:`view_to_json` undone, into the known view types only (an unknown one is a miss: KeyError)."""
    if isinstance(value, list):
        return tuple(view_from_json(item) for item in value)
    if isinstance(value, dict):
        if "m" in value:
            return Markup(value["m"])
        return ACTIVITY_VIEW_TYPES[value["t"]](*(view_from_json(item) for item in value["f"]))
    return value


ACTIVITY_VIEW_CODEC: Codec[AnyScreenView] = Codec(
    lambda view: JSON.encode(view_to_json(view)), lambda data: cast(AnyScreenView, view_from_json(JSON.decode(data))))
"""No pickle: the cache folder is shared between CI jobs, and a cached view must not be able to run code."""


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
    """``base``: the file the screen was written in (its Markdown targets resolve from there). A page's view
    is its Markdown (memoized by ``md.block``); an activity's is kept whole (``object_memo``): for the very
    activity object (validate hands back the same one for an unchanged file) in the same place with the same
    targets and numerals, and otherwise by what it is made of (:func:`made_view`)."""
    if isinstance(screen, Page):
        return PageView(screen_info(screen, where), md.block(screen.body, base, drop_title=screen.title))
    numerals = numerals_of(screen, numeral)
    return kept(ACTIVITY_VIEW_OF, (VIEW_VERSION, DIALECT, Same(screen), base, where, md.targets.digest, numerals),
                lambda: made_view(screen, base, where, md, numeral, numerals), lambda _: ACTIVITY_VIEW_OF_WEIGHT)


def made_view(screen: Quiz | Checklist | Survey, base: str, where: Placement, md: MarkdownRenderer,
              numeral: Numeral, numerals: tuple[str, ...]) -> AnyScreenView:
    """An activity's view kept by what it is made of: the activity's content (without its locations, which
    views never show), its file, its place, the link targets and the numerals its sequencing questions use."""
    key = (VIEW_VERSION, DIALECT, screen.model_dump_json(), base, astuple(where), md.targets.digest, numerals)
    return remembered(ACTIVITY_VIEW, key, lambda: activity_view(screen, base, where, md, numeral),
                      ACTIVITY_VIEW_CODEC, lambda _: ACTIVITY_VIEW_WEIGHT * len(key[2]))


def screen_info(screen: Screen, where: Placement) -> ScreenInfo:
    return ScreenInfo(screen.id, screen.kind, screen.title, where.position, where.module_title, where.lesson_title)


def numerals_of(screen: Quiz | Checklist | Survey, numeral: Numeral) -> tuple[str, ...]:
    """The numerals the screen's sequencing questions show (1 to their longest item count)."""
    longest = max((len(q.items) for q in getattr(screen, "questions", ()) if isinstance(q, Sequencing)), default=0)
    return tuple(numeral(n) for n in range(1, longest + 1))


def activity_view(screen: Quiz | Checklist | Survey, base: str, where: Placement, md: MarkdownRenderer,
                  numeral: Numeral) -> AnyScreenView:
    info = screen_info(screen, where)
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

    @cached_property
    def screens(self) -> tuple[Screen, ...]:
        """The course's screens in course order (``Course.screens`` walks the modules on every call)."""
        return self.course.screens

    def __len__(self) -> int:
        return len(self.screens)

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
        screen = self.screens[position]
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
