"""Write small whole-course fixtures from Python data, for tests that need a shape no fixture has."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.course import Course
from courseforge.model.theme import BASE_THEME, Theme
from courseforge.pipeline import validate_course
from courseforge.stages.load_theme import load_theme


def base_manifest(course_id: str, items: list[str], **overrides: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "id": course_id,
        "title": f"Course {course_id}",
        "description": "A course written by the test factory.",
        "version": "1.0.0",
        "language": "en",
        "authors": [{"name": "Test Author"}],
        "duration_minutes": 10,
        "modules": [{"id": "m1", "title": "Module", "lessons": [{"id": "l1", "title": "Lesson", "items": items}]}],
    }
    manifest.update(overrides)
    return manifest


def write_course(root: Path, manifest: dict[str, Any], files: dict[str, Any]) -> Path:
    """``files`` maps relative paths to text (written as is) or data (written as YAML)."""
    course = root / str(manifest["id"])
    course.mkdir(parents=True)
    (course / "course.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    for relpath, content in files.items():
        target = course / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.dump(content, Dumper=yaml.CSafeDumper, sort_keys=False)
        target.write_text(text, encoding="utf-8")
    return course


def page(page_id: str, title: str, body: str = "Some text.\n") -> str:
    return f"---\nid: {page_id}\ntitle: {title}\n---\n{body}"


def default_theme() -> Theme:
    """courseforge's built-in theme, read from package data as a build reads it."""
    sink = DiagnosticSink()
    theme = load_theme(BASE_THEME, None, "themes", Location("course.yaml"), sink)
    assert theme is not None, [d.format() for d in sink]
    return theme


@functools.cache
def minimal_course() -> Course:
    """tests/roots/minimal, validated: a real course for stages that need one beside their own input."""
    sink = DiagnosticSink()
    root = Path(__file__).resolve().parent / "roots" / "minimal"
    course = validate_course(root, "tests/roots/minimal", sink)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    return course
