"""The validate stage: CourseSource -> Course, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.course import (
    Activity,
    Course,
    CourseManifest,
    Lesson,
    LessonScreens,
    MasteryRules,
    ModuleScreens,
    Page,
    PageFrontMatter,
    Question,
    Quiz,
    Screen,
)
from courseforge.model.source import CourseSource, PageSource, ParsedDocument
from courseforge.stages.validate.course_rules import check_course, check_manifest
from courseforge.stages.validate.quiz_rules import check_percent, check_question, check_quizzes
from courseforge.stages.validate.references import check_page_references
from courseforge.stages.validate.schema import validate_document

T = TypeVar("T")

MANIFEST_ADAPTER = TypeAdapter(CourseManifest)
ACTIVITY_ADAPTER: TypeAdapter[Activity] = TypeAdapter(Activity)
FRONT_MATTER_ADAPTER = TypeAdapter(PageFrontMatter)
QUESTION_ADAPTER: TypeAdapter[Question] = TypeAdapter(Question)
MASTERY_ADAPTER = TypeAdapter(MasteryRules)


def salvage(adapter: TypeAdapter[T], data: object) -> T | None:
    """Validate a fragment of a file that failed as a whole, so its own rules still get checked.

    Its schema errors were already reported with the whole file; they are not reported twice.
    """
    try:
        return adapter.validate_python(data)
    except ValidationError:
        return None


def check_salvaged_quiz(document: ParsedDocument, sink: DiagnosticSink) -> None:
    data = document.data
    if isinstance(data, dict) and data.get("kind") == "quiz" and isinstance(data.get("questions"), list):
        for item in data["questions"]:
            question = salvage(QUESTION_ADAPTER, item)
            if question is not None:
                check_question(question, sink)


def check_salvaged_manifest(document: ParsedDocument, sink: DiagnosticSink) -> None:
    data = document.data
    mastery = salvage(MASTERY_ADAPTER, data.get("mastery")) if isinstance(data, dict) else None
    if mastery is not None:
        check_percent(mastery.score, "mastery score", "course.mastery-range", mastery.origin, sink)


def build_page(relpath: str, source: PageSource, sink: DiagnosticSink) -> Page | None:
    front = validate_document(FRONT_MATTER_ADAPTER, source.front_matter, sink)
    if front is None:
        return None
    return Page(id=front.id, title=front.title, body=source.body, body_line=source.body_line, path=relpath,
                origin=front.origin)


def validate_screens(source: CourseSource, sink: DiagnosticSink) -> dict[str, Screen]:
    """Every page and activity file of the course, validated on its own, by relative path."""
    screens: dict[str, Screen] = {}
    for relpath, page_source in source.pages.items():
        page = build_page(relpath, page_source, sink)
        if page is not None:
            screens[relpath] = page
    for relpath, document in source.documents.items():
        activity = validate_document(ACTIVITY_ADAPTER, document, sink)
        if activity is not None:
            screens[relpath] = activity
        else:
            check_salvaged_quiz(document, sink)
    return screens


def item_location(lesson: Lesson, index: int, source: CourseSource) -> Location:
    manifest = source.manifest
    if manifest is None:
        return lesson.origin
    for path, location in manifest.marks.items():
        if path[-2:] == ("items", index) and location.line >= lesson.origin.line:
            return location
    return lesson.origin


def resolve_lesson(lesson: Lesson, screens: Mapping[str, Screen], source: CourseSource,
                   sink: DiagnosticSink) -> LessonScreens:
    resolved: list[Screen] = []
    for index, item in enumerate(lesson.items):
        screen = screens.get(item)
        if screen is not None:
            resolved.append(screen)
        elif item not in source.files:
            sink.error("structure.missing-item", f"lesson '{lesson.id}' lists '{item}', which does not exist",
                       item_location(lesson, index, source),
                       hint="paths are relative to the course folder, e.g. pages/welcome.md")
        elif not item.endswith((".md", ".yaml", ".yml")):
            sink.error("structure.bad-item", f"'{item}' is not a page (.md) or an activity (.yaml)",
                       item_location(lesson, index, source))
    return LessonScreens(id=lesson.id, title=lesson.title, screens=tuple(resolved))


def resolve_order(manifest: CourseManifest, screens: Mapping[str, Screen], source: CourseSource,
                  sink: DiagnosticSink) -> tuple[ModuleScreens, ...]:
    return tuple(
        ModuleScreens(id=module.id, title=module.title,
                      lessons=tuple(resolve_lesson(lesson, screens, source, sink) for lesson in module.lessons))
        for module in manifest.modules
    )


def report_unreachable(manifest: CourseManifest, screens: Mapping[str, Screen], sink: DiagnosticSink) -> None:
    listed = {item for module in manifest.modules for lesson in module.lessons for item in lesson.items}
    for relpath, screen in screens.items():
        if relpath not in listed:
            sink.warning("structure.unreachable", f"'{relpath}' is not in the course order, so learners never "
                         "see it", screen.origin, hint="add it to a lesson's 'items' in course.yaml, or delete it")


def collect_assets(screens: Mapping[str, Screen], in_order: Mapping[str, str], source: CourseSource,
                   sink: DiagnosticSink) -> dict[str, bytes]:
    assets: dict[str, bytes] = {}
    for screen in screens.values():
        if isinstance(screen, Page):
            assets.update(check_page_references(screen, in_order, source.files, sink))
    return dict(sorted(assets.items()))


def validate(source: CourseSource, folder_name: str, sink: DiagnosticSink) -> Course | None:
    """Build the Course; every problem goes to ``sink``. Returns None when the course can't be assembled."""
    screens = validate_screens(source, sink)
    check_quizzes((s for s in screens.values() if isinstance(s, Quiz)), sink)
    manifest = validate_document(MANIFEST_ADAPTER, source.manifest, sink) if source.manifest else None
    if manifest is None:
        if source.manifest is not None:
            check_salvaged_manifest(source.manifest, sink)
        collect_assets(screens, {}, source, sink)
        return None
    check_manifest(manifest, folder_name, sink)
    report_unreachable(manifest, screens, sink)
    modules = resolve_order(manifest, screens, source, sink)
    in_order = {item: item for module in manifest.modules for lesson in module.lessons for item in lesson.items}
    assets = collect_assets(screens, in_order, source, sink)
    course = Course(manifest=manifest, modules=modules, assets=assets, course_dir=source.course_dir)
    check_course(course, sink)
    return course
