"""What the catalog commands share: where catalogs live, loading valid courses, quiet rewrites."""

from __future__ import annotations

from pathlib import Path

import click

from courseforge.commands.common import discover_courses, display_path, emit_diagnostics, write_atomically
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.pipeline import lint_course

LOCALES = Path("locales")


def load_courses(arguments: tuple[str, ...]) -> list[Course]:
    """Valid courses or a stop: extracting from a broken course would publish its mistakes to translators."""
    sink = DiagnosticSink()
    courses = [c for folder in discover_courses(arguments) if (c := lint_course(folder, display_path(folder), sink))]
    if sink.failed():
        emit_diagnostics(sink, "text")
        raise click.ClickException("fix the course errors above first (courseforge lint)")
    return courses


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomically(path, data)
    return True
