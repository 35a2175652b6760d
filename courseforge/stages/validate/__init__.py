"""The validate stage: CourseSource -> Course, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location
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
from courseforge.object_memo import Same, kept
from courseforge.stages.validate.branding import course_branding_assets
from courseforge.stages.validate.course_rules import check_course, check_manifest
from courseforge.stages.validate.package_limits import check_package_limits
from courseforge.stages.validate.quiz_rules import check_percent, check_question, check_quizzes
from courseforge.stages.validate.references import collect_assets
from courseforge.stages.validate.scenario_rules import check_scenarios
from courseforge.stages.validate.schema import validate_document

T = TypeVar("T")

MANIFEST_ADAPTER = TypeAdapter(CourseManifest)
ACTIVITY_ADAPTER: TypeAdapter[Activity] = TypeAdapter(Activity)
FRONT_MATTER_ADAPTER = TypeAdapter(PageFrontMatter)
QUESTION_ADAPTER: TypeAdapter[Question] = TypeAdapter(Question)
MASTERY_ADAPTER = TypeAdapter(MasteryRules)
QUIZ_ADAPTER = TypeAdapter(Quiz)
SCREEN_FILE = "validate-screen"
SCREEN_FILE_VERSION = 1
"""Bump when the same parsed file would validate otherwise (kept validations)."""
SCREEN_FILE_WEIGHT = 4096
"""About what a kept validation holds besides a page's body (its key holds the parsed file it was made from:
after an edit, the earlier one too, until it is the least recently used)."""


def salvage(adapter: TypeAdapter[T], data: object) -> T | None:
    """Validate a fragment of a file that failed as a whole, so its own rules still get checked.

    Its schema errors were already reported with the whole file; they are not reported twice.
    """
    try:
        return adapter.validate_python(data)
    except ValidationError:
        return None


def salvage_quiz(document: ParsedDocument, sink: DiagnosticSink) -> Quiz | None:
    """A quiz with schema errors still gets its answer-key, quiz-level and reference checks on what is
    well formed. Returns the quiz made of its well-formed questions, when that much is valid."""
    data = document.data
    if not (isinstance(data, dict) and data.get("kind") == "quiz" and isinstance(data.get("questions"), list)):
        return None
    questions = [q for item in data["questions"] if (q := salvage(QUESTION_ADAPTER, item)) is not None]
    quiz = salvage(QUIZ_ADAPTER, {**data, "questions": questions}) if questions else None
    if quiz is None:
        for question in questions:
            check_question(question, sink)
    return quiz


def failed_ids(source: CourseSource, screens: Mapping[str, Screen]) -> frozenset[str]:
    """Ids declared by files that failed validation: rules naming them are not reported as unknown too."""
    ids = set()
    for relpath, document in source.documents.items():
        if relpath not in screens and isinstance(document.data, dict) and isinstance(document.data.get("id"), str):
            ids.add(document.data["id"])
    return frozenset(ids)


def check_salvaged_manifest(document: ParsedDocument, sink: DiagnosticSink) -> None:
    data = document.data
    mastery = salvage(MASTERY_ADAPTER, data.get("mastery")) if isinstance(data, dict) else None
    if mastery is not None:
        check_percent(mastery.score, "mastery score", "course.mastery-range", mastery.origin_of("score"), sink)


def build_page(relpath: str, source: PageSource, sink: DiagnosticSink) -> Page | None:
    front = validate_document(FRONT_MATTER_ADAPTER, source.front_matter, sink)
    if front is None:
        return None
    return Page(id=front.id, title=front.title, body=source.body, body_line=source.body_line, path=relpath,
                origin=front.origin, field_origins=front.field_origins)


@dataclass(frozen=True)
class ScreenFile:
    """One page or activity file validated on its own: its screen (or the quiz salvaged from it) and problems."""

    screen: Screen | None
    salvaged: Quiz | None
    diagnostics: tuple[Diagnostic, ...]


def page_file(relpath: str, page_source: PageSource) -> ScreenFile:
    sink = DiagnosticSink()
    return ScreenFile(build_page(relpath, page_source, sink), None, tuple(sink.items))


def activity_file(document: ParsedDocument) -> ScreenFile:
    sink = DiagnosticSink()
    activity = validate_document(ACTIVITY_ADAPTER, document, sink)
    salvaged = salvage_quiz(document, sink) if activity is None else None
    return ScreenFile(activity, salvaged, tuple(sink.items))


def screen_file(relpath: str, parsed: PageSource | ParsedDocument) -> ScreenFile:
    """A file's validation, kept for the very parsed file it was made from (``object_memo.Same``): the load
    stage hands back the same object for unchanged bytes, so a rebuild validates only the files that changed."""
    validated = (lambda: page_file(relpath, parsed)) if isinstance(parsed, PageSource) else (
        lambda: activity_file(parsed))
    weight = SCREEN_FILE_WEIGHT + (2 * len(parsed.body) if isinstance(parsed, PageSource) else SCREEN_FILE_WEIGHT)
    return kept(SCREEN_FILE, (SCREEN_FILE_VERSION, relpath, Same(parsed)), validated, lambda _: weight)


def validate_screens(source: CourseSource, sink: DiagnosticSink) -> tuple[dict[str, Screen], dict[str, Quiz]]:
    """Every page and activity file, validated on its own, by relative path; plus the quizzes salvaged
    from files that failed (checked, never built)."""
    screens: dict[str, Screen] = {}
    salvaged: dict[str, Quiz] = {}
    files: list[tuple[str, PageSource | ParsedDocument]] = [*source.pages.items(), *source.documents.items()]
    for relpath, parsed in files:
        found = screen_file(relpath, parsed)
        sink.extend(found.diagnostics)
        if found.screen is not None:
            screens[relpath] = found.screen
        elif found.salvaged is not None:
            salvaged[relpath] = found.salvaged
    check_quizzes([s for s in (*screens.values(), *salvaged.values()) if isinstance(s, Quiz)], sink)
    return screens, salvaged


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
        elif item not in source.files and item not in source.refused:
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


def validate(source: CourseSource, folder_name: str, sink: DiagnosticSink) -> Course | None:
    """Build the Course; every problem goes to ``sink``. Returns None when the course can't be assembled."""
    screens, salvaged = validate_screens(source, sink)
    manifest = validate_document(MANIFEST_ADAPTER, source.manifest, sink) if source.manifest else None
    if manifest is None:
        if source.manifest is not None:
            check_salvaged_manifest(source.manifest, sink)
        everything = {**screens, **salvaged}
        collect_assets(everything, {path: s.id for path, s in everything.items()}, source, sink)
        return None
    check_manifest(manifest, folder_name, sink)
    report_unreachable(manifest, screens, sink)
    modules = resolve_order(manifest, screens, source, sink)
    screen_paths = {item: screens[item].id for module in manifest.modules for lesson in module.lessons
                    for item in lesson.items if item in screens}
    collect_assets(salvaged, screen_paths, source, sink)
    used = collect_assets(screens, screen_paths, source, sink)
    assets = {**used.files, **course_branding_assets(manifest, source, sink)}
    check_package_limits(assets, used.first_use, manifest.origin_of("branding"), sink)
    course = Course(manifest=manifest, modules=modules, assets=assets, screen_paths=screen_paths,
                    course_dir=source.course_dir)
    check_course(course, failed_ids(source, screens), sink)
    check_scenarios(course, sink)
    return course
