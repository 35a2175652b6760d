"""Links and images in course text: targets must exist inside the course, images need alt text.

Pages are checked line by line; Markdown in quizzes, surveys and checklists (prompts, choices, feedback,
intros) is checked too, located at its YAML node. Links to another screen's source file (``.md`` or
``.yaml``) are in-course navigation, never packaged: a quiz file holds answer keys. Also collects the
asset files the rendered site needs, so only referenced files are packaged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.markdown import Reference, RefKind, is_external, resolve_local
from courseforge.markdown_blocks import text_references
from courseforge.model.course import Node, Page, Screen
from courseforge.model.source import CourseSource

SOURCE_SUFFIXES = (".md", ".yaml", ".yml")
MARKDOWN_FIELDS = frozenset({"prompt", "text", "intro", "feedback", "correct", "incorrect", "statement"})


@dataclass(frozen=True)
class MarkdownText:
    text: str
    base: str
    """File the text was written in, relative to the course folder (targets resolve from it)."""
    origin: Location
    line_offset: int | None = None
    """For page bodies: the file line of the text's first line (references are then placed exactly)."""

    def locate(self, reference: Reference) -> Location:
        if self.line_offset is None:
            return self.origin
        return Location(self.origin.path, self.line_offset + reference.line, 1)


@dataclass
class ReferenceCheck:
    """The course-wide facts every reference is checked against, and the assets found so far."""

    screen_paths: Mapping[str, str]
    """Relative source path -> screen id, for screens in the course order."""
    files: Mapping[str, bytes]
    sink: DiagnosticSink
    refused: frozenset[str] = frozenset()
    """Files an input rule refused (already reported at their path): not reported as missing."""
    assets: dict[str, bytes] = field(default_factory=dict)

    def check(self, source: MarkdownText) -> None:
        for reference in text_references(source.text):
            if is_external(reference.target) or not reference.target:
                continue
            target, _fragment = resolve_local(source.base, reference.target)
            if not target:
                continue
            location = source.locate(reference)
            if target == ".." or target.startswith("../"):
                self.sink.error("page.outside-course", f"'{reference.target}' points outside the course folder",
                                location, hint="copy the file into the course (e.g. assets/)")
            elif reference.kind is RefKind.IMAGE:
                self.check_image(reference, target, location)
            else:
                self.check_link(reference, target, location)

    def check_image(self, reference: Reference, target: str, location: Location) -> None:
        if not reference.alt:
            self.sink.error("page.image-alt", f"image '{reference.target}' has no alt text", location,
                            hint="describe what it shows, e.g. ![Fire exit sign above a door](…); screen "
                                 "readers read this text")
        if target.endswith(SOURCE_SUFFIXES):
            self.sink.error("page.bad-image", f"image '{reference.target}' is a course source file", location,
                            hint="point at an image file (.png, .jpg, .svg, ...)")
        elif target in self.files:
            self.assets[target] = self.files[target]
        elif target not in self.refused:
            self.sink.error("page.missing-asset", f"image '{reference.target}' not found (looked for {target})",
                            location, hint="check the path; it is relative to the file it is written in")

    def check_link(self, reference: Reference, target: str, location: Location) -> None:
        if target.endswith(SOURCE_SUFFIXES):
            if target in self.refused:
                return
            if target not in self.files:
                self.sink.error("page.broken-link", f"link to '{reference.target}': no such page", location,
                                hint="check the file name; links are relative to the file they are written in")
            elif target not in self.screen_paths:
                self.sink.error("page.broken-link", f"link to '{reference.target}': that screen is not in the "
                                "course order", location, hint="add it to a lesson in course.yaml, or remove the link")
        elif target in self.files:
            self.assets[target] = self.files[target]
        elif target not in self.refused:
            self.sink.error("page.broken-link", f"link to '{reference.target}': file not found", location,
                            hint="check the path; it is relative to the file it is written in")


def node_texts(node: BaseModel, base: str) -> Iterator[MarkdownText]:
    """Every Markdown-bearing string field of a quiz/survey/checklist node, depth first."""
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, str) and name in MARKDOWN_FIELDS and isinstance(node, Node):
            yield MarkdownText(value, base, node.origin)
        elif isinstance(value, BaseModel):
            yield from node_texts(value, base)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    yield from node_texts(item, base)


def screen_texts(screen: Screen, relpath: str) -> Iterator[MarkdownText]:
    if isinstance(screen, Page):
        yield MarkdownText(screen.body, relpath, screen.origin, line_offset=screen.body_line)
    else:
        yield from node_texts(screen, relpath)


def collect_assets(screens: Mapping[str, Screen], screen_paths: Mapping[str, str], source: CourseSource,
                   sink: DiagnosticSink) -> dict[str, bytes]:
    """Check every reference of every screen; return the referenced asset files, sorted by path."""
    checker = ReferenceCheck(screen_paths, source.files, sink, source.refused)
    for relpath, screen in screens.items():
        for text in screen_texts(screen, relpath):
            checker.check(text)
    return dict(sorted(checker.assets.items()))
