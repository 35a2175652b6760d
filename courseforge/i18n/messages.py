"""Every translatable text of a course, with its stable context id, translator note and source line.

``map_course_text`` is the one walk over a course's text. Extraction runs it with a function that
records each text and returns it unchanged; localization runs it with a catalog lookup. So the
catalog's msgctxt ids and the build's lookups can never drift apart.

Context ids (msgctxt) are id paths, never text: ``<course>/<page>/title``, ``<course>/<page>/b3``,
``<course>/<quiz>/<question>/prompt``, ``<course>/<quiz>/<question>/<choice>``, ...
Course-level entries use ``@``-segments (``<course>/@course/title``, ``<course>/@module/<id>``), which
no id can collide with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from courseforge.diagnostics import Location
from courseforge.markdown_blocks import BlockKind, replace_blocks, text_blocks
from courseforge.model.course import (
    Checklist,
    ChecklistItem,
    Choice,
    Course,
    CourseManifest,
    FillIn,
    FreeTextItem,
    LessonScreens,
    LikertItem,
    Matching,
    ModuleScreens,
    MultipleResponse,
    Page,
    Pairable,
    Question,
    Quiz,
    Screen,
    Sequencing,
    SingleChoice,
    Survey,
)

ACCEPTED_SEPARATOR = " | "
TYPED_ANSWERS_SUFFIX = "/accepted"
"""Context suffix of a fill-in question's accepted answers: what learners type, never pseudo-localized."""
FILL_IN_LIMIT = 255
"""SCORM 1.2 fill-in responses (CMIFeedback) hold 255 characters."""


@dataclass(frozen=True)
class SourceText:
    context: str
    text: str
    note: str
    """What the text is, for the translator."""
    location: Location
    max_length: int | None = None


TextFunction = Callable[[SourceText], str]


@cache
def block_note(kind: BlockKind, cell: int) -> str:
    """What a block of a page is, for the translator (one string per kind and table column: every locale's walk
    asks for each block)."""
    if kind is BlockKind.IMAGE_ALT:
        return "image alt text: what the image shows, read by screen readers"
    if kind is BlockKind.TABLE_CELL:
        return f"page {kind.value} (column {cell + 1})"
    return f"page {kind.value}"


@dataclass(frozen=True)
class Walker:
    """Applies ``function`` to each text of one course, building translated copies of its nodes."""

    course_id: str
    function: TextFunction

    def text(self, context: str, text: str, note: str, location: Location, max_length: int | None = None) -> str:
        return self.function(SourceText(f"{self.course_id}/{context}", text, note, location, max_length))

    def optional(self, context: str, text: str | None, note: str, location: Location) -> str | None:
        return None if text is None else self.text(context, text, note, location)

    # ------------------------------------------------------------------------------ course level
    def manifest(self, manifest: CourseManifest) -> CourseManifest:
        title = self.text("@course/title", manifest.title, "course title", manifest.origin_of("title"))
        description = self.text("@course/description", manifest.description,
                                "course description (LMS catalogue)", manifest.origin_of("description"),
                                max_length=1000)
        objectives = tuple(
            o.model_copy(update={"text": self.text(f"@objective/{o.id}", o.text, "learning objective",
                                                   o.origin_of("text"))})
            for o in manifest.objectives
        )
        return manifest.model_copy(update={"title": title, "description": description, "objectives": objectives})

    def module(self, module: ModuleScreens, origins: dict[str, Location]) -> ModuleScreens:
        title = self.text(f"@module/{module.id}", module.title, "module title (course contents)",
                          origins[module.id])
        return module.model_copy(update={
            "title": title, "lessons": tuple(self.lesson(lesson, origins) for lesson in module.lessons),
        })

    def lesson(self, lesson: LessonScreens, origins: dict[str, Location]) -> LessonScreens:
        title = self.text(f"@lesson/{lesson.id}", lesson.title, "lesson title (course contents)",
                          origins[lesson.id])
        return lesson.model_copy(update={
            "title": title, "screens": tuple(self.screen(screen) for screen in lesson.screens),
        })

    # ------------------------------------------------------------------------------ screens
    def screen(self, screen: Screen) -> Screen:
        if isinstance(screen, Page):
            return self.page(screen)
        if isinstance(screen, Quiz):
            return self.quiz(screen)
        if isinstance(screen, Survey):
            return self.survey(screen)
        return self.checklist(screen)

    def titled(self, screen: Quiz | Survey | Checklist) -> dict[str, Any]:
        """Title and introduction, translated before the screen's other texts (catalogue order)."""
        return {
            "title": self.text(f"{screen.id}/title", screen.title, f"{screen.kind} title", screen.origin_of("title")),
            "intro": self.optional(f"{screen.id}/intro", screen.intro, f"{screen.kind} introduction",
                                   screen.origin_of("intro")),
        }

    def page(self, page: Page) -> Page:
        title = self.text(f"{page.id}/title", page.title, "page title", page.origin_of("title"))
        replacements = {}
        blocks = text_blocks(page.body)
        path, first_line = page.origin.path, page.body_line
        for block in blocks:
            replacements[block.id] = self.text(f"{page.id}/{block.id}", block.text, block_note(block.kind, block.cell),
                                               Location(path, first_line + block.line, 1))
        return page.model_copy(update={"title": title, "body": replace_blocks(page.body, replacements, blocks)})

    def quiz(self, quiz: Quiz) -> Quiz:
        titled = self.titled(quiz)
        return quiz.model_copy(update={**titled, "questions": tuple(self.question(quiz.id, q) for q in quiz.questions)})

    def survey(self, survey: Survey) -> Survey:
        titled = self.titled(survey)
        items = tuple(self.survey_item(survey.id, item) for item in survey.questions)
        return survey.model_copy(update={**titled, "questions": items})

    def checklist(self, checklist: Checklist) -> Checklist:
        titled = self.titled(checklist)
        items = tuple(self.checklist_item(checklist.id, item) for item in checklist.items)
        return checklist.model_copy(update={**titled, "items": items})

    def checklist_item(self, checklist_id: str, item: ChecklistItem) -> ChecklistItem:
        note = f"checklist item the learner attests; tracking uses id {item.id}"
        return item.model_copy(update={"text": self.text(f"{checklist_id}/{item.id}", item.text, note,
                                                         item.origin_of("text"))})

    def survey_item(self, survey_id: str, item: LikertItem | FreeTextItem) -> LikertItem | FreeTextItem:
        base = f"{survey_id}/{item.id}"
        prompt = self.text(f"{base}/prompt", item.prompt, "survey question", item.origin_of("prompt"))
        if isinstance(item, FreeTextItem):
            return item.model_copy(update={"prompt": prompt})
        scale = tuple(self.text(f"{base}/scale/{n + 1}", label, f"rating scale label {n + 1} of {len(item.scale)}",
                                item.origin_of("scale")) for n, label in enumerate(item.scale))
        return item.model_copy(update={"prompt": prompt, "scale": scale})

    # ------------------------------------------------------------------------------ questions
    def question(self, quiz_id: str, question: Question) -> Question:
        base = f"{quiz_id}/{question.id}"
        given = question.feedback
        feedback = given.model_copy(update={
            "correct": self.optional(f"{base}/feedback/correct", given.correct,
                                     "feedback shown when the answer is correct", given.origin_of("correct")),
            "incorrect": self.optional(f"{base}/feedback/incorrect", given.incorrect,
                                       "feedback shown when the answer is wrong", given.origin_of("incorrect")),
        })
        update: dict[str, Any] = {
            "prompt": self.text(f"{base}/prompt", question.prompt, "question", question.origin_of("prompt")),
            "feedback": feedback,
        }
        update.update(self.answer_texts(base, question))
        return question.model_copy(update=update)

    def answer_texts(self, base: str, question: Question) -> dict[str, Any]:
        if isinstance(question, SingleChoice | MultipleResponse):
            return {"choices": tuple(self.choice(base, c) for c in question.choices)}
        if isinstance(question, Matching):
            return {"sources": self.pairables(f"{base}/source", question.sources, "matching item (left)"),
                    "targets": self.pairables(f"{base}/target", question.targets, "matching answer (right)")}
        if isinstance(question, Sequencing):
            return {"items": self.pairables(base, question.items, "item to put in order")}
        if isinstance(question, FillIn):
            return {"accepted": self.accepted(base, question)}
        return {}

    def choice(self, base: str, choice: Choice) -> Choice:
        context = f"{base}/{choice.id}"
        note = f"answer choice; scoring uses id {choice.id}"
        return choice.model_copy(update={
            "text": self.text(context, choice.text, note, choice.origin_of("text")),
            "feedback": self.optional(f"{context}/feedback", choice.feedback,
                                      f"feedback shown for choice {choice.id}", choice.origin_of("feedback")),
        })

    def pairables(self, base: str, items: tuple[Pairable, ...], what: str) -> tuple[Pairable, ...]:
        return tuple(i.model_copy(update={"text": self.text(f"{base}/{i.id}", i.text,
                                                            f"{what}; scoring uses id {i.id}",
                                                            i.origin_of("text"))})
                     for i in items)

    def accepted(self, base: str, question: FillIn) -> tuple[str, ...]:
        note = (f"accepted answers, separated by '{ACCEPTED_SEPARATOR.strip()}': give every spelling a learner "
                f"of your language may type ({'case matters' if question.case_sensitive else 'case is ignored'})")
        joined = ACCEPTED_SEPARATOR.join(question.accepted)
        text = self.text(f"{base}{TYPED_ANSWERS_SUFFIX}", joined, note, question.origin_of("accepted"))
        answers = tuple(a.strip() for a in text.split(ACCEPTED_SEPARATOR.strip()) if a.strip())
        return answers or question.accepted


def map_course_text(course: Course, function: TextFunction) -> Course:
    """The course with every translatable text replaced by ``function(text)``; ids, answer keys and
    structure untouched. Called in course order, so extraction lists messages as learners meet them."""
    walker = Walker(course.id, function)
    manifest = walker.manifest(course.manifest)
    origins = {m.id: m.origin_of("title") for m in course.manifest.modules}
    origins.update({lesson.id: lesson.origin_of("title") for m in course.manifest.modules for lesson in m.lessons})
    modules = tuple(walker.module(module, origins) for module in course.modules)
    return course.model_copy(update={"manifest": manifest, "modules": modules})


def course_messages(course: Course) -> tuple[SourceText, ...]:
    """Every translatable text, in course order."""
    found: list[SourceText] = []

    def record(source: SourceText) -> str:
        found.append(source)
        return source.text

    map_course_text(course, record)
    return tuple(found)
