"""What the catalog commands share: where catalogs live, loading valid courses, quiet rewrites."""

from __future__ import annotations

from pathlib import Path

import click

from courseforge.commands.common import current_project, project_courses, project_options, write_atomically
from courseforge.commands.output import Reporter
from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.course import Course
from courseforge.model.theme import BASE_THEME, Theme
from courseforge.pipeline import lint_course
from courseforge.stages.load_theme import load_theme

LOCALES = Path("locales")
THEMES = Path("themes")


def load_courses(arguments: tuple[str, ...]) -> list[Course]:
    """Valid courses or a stop: extracting from a broken course would publish its mistakes to translators."""
    reporter = Reporter()
    project = current_project(reporter)
    sink = DiagnosticSink()
    options = project_options(project)
    courses = [c for folder in project_courses(project, arguments)
               if (c := lint_course(folder, project.display(folder), sink, options))]
    if sink.failed():
        reporter.diagnostics(sink)
        raise click.ClickException("fix the course errors above first (courseforge lint)")
    return courses


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomically(path, data)
    return True


def player_theme(courses: list[Course]) -> Theme:
    """The theme whose player strings the project's ui catalogs translate: the one the courses use
    (the built-in default theme with the project's override folder on top)."""
    names = sorted({course.manifest.theme for course in courses}) or [BASE_THEME]
    sink = DiagnosticSink()
    theme = load_theme(names[0], THEMES, THEMES.as_posix(), Location(THEMES.as_posix()), sink)
    if theme is None:
        Reporter().diagnostics(sink)
        raise click.ClickException("fix the theme first (courseforge lint)")
    return theme
