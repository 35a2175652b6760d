"""What the catalog commands share: the project's valid courses, its player theme, catalog paths.

The catalog command modules import this one, so the pipeline is imported where courses are loaded, not
here (``courseforge i18n --help`` loads none of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.common import (
    current_project,
    project_courses,
    project_options,
    source_date_epoch,
    write_atomically,
)
from courseforge.commands.output import Reporter
from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.project import Project

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from courseforge.model.course import Course
    from courseforge.model.theme import Theme


@dataclass(frozen=True)
class CatalogWork:
    """What a catalog command works on: the project, its valid courses and the theme their player uses."""

    project: Project
    courses: list[Course]
    theme: Theme

    @property
    def locales(self) -> Path:
        return self.project.locales_dir

    def shown(self, path: Path) -> str:
        return self.project.display(path)


def load_courses(project: Project, arguments: tuple[str, ...], reporter: Reporter) -> list[Course]:
    """Valid courses or a stop: extracting from a broken course would publish its mistakes to translators."""
    from courseforge.pipeline import lint_course

    sink = DiagnosticSink()
    options = project_options(project)
    courses = [c for folder in project_courses(project, arguments)
               if (c := lint_course(folder, project.display(folder), sink, options))]
    if sink.failed():
        reporter.diagnostics(sink)
        raise click.ClickException("fix the course errors above first (courseforge lint)")
    return courses


def player_theme(project: Project, courses: list[Course], reporter: Reporter) -> Theme:
    """The theme whose player strings the project's ui catalogs translate: the one the courses use
    (the built-in default theme with the project's override folder on top)."""
    from courseforge.model.theme import BASE_THEME
    from courseforge.stages.load_theme import load_theme

    names = sorted({course.manifest.theme for course in courses}) or [BASE_THEME]
    sink = DiagnosticSink()
    shown = project.display(project.themes_dir)
    theme = load_theme(names[0], project.themes_dir, shown, Location(shown), sink)
    if theme is None:
        reporter.diagnostics(sink)
        raise click.ClickException("fix the theme first (courseforge lint)")
    return theme


def catalog_work(reporter: Reporter, arguments: tuple[str, ...]) -> CatalogWork:
    project = current_project(reporter)
    courses = load_courses(project, arguments, reporter)
    return CatalogWork(project, courses, player_theme(project, courses, reporter))


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomically(path, data)
    return True


def read_or_stop(project: Project, path: Path, reporter: Reporter) -> Catalog:
    """The catalog or template at ``path`` read under the input rules (stages/inputs.py); one they refuse, a
    broken one too, stops the command with its diagnostics (exit 1) before anything is written."""
    from courseforge.i18n.catalog import is_format_domain
    from courseforge.stages.load import read_catalog

    sink = DiagnosticSink()
    catalog = read_catalog(path, project.display(path), sink, keep_format_flags=is_format_domain(path.stem),
                           root=project.locales_dir, limits=project.config.limits)
    if catalog is None or sink.failed():
        reporter.diagnostics(sink)
        raise click.ClickException(f"fix {project.display(path)} first (courseforge i18n check)")
    return catalog


def sources_date(folder: Path | None) -> datetime:
    """The date the catalog headers of sources in ``folder`` carry (``POT-Creation-Date``, and the
    ``PO-Revision-Date`` of a new catalog): ``SOURCE_DATE_EPOCH`` when set, else the time of the last git commit
    that touched the folder, else 1980-01-01 (``i18n.extract.UNDATED``). Never the time of the run: the same
    sources write the same files."""
    from courseforge.i18n.extract import UNDATED

    seconds = source_date_epoch()
    if seconds is None and folder is not None and folder.is_dir():
        seconds = last_commit_time(folder)
    return UNDATED if seconds is None else datetime.fromtimestamp(seconds, UTC)


def last_commit_time(folder: Path) -> int | None:
    """The commit time of the last commit touching ``folder``, or None (not in git, no commit, no git)."""
    from courseforge.commands.changes import git

    try:
        found = git(folder, "log", "-1", "--format=%ct", "--", ".")
    except click.UsageError:  # git is not installed
        return None
    value = found.stdout.strip()
    return int(value) if found.returncode == 0 and value.isdigit() else None
