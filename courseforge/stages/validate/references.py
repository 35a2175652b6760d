"""Links and images in course text: targets must exist inside the course, images need alt text.

Pages are checked line by line; Markdown in quizzes, surveys and checklists (prompts, choices, feedback,
intros) is checked too, located at its YAML node. Links to another screen's source file (``.md`` or
``.yaml``) are in-course navigation, never packaged: a quiz file holds answer keys. Also collects the
asset files the rendered site needs, so only referenced files are packaged. A page's verdict is memoized by
its text and the names of the course's files (and kept as an object in a long-lived process), so a rebuild
judges only the pages that changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from courseforge.cache import JSON, Codec, digest
from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location
from courseforge.markdown import DIALECT, MEMOIZED_FROM_CHARS, Reference, RefKind, is_external, resolve_local
from courseforge.markdown_blocks import text_references
from courseforge.model.course import Node, Page, Screen
from courseforge.model.source import CourseSource
from courseforge.object_memo import Same, kept, remembered

SOURCE_SUFFIXES = (".md", ".yaml", ".yml")
MARKDOWN_FIELDS = frozenset({"prompt", "text", "intro", "feedback", "correct", "incorrect", "statement"})
REFERENCES = "md-references"
ACTIVITY_REFERENCES = "activity-references"
NUL = "\0"
"""Joins names in a digest: no file name (the input rules refuse control characters) nor id holds one."""
REFERENCES_VERSION = 1
"""Bump when the same text, base and course files would be judged otherwise (memoized verdicts)."""


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


@dataclass(frozen=True)
class CourseFiles:
    """The course-wide facts every reference is checked against."""

    screen_paths: Mapping[str, str]
    """Relative source path -> screen id, for screens in the course order."""
    files: Mapping[str, bytes]
    refused: frozenset[str] = frozenset()
    """Files an input rule refused (already reported at their path): not reported as missing."""

    @cached_property
    def digest(self) -> str:
        """Stands for these facts in a verdict's key: which files exist, which are refused, which are screens (a
        reference is judged by names alone, never by a file's bytes)."""
        return digest(NUL.join(sorted(self.files)), NUL.join(sorted(self.refused)),
                      NUL.join(f"{path}{NUL}{screen}" for path, screen in sorted(self.screen_paths.items())))


@dataclass(frozen=True)
class TextVerdict:
    """What one text's references come to: their problems, and the course files they use (each with where the
    text first names it, in reference order)."""

    diagnostics: tuple[Diagnostic, ...]
    assets: tuple[tuple[str, Location], ...]


def _encode_verdict(verdict: TextVerdict) -> bytes:
    return JSON.encode({"diagnostics": [d.to_json() for d in verdict.diagnostics],
                        "assets": [[path, location.path, location.line, location.col]
                                   for path, location in verdict.assets]})


def _decode_verdict(data: bytes) -> TextVerdict:
    found: dict[str, Any] = JSON.decode(data)
    assets = tuple((path, Location(file, line, col)) for path, file, line, col in found["assets"])
    if not all(isinstance(path, str) for path, _ in assets):
        raise TypeError("an asset path is not text")
    return TextVerdict(tuple(Diagnostic.from_json(d) for d in found["diagnostics"]), assets)


VERDICT_CODEC: Codec[TextVerdict] = Codec(_encode_verdict, _decode_verdict)
NO_REFERENCES = TextVerdict((), ())


@dataclass
class ReferenceCheck:
    """One text's references judged against the course's files, into a sink of its own."""

    files: CourseFiles
    sink: DiagnosticSink = field(default_factory=DiagnosticSink)
    assets: dict[str, Location] = field(default_factory=dict)

    def check(self, source: MarkdownText) -> TextVerdict:
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
        return TextVerdict(tuple(self.sink.items), tuple(self.assets.items()))

    def use(self, target: str, location: Location) -> None:
        self.assets.setdefault(target, location)

    def check_image(self, reference: Reference, target: str, location: Location) -> None:
        if not reference.alt:
            self.sink.error("page.image-alt", f"image '{reference.target}' has no alt text", location,
                            hint="describe what it shows, e.g. ![Fire exit sign above a door](…); screen "
                                 "readers read this text")
        if target.endswith(SOURCE_SUFFIXES):
            self.sink.error("page.bad-image", f"image '{reference.target}' is a course source file", location,
                            hint="point at an image file (.png, .jpg, .svg, ...)")
        elif target in self.files.files:
            self.use(target, location)
        elif target not in self.files.refused:
            self.sink.error("page.missing-asset", f"image '{reference.target}' not found (looked for {target})",
                            location, hint="check the path; it is relative to the file it is written in")

    def check_link(self, reference: Reference, target: str, location: Location) -> None:
        if target.endswith(SOURCE_SUFFIXES):
            if target in self.files.refused:
                return
            if target not in self.files.files:
                self.sink.error("page.broken-link", f"link to '{reference.target}': no such page", location,
                                hint="check the file name; links are relative to the file they are written in")
            elif target not in self.files.screen_paths:
                self.sink.error("page.broken-link", f"link to '{reference.target}': that screen is not in the "
                                "course order", location, hint="add it to a lesson in course.yaml, or remove the link")
        elif target in self.files.files:
            self.use(target, location)
        elif target not in self.files.refused:
            self.sink.error("page.broken-link", f"link to '{reference.target}': file not found", location,
                            hint="check the path; it is relative to the file it is written in")


def text_verdict(source: MarkdownText, files: CourseFiles) -> TextVerdict:
    """One text's references judged; a page's (a text long enough to memoize) once per body, base and set of
    course files, so a rebuild after one page's edit judges that page alone."""
    if "[" not in source.text:
        return NO_REFERENCES  # every link and image has a bracket: most prompts and choices have none
    if len(source.text) < MEMOIZED_FROM_CHARS:
        return ReferenceCheck(files).check(source)
    origin = source.origin
    key = (REFERENCES_VERSION, DIALECT, source.text, source.base, origin.path, origin.line, origin.col,
           source.line_offset, files.digest)
    return remembered(REFERENCES, key, lambda: ReferenceCheck(files).check(source), VERDICT_CODEC,
                      lambda _: len(source.text))


def node_texts(node: BaseModel, base: str) -> Iterator[MarkdownText]:
    """Every Markdown-bearing string field of a quiz/survey/checklist node, depth first (a model's field values
    are its ``__dict__``, in field order)."""
    for name, value in vars(node).items():
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


@dataclass(frozen=True)
class UsedAssets:
    """The course files the screens use, sorted by path, and where each is first named (in course order)."""

    files: dict[str, bytes]
    first_use: dict[str, Location]


def collect_assets(screens: Mapping[str, Screen], screen_paths: Mapping[str, str], source: CourseSource,
                   sink: DiagnosticSink) -> UsedAssets:
    """Check every reference of every screen; return the referenced asset files."""
    files = CourseFiles(screen_paths, source.files, source.refused)
    first_use: dict[str, Location] = {}
    for relpath, screen in screens.items():
        for verdict in screen_verdicts(screen, relpath, files):
            sink.extend(verdict.diagnostics)
            for path, location in verdict.assets:
                first_use.setdefault(path, location)
    return UsedAssets({path: source.files[path] for path in sorted(first_use)}, first_use)


def screen_verdicts(screen: Screen, relpath: str, files: CourseFiles) -> tuple[TextVerdict, ...]:
    """The verdicts of a screen's texts; an activity's (hundreds of short texts) kept for the very screen
    object (``object_memo.Same``: validate hands back the same one for an unchanged file)."""
    if isinstance(screen, Page):
        return tuple(text_verdict(text, files) for text in screen_texts(screen, relpath))
    return kept(ACTIVITY_REFERENCES, (REFERENCES_VERSION, relpath, Same(screen), files.digest),
                lambda: tuple(text_verdict(text, files) for text in screen_texts(screen, relpath)), lambda _: 1024)
