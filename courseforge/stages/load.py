"""The load stage: the only place that reads course sources from disk."""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from courseforge.cache import Codec, KeyPart, active_disk, lookup, remember
from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location
from courseforge.i18n.catalog import UI_DOMAIN, po_path
from courseforge.model.localized import LocaleCatalogs
from courseforge.model.project import DEFAULT_LIMITS, InputLimits
from courseforge.model.source import CourseSource, PageSource, ParsedDocument
from courseforge.object_memo import kept
from courseforge.stages.catalog_check import checked_catalog, remembered_read
from courseforge.stages.inputs import InputProblem, decode_text, file_limit, read_folder, read_input_file
from courseforge.stages.source_codec import Uncacheable, decode_read, encode_read
from courseforge.yamlsource import parse_yaml

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

MANIFEST = "course.yaml"
FRONT_MATTER_FENCE = "---"
TEXT_READ = "load-text"
TEXT_READ_VERSION = 1
"""Bump when the same bytes would be decoded or parsed otherwise (kept reads)."""
PAGE_WEIGHT, DOCUMENT_WEIGHT = 2, 10
"""About the bytes a parsed file holds in memory for each of its bytes: a page is mostly its body's text; a YAML
document a tree of dicts, lists and locations."""


def read_course_files(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                      limits: InputLimits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every non-hidden file below the course folder (or a project theme folder), by posix path relative to
    it; files the input rules refuse (:mod:`courseforge.stages.inputs`) are reported and left out."""
    return read_folder(course_dir, display_dir, sink, limits).files


def split_front_matter(text: str, path: str, sink: DiagnosticSink, max_nodes: int) -> PageSource | None:
    """Split ``---`` fenced YAML front matter from the Markdown body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        sink.error("page.front-matter", "page has no front matter", Location(path, 1, 1),
                   hint="start the file with '---', then 'id: ...' and 'title: ...', then '---'")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER_FENCE:
            front = parse_yaml("".join(lines[1:index]), path, sink, line_offset=1, max_nodes=max_nodes)
            if front is None:
                return None
            body = "".join(lines[index + 1:])
            return PageSource(path, front, body, body_line=index + 2)
    sink.error("page.front-matter", "front matter is not closed", Location(path, 1, 1),
               hint="add a line with only '---' after the front matter")
    return None


@dataclass(frozen=True)
class TextRead:
    """What one YAML or Markdown file of a course comes to: its problems, and its page or document (None when
    it cannot be used)."""

    diagnostics: tuple[Diagnostic, ...]
    parsed: PageSource | ParsedDocument | None


def read_text(relpath: str, data: bytes, shown: str, max_nodes: int) -> TextRead:
    """Decode and parse one course text file, reporting into a sink of its own."""
    sink = DiagnosticSink()
    text = decode_text(data, shown, sink)
    parsed: PageSource | ParsedDocument | None = None
    if text is not None and relpath.endswith(".md"):
        parsed = split_front_matter(text, shown, sink, max_nodes)
    elif text is not None:
        parsed = parse_yaml(text, shown, sink, max_nodes=max_nodes)
    return TextRead(tuple(sink.items), parsed)


TEXT_READ_CODEC: Codec[TextRead] = Codec(lambda read: encode_read(read.diagnostics, read.parsed),
                                         lambda data: TextRead(*decode_read(data)))


def stored_read(key: KeyPart, relpath: str, data: bytes, shown: str, max_nodes: int) -> TextRead:
    """:func:`read_text`, or what an earlier build kept in the cache for the same bytes (``source_codec``: a
    read its entry cannot give back exactly is parsed every time). Only a build writing a disk cache encodes
    an entry (``lint``'s is read-only)."""
    found = lookup(TEXT_READ, key, TEXT_READ_CODEC)
    if found is not None:
        return found
    read = read_text(relpath, data, shown, max_nodes)
    disk = active_disk()
    if disk is not None and not disk.read_only:  # the entry is for a later process (this one keeps the object)
        with suppress(Uncacheable):
            remember(TEXT_READ, key, read, TEXT_READ_CODEC)
    return read


def text_read(relpath: str, data: bytes, shown: str, max_nodes: int) -> TextRead:
    """:func:`read_text`, kept by the file's bytes while a cache store is active: on disk (a CLI rebuild parses
    only the files that changed) and as the object itself (``object_memo``: a rebuild in a long-lived process
    decodes nothing either). Every stage treats a parsed document as read-only, so the kept one is shared."""
    is_page = relpath.endswith(".md")
    key = (TEXT_READ_VERSION, is_page, shown, max_nodes, data)
    return kept(TEXT_READ, key, lambda: stored_read(key, relpath, data, shown, max_nodes),
                lambda _: (PAGE_WEIGHT if is_page else DOCUMENT_WEIGHT) * len(data))


def load_course(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                limits: InputLimits = DEFAULT_LIMITS) -> CourseSource:
    """Read a course folder; refused files and syntax problems are reported, never raised."""
    read = read_folder(course_dir, display_dir, sink, limits)
    files = read.files
    documents: dict[str, ParsedDocument] = {}
    pages: dict[str, PageSource] = {}
    manifest: ParsedDocument | None = None
    for relpath, data in files.items():
        if not relpath.endswith((".yaml", ".yml", ".md")):
            continue
        found = text_read(relpath, data, f"{display_dir}/{relpath}", limits.yaml_nodes)
        sink.extend(found.diagnostics)
        if isinstance(found.parsed, PageSource):
            pages[relpath] = found.parsed
        elif found.parsed is not None and relpath == MANIFEST:
            manifest = found.parsed
        elif found.parsed is not None:
            documents[relpath] = found.parsed
    if MANIFEST not in files and not os.path.lexists(course_dir / MANIFEST):
        sink.error("course.no-manifest", "course folder has no course.yaml", Location(display_dir),
                   hint="create course.yaml with id, title, description, version, language, ... (docs/authoring.md)")
    return CourseSource(display_dir, manifest, MappingProxyType(documents), MappingProxyType(pages),
                        MappingProxyType(files), read.refused)


def read_catalog_bytes(path: Path, root: Path, display: str, sink: DiagnosticSink,
                       limits: InputLimits = DEFAULT_LIMITS) -> bytes | None:
    """A PO file's bytes under ``root`` (the catalogs folder), or None when it does not exist or the input rules
    refuse it (reported)."""
    if not os.path.lexists(path):
        return None
    data = read_input_file(path, root.resolve(), file_limit(path.name, limits))
    if isinstance(data, InputProblem):
        data.report(Location(display), sink)
        return None
    return data


def read_catalog_file(path: Path, root: Path, display: str, sink: DiagnosticSink, *, keep_format_flags: bool = False,
                      limits: InputLimits = DEFAULT_LIMITS) -> tuple[Catalog, bytes] | None:
    """A PO file under ``root`` (the catalogs folder) and its bytes, or None when it does not exist or cannot be
    used (reported): every message in full, comments and locations too (``i18n`` commands check and rewrite it)."""
    data = read_catalog_bytes(path, root, display, sink, limits)
    if data is None:
        return None
    catalog = checked_catalog(data, display, sink, keep_format_flags=keep_format_flags)
    return (catalog, data) if catalog is not None else None


def read_build_catalog(path: Path, root: Path, display: str, sink: DiagnosticSink, *,
                       keep_format_flags: bool = False, limits: InputLimits = DEFAULT_LIMITS) -> Catalog | None:
    """A PO file as :func:`read_catalog_file` reads it, with what the build reads of it only; bytes checked and
    parsed before are not parsed again (``catalog_check.remembered_read``), and report the same problems."""
    data = read_catalog_bytes(path, root, display, sink, limits)
    if data is None:
        return None
    return remembered_read(data, keep_format_flags).report(display, sink)


def read_catalog(path: Path, display: str, sink: DiagnosticSink, *, keep_format_flags: bool = False,
                 root: Path | None = None, limits: InputLimits = DEFAULT_LIMITS) -> Catalog | None:
    """A PO file, or None when it does not exist or cannot be used (reported). ``root``: the folder it must
    stay inside (its catalogs folder, ``locales/``); the file's own folder by default."""
    found = read_catalog_file(path, root or path.parent, display, sink, keep_format_flags=keep_format_flags,
                              limits=limits)
    return found[0] if found is not None else None


def load_locale_catalogs(locales: Path, display_root: str, course_id: str, locale: str,
                         sink: DiagnosticSink, limits: InputLimits = DEFAULT_LIMITS) -> LocaleCatalogs:
    """The course and ui catalogs of one language, as the build reads them (``read_build_catalog``)."""
    course_file = po_path(locales, locale, course_id)
    course_display = f"{display_root}/{course_file.relative_to(locales).as_posix()}"
    ui_file = po_path(locales, locale, UI_DOMAIN)
    ui_display = f"{display_root}/{ui_file.relative_to(locales).as_posix()}"
    return LocaleCatalogs(
        course=read_build_catalog(course_file, locales, course_display, sink, limits=limits),
        ui=read_build_catalog(ui_file, locales, ui_display, sink, keep_format_flags=True, limits=limits),
        course_path=course_display,
        ui_path=ui_display,
    )
