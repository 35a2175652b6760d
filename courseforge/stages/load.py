"""The load stage: the only place that reads course sources from disk."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.catalog import UI_DOMAIN, load_catalog, po_path
from courseforge.model.localized import LocaleCatalogs
from courseforge.model.source import CourseSource, PageSource, ParsedDocument
from courseforge.yamlsource import parse_yaml

MANIFEST = "course.yaml"
FRONT_MATTER_FENCE = "---"


def read_course_files(course_dir: Path) -> dict[str, bytes]:
    """Every non-hidden file below the course folder, by posix path relative to it."""
    files: dict[str, bytes] = {}
    for path in sorted(course_dir.rglob("*")):
        relative = path.relative_to(course_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def decode(data: bytes, path: str, sink: DiagnosticSink) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        sink.error("source.encoding", "file is not valid UTF-8", Location(path, line, 1),
                   hint="save the file as UTF-8")
        return None


def split_front_matter(text: str, path: str, sink: DiagnosticSink) -> PageSource | None:
    """Split ``---`` fenced YAML front matter from the Markdown body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        sink.error("page.front-matter", "page has no front matter", Location(path, 1, 1),
                   hint="start the file with '---', then 'id: ...' and 'title: ...', then '---'")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER_FENCE:
            front = parse_yaml("".join(lines[1:index]), path, sink, line_offset=1)
            if front is None:
                return None
            body = "".join(lines[index + 1:])
            return PageSource(path, front, body, body_line=index + 2)
    sink.error("page.front-matter", "front matter is not closed", Location(path, 1, 1),
               hint="add a line with only '---' after the front matter")
    return None


def load_course(course_dir: Path, display_dir: str, sink: DiagnosticSink) -> CourseSource:
    """Read a course folder; syntax problems are reported, never raised."""
    files = read_course_files(course_dir)
    documents: dict[str, ParsedDocument] = {}
    pages: dict[str, PageSource] = {}
    manifest: ParsedDocument | None = None
    for relpath, data in files.items():
        shown = f"{display_dir}/{relpath}"
        if not relpath.endswith((".yaml", ".yml", ".md")):
            continue
        text = decode(data, shown, sink)
        if text is None:
            continue
        if relpath.endswith(".md"):
            page = split_front_matter(text, shown, sink)
            if page is not None:
                pages[relpath] = page
            continue
        document = parse_yaml(text, shown, sink)
        if document is None:
            continue
        if relpath == MANIFEST:
            manifest = document
        else:
            documents[relpath] = document
    if MANIFEST not in files:
        sink.error("course.no-manifest", "course folder has no course.yaml", Location(display_dir),
                   hint="create course.yaml with id, title, description, version, language, ... (docs/authoring.md)")
    return CourseSource(display_dir, manifest, MappingProxyType(documents), MappingProxyType(pages),
                        MappingProxyType(files))


def read_catalog(path: Path, display: str, sink: DiagnosticSink, *, keep_format_flags: bool = False) -> Catalog | None:
    """A PO file, or None when it does not exist; a broken one is reported (with its line), not raised."""
    if not path.is_file():
        return None
    try:
        return load_catalog(path, keep_format_flags=keep_format_flags)
    except PoFileError as error:
        line = getattr(error, "lineno", 0) or 0
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display, line, 1),
                   hint="fix the PO syntax (msgfmt -c shows the same problem)")
    except (UnicodeDecodeError, ValueError) as error:
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display), hint="save it as UTF-8")
    return None


def load_locale_catalogs(locales: Path, display_root: str, course_id: str, locale: str,
                         sink: DiagnosticSink) -> LocaleCatalogs:
    """The course and ui catalogs of one language, as the build needs them."""
    course_file = po_path(locales, locale, course_id)
    course_display = f"{display_root}/{course_file.relative_to(locales).as_posix()}"
    ui_file = po_path(locales, locale, UI_DOMAIN)
    ui_display = f"{display_root}/{ui_file.relative_to(locales).as_posix()}"
    return LocaleCatalogs(
        course=read_catalog(course_file, course_display, sink),
        ui=read_catalog(ui_file, ui_display, sink, keep_format_flags=True),
        course_path=course_display,
        ui_path=ui_display,
    )
