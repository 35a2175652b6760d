"""Course-wide checks: ids across the course, rule references, SCORM limits computed from the structure."""

from __future__ import annotations

from collections.abc import Sequence

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.course import Checklist, Course, CourseManifest, Quiz, Screen, Survey
from courseforge.stages.validate.ids import check_unique
from courseforge.stages.validate.quiz_rules import check_percent

MAX_DESCRIPTION = 1000
"""SCORM 1.2 LOM description limit (characters)."""


def check_manifest(manifest: CourseManifest, folder_name: str, sink: DiagnosticSink) -> None:
    if manifest.id != folder_name:
        sink.error("course.id-mismatch", f"course id '{manifest.id}' differs from its folder '{folder_name}'",
                   manifest.origin_of("id"), hint=f"rename the folder or set 'id: {folder_name}'")
    if manifest.mastery is not None:
        check_percent(manifest.mastery.score, "mastery score", "course.mastery-range",
                      manifest.mastery.origin_of("score"), sink)
    if len(manifest.description) > MAX_DESCRIPTION:
        sink.warning("course.description-length", f"description has {len(manifest.description)} characters; "
                     f"SCORM 1.2 metadata allows {MAX_DESCRIPTION}", manifest.origin_of("description"),
                     hint="shorten it")
    check_unique(manifest.modules, "module", sink)
    check_unique([lesson for module in manifest.modules for lesson in module.lessons], "lesson", sink)
    check_unique(manifest.objectives, "objective", sink)
    check_translations(manifest, sink)
    check_repeated_items(manifest, sink)


def check_translations(manifest: CourseManifest, sink: DiagnosticSink) -> None:
    seen: set[str] = set()
    for target in manifest.translations:
        check_percent(target.required, f"required coverage for '{target.language}'", "course.coverage-range",
                      target.origin_of("required"), sink)
        if target.language == manifest.language:
            sink.error("course.translation-source", f"'{target.language}' is the source language, not a "
                       "translation", target.origin, hint="list only the languages the course is translated into")
        if target.language in seen:
            sink.error("ids.duplicate", f"translation '{target.language}' is listed twice", target.origin)
        seen.add(target.language)


def check_repeated_items(manifest: CourseManifest, sink: DiagnosticSink) -> None:
    seen: set[str] = set()
    for module in manifest.modules:
        for lesson in module.lessons:
            for item in lesson.items:
                if item in seen:
                    sink.error("structure.duplicate-item", f"'{item}' appears twice in the course order",
                               lesson.origin, hint="each page or activity is listed once")
                seen.add(item)


def check_references(ids: Sequence[str], screens: Sequence[Screen], kind: str, code: str,
                     origin: Location, sink: DiagnosticSink, unverifiable: frozenset[str]) -> None:
    known = {s.id for s in screens}
    for ref in ids:
        if ref not in known and ref not in unverifiable:
            available = ", ".join(sorted(known)) or "none in the course order"
            sink.error(code, f"{kind} '{ref}' is not in the course", origin, hint=f"known: {available}")


def check_rule_references(course: Course, unverifiable: frozenset[str], sink: DiagnosticSink) -> None:
    manifest = course.manifest
    if manifest.mastery is not None:
        check_references(manifest.mastery.quizzes, course.screens_of(Quiz), "quiz", "course.unknown-quiz",
                         manifest.mastery.origin_of("quizzes"), sink, unverifiable)
    completion = manifest.completion
    check_references(completion.checklists, course.screens_of(Checklist), "checklist",
                     "course.unknown-checklist", completion.origin_of("checklists"), sink, unverifiable)
    check_references(completion.surveys, course.screens_of(Survey), "survey", "course.unknown-survey",
                     completion.origin_of("surveys"), sink, unverifiable)


def check_items_unique(course: Course, sink: DiagnosticSink) -> None:
    for checklist in course.checklists:
        check_unique(checklist.items, "checklist item", sink)
    for survey in course.surveys:
        check_unique(survey.questions, "survey item", sink)


def check_course(course: Course, unverifiable: frozenset[str], sink: DiagnosticSink) -> None:
    """``unverifiable``: ids of screens whose files failed validation (already reported)."""
    check_unique(course.screens, "screen", sink)
    check_items_unique(course, sink)
    check_rule_references(course, unverifiable, sink)
