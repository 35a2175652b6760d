"""What the load stage hands on: raw files of one course, with YAML already parsed and line marks kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from courseforge.diagnostics import Location

ORIGIN_KEY = "__origin__"
"""Key the loader adds to every parsed YAML mapping so models know their file:line."""
FIELDS_KEY = "__fields__"
"""Key the loader adds to every parsed YAML mapping: each key's own file:line (for exact locations)."""
MARK_KEYS = frozenset({ORIGIN_KEY, FIELDS_KEY})


@dataclass(frozen=True)
class ParsedDocument:
    """A YAML document (course.yaml, a quiz, a page's front matter) parsed to plain data.

    ``data`` holds dicts/lists/scalars; every dict carries ``ORIGIN_KEY`` -> Location. ``marks`` maps a
    key path (as pydantic reports it) to the Location of that key or item, so validation errors can be
    placed exactly.
    """

    path: str
    data: Any
    marks: Mapping[tuple[str | int, ...], Location]

    def locate(self, key_path: tuple[str | int, ...]) -> Location:
        """The most precise known location for a key path (falls back to its nearest parent)."""
        probe = tuple(key_path)
        while probe:
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), Location(self.path, 1, 1))


@dataclass(frozen=True)
class PageSource:
    """A Markdown page: its front matter (parsed) and body text, with the line the body starts on."""

    path: str
    front_matter: ParsedDocument
    body: str
    body_line: int


@dataclass(frozen=True)
class CourseSource:
    """Everything read from ``courses/<id>/``; paths are posix and relative to the course folder."""

    course_dir: str
    """Display path of the course folder (e.g. ``courses/safety``), used in diagnostics."""
    manifest: ParsedDocument | None
    documents: Mapping[str, ParsedDocument] = field(default_factory=lambda: MappingProxyType({}))
    """Quizzes, surveys and checklists (``*.yaml`` other than course.yaml), by relative path."""
    pages: Mapping[str, PageSource] = field(default_factory=lambda: MappingProxyType({}))
    files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    """Every file of the course folder (assets included), by relative path."""
    refused: frozenset[str] = frozenset()
    """Files that exist but an input rule refused (already reported): not reported again as missing."""

    def display(self, relpath: str) -> str:
        return f"{self.course_dir}/{relpath}" if relpath else self.course_dir
