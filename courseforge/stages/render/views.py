"""The typed context templates receive: frozen view objects with text already rendered to HTML.

Templates only lay out; every decision about text (Markdown, link targets, element ids) is made here,
so the markup contract stays the same whichever theme draws it. Element ids join stable course ids
with ``.``, which a course id can never contain, so they cannot collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from courseforge.stages.render.locale_format import LocaleFormat, NumberSymbols

SEPARATOR = "."


def dom_id(*parts: str) -> str:
    return SEPARATOR.join(("cf", *parts))


def child_id(parent: str, *parts: str) -> str:
    """An element id under another one (a choice under its question)."""
    return SEPARATOR.join((parent, *parts))


@dataclass(frozen=True)
class ChoiceView:
    id: str
    dom_id: str
    label: Markup
    feedback: Markup | None


@dataclass(frozen=True)
class LabelledView:
    """A matching source or sequencing item: one ``<select>`` labelled by its text."""

    id: str
    dom_id: str
    label: Markup


@dataclass(frozen=True)
class OptionView:
    value: str
    text: str


@dataclass(frozen=True)
class QuestionView:
    id: str
    type: str
    dom_id: str
    prompt: Markup
    choices: tuple[ChoiceView, ...]
    """Single/multiple choices, or True/False (labels come from the template)."""
    selects: tuple[LabelledView, ...]
    """Matching sources or sequencing items."""
    options: tuple[OptionView, ...]
    """Matching targets, or sequencing positions 1..n."""
    feedback_correct: Markup | None
    feedback_incorrect: Markup | None

    @property
    def prompt_id(self) -> str:
        return f"{self.dom_id}{SEPARATOR}prompt"


@dataclass(frozen=True)
class ScaleOptionView:
    value: str
    dom_id: str
    label: str


@dataclass(frozen=True)
class SurveyItemView:
    id: str
    type: str
    dom_id: str
    prompt: Markup
    scale: tuple[ScaleOptionView, ...]
    max_length: int | None


@dataclass(frozen=True)
class ChecklistItemView:
    id: str
    dom_id: str
    label: Markup
    required: bool


@dataclass(frozen=True)
class ScreenInfo:
    """What every screen has: a section with one h1, and where it sits in the course."""

    id: str
    kind: str
    title: str
    position: int
    """0-based, in course order."""
    module_title: str
    lesson_title: str

    @property
    def dom_id(self) -> str:
        return dom_id("screen", self.id)

    @property
    def heading_id(self) -> str:
        return dom_id("heading", self.id)


@dataclass(frozen=True)
class PageView:
    info: ScreenInfo
    body: Markup


@dataclass(frozen=True)
class QuizView:
    info: ScreenInfo
    intro: Markup | None
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class ChecklistView:
    info: ScreenInfo
    intro: Markup | None
    items: tuple[ChecklistItemView, ...]


@dataclass(frozen=True)
class SurveyView:
    info: ScreenInfo
    intro: Markup | None
    items: tuple[SurveyItemView, ...]


AnyScreenView = PageView | QuizView | ChecklistView | SurveyView


@dataclass(frozen=True)
class NavScreen:
    id: str
    title: str
    position: int


@dataclass(frozen=True)
class NavLesson:
    title: str
    screens: tuple[NavScreen, ...]


@dataclass(frozen=True)
class NavModule:
    title: str
    lessons: tuple[NavLesson, ...]


@dataclass(frozen=True)
class ImageView:
    href: str
    """Path inside the package."""
    alt: str


@dataclass(frozen=True)
class BrandingView:
    """What templates draw of the branding (its colours and font are in ``theme/branding.css``)."""

    logo: ImageView | None = None
    """In the header, before the course title."""
    cover: ImageView | None = None
    """At the top of the first screen."""


UNBRANDED = BrandingView()


@dataclass(frozen=True)
class SiteContext:
    """The one object ``index.html`` renders from."""

    lang: str
    dir: str
    title: str
    description: str
    stylesheets: tuple[str, ...]
    """Linked in this order: player.css, the theme folder's stylesheets, the branding's."""
    branding: BrandingView
    nav: tuple[NavModule, ...]
    screens: Sequence[AnyScreenView]
    """In course order; made one by one as the template goes through them (``build_views.ScreenViews``)."""
    data_json: Markup
    """The course data the runtime needs (``cf-data``), already safe inside ``<script>``."""
    new_tab_hint_id: str
    duration_minutes: int
    locale_format: LocaleFormat | None
    """CLDR data of the locale; None when Babel does not know it (the runtime then uses ``Intl``)."""
    scripts: tuple[str, ...]
    """The scripts ``index.html`` loads: the runtime bundle (the neutral runtime with the package format's
    own adapter, ``runtime_scripts``), the same for every format."""

    def number(self, value: int) -> str:
        return self.locale_format.number(value) if self.locale_format else str(value)

    @property
    def duration(self) -> str | None:
        """The estimated duration in words of the locale, e.g. ``45 Minuten``."""
        return self.locale_format.duration(self.duration_minutes) if self.locale_format else None

    @property
    def number_symbols(self) -> NumberSymbols | None:
        return self.locale_format.numbers if self.locale_format else None
