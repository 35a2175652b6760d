"""The load stage: the only place that reads course sources from disk."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import __version__ as BABEL_VERSION
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError

from courseforge.cache import JSON, Codec, memoized
from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location, Severity
from courseforge.gc_pause import collector_paused
from courseforge.i18n.catalog import UI_DOMAIN, parse_catalog, po_path
from courseforge.i18n.catalog_codec import build_catalog_from_json, build_catalog_to_json
from courseforge.model.localized import LocaleCatalogs
from courseforge.model.project import DEFAULT_LIMITS, InputLimits
from courseforge.model.source import CourseSource, PageSource, ParsedDocument
from courseforge.stages.inputs import (
    UTF8_BOM,
    InputProblem,
    check_value,
    decode_text,
    file_limit,
    read_folder,
    read_input_file,
)
from courseforge.yamlsource import parse_yaml

MANIFEST = "course.yaml"
FRONT_MATTER_FENCE = "---"
PO_READ_NAMESPACE = "po-read"
PO_READ_VERSION = 1
"""Bump when what a catalog read keeps (``i18n.catalog_codec``), or how it checks a catalog, changes."""
VALUE_ESCAPE = re.compile(r"\\[abfv]")
"""The PO escapes that make a control character (``\\a``, ``\\b``, ``\\f``, ``\\v``; the others make text)."""
OTHER_CHARSET = re.compile(r'charset(?!=utf-8(?:\\n|"))', re.IGNORECASE)
"""Anything that may name a charset but UTF-8: Babel decodes the lines after such a header with it."""


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


def load_course(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                limits: InputLimits = DEFAULT_LIMITS) -> CourseSource:
    """Read a course folder; refused files and syntax problems are reported, never raised."""
    read = read_folder(course_dir, display_dir, sink, limits)
    files = read.files
    documents: dict[str, ParsedDocument] = {}
    pages: dict[str, PageSource] = {}
    manifest: ParsedDocument | None = None
    for relpath, data in files.items():
        shown = f"{display_dir}/{relpath}"
        if not relpath.endswith((".yaml", ".yml", ".md")):
            continue
        text = decode_text(data, shown, sink)
        if text is None:
            continue
        if relpath.endswith(".md"):
            page = split_front_matter(text, shown, sink, limits.yaml_nodes)
            if page is not None:
                pages[relpath] = page
            continue
        document = parse_yaml(text, shown, sink, max_nodes=limits.yaml_nodes)
        if document is None:
            continue
        if relpath == MANIFEST:
            manifest = document
        else:
            documents[relpath] = document
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


def checked_catalog(data: bytes, display: str, sink: DiagnosticSink, *,
                    keep_format_flags: bool = False) -> Catalog | None:
    """A PO file's bytes as a catalog, or None when they are not UTF-8 text, not PO, or make control characters;
    every problem, a broken PO file too, is reported (with its line), not raised."""
    text = decode_text(data, display, sink)
    if text is None:
        return None
    try:
        catalog = parse_catalog(data, keep_format_flags=keep_format_flags,
                                text=None if data.startswith(UTF8_BOM) else text)
    except PoFileError as error:
        line = getattr(error, "lineno", 0) or 0
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display, line, 1),
                   hint="fix the PO syntax (msgfmt -c shows the same problem)")
        return None
    except (UnicodeDecodeError, LookupError, ValueError) as error:
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display), hint="save it as UTF-8")
        return None
    return catalog if catalog_values_clean(catalog, display, sink, text) else None


def read_catalog_file(path: Path, root: Path, display: str, sink: DiagnosticSink, *, keep_format_flags: bool = False,
                      limits: InputLimits = DEFAULT_LIMITS) -> tuple[Catalog, bytes] | None:
    """A PO file under ``root`` (the catalogs folder) and its bytes, or None when it does not exist or cannot be
    used (reported): every message in full, comments and locations too (``i18n`` commands check and rewrite it)."""
    data = read_catalog_bytes(path, root, display, sink, limits)
    if data is None:
        return None
    catalog = checked_catalog(data, display, sink, keep_format_flags=keep_format_flags)
    return (catalog, data) if catalog is not None else None


def catalog_values_clean(catalog: Catalog, display: str, sink: DiagnosticSink, text: str | None = None) -> bool:
    """PO escapes (``\\a``, ``\\v``...) can make control characters the raw text check cannot see. ``text``: the
    catalog's text, already checked (``decode_text``); when it has no such escape and names no charset but UTF-8,
    no value can hold one, and the messages need not be looked at one by one."""
    if text is not None and VALUE_ESCAPE.search(text) is None and OTHER_CHARSET.search(text) is None:
        return True
    clean = True
    for message in (*catalog, *catalog.obsolete.values()):
        texts = [message.context or ""]
        for value in (message.id, message.string):
            texts.extend(value if isinstance(value, list | tuple) else [value or ""])
        location = Location(display, message.lineno or 0, 1)
        clean = all([check_value(text, location, sink) for text in texts]) and clean
    return clean


@dataclass(frozen=True)
class CatalogRead:
    """What checking a catalog's bytes gave: its problems, located in no file yet (the reader names it), and the
    catalog as the build reads it (``i18n.catalog_codec``) when it can be used."""

    problems: tuple[Diagnostic, ...]
    catalog: Catalog | None

    def report(self, display: str, sink: DiagnosticSink) -> Catalog | None:
        sink.extend(replace(problem, location=replace(problem.location, path=display)) for problem in self.problems)
        return self.catalog


def problem_row(problem: Diagnostic) -> list[object]:
    return [problem.severity.value, problem.code, problem.message, problem.location.line, problem.location.col,
            problem.hint]


def problem_from_row(row: list[Any]) -> Diagnostic:
    severity, code, message, line, col, hint = row
    if not all(isinstance(value, str) for value in (code, message, hint)) or not all(
            isinstance(value, int) and not isinstance(value, bool) for value in (line, col)):
        raise TypeError("malformed problem")
    return Diagnostic(Severity(severity), code, message, Location("", line, col), hint)


def encode_catalog_read(found: CatalogRead) -> bytes:
    with collector_paused():
        catalog = None if found.catalog is None else build_catalog_to_json(found.catalog)
        return JSON.encode({"problems": [problem_row(problem) for problem in found.problems], "catalog": catalog})


def decode_catalog_read(data: bytes) -> CatalogRead:
    with collector_paused():
        document = JSON.decode(data)
        catalog = document["catalog"]
        return CatalogRead(tuple(problem_from_row(row) for row in document["problems"]),
                           None if catalog is None else build_catalog_from_json(catalog))


CATALOG_READ: Codec[CatalogRead] = Codec(encode_catalog_read, decode_catalog_read)


def check_catalog_bytes(data: bytes, keep_format_flags: bool) -> CatalogRead:
    sink = DiagnosticSink()
    catalog = checked_catalog(data, "", sink, keep_format_flags=keep_format_flags)
    return CatalogRead(tuple(sink.items), catalog)


def read_build_catalog(path: Path, root: Path, display: str, sink: DiagnosticSink, *,
                       keep_format_flags: bool = False, limits: InputLimits = DEFAULT_LIMITS) -> Catalog | None:
    """A PO file as :func:`read_catalog_file` reads it, with what the build reads of it only; bytes checked and
    parsed before are not parsed again (``po-read`` entries, keyed by the bytes), and report the same problems."""
    data = read_catalog_bytes(path, root, display, sink, limits)
    if data is None:
        return None
    key = (PO_READ_VERSION, BABEL_VERSION, data, keep_format_flags)
    found = memoized(PO_READ_NAMESPACE, key, lambda: check_catalog_bytes(data, keep_format_flags), CATALOG_READ)
    return found.report(display, sink)


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
