"""A catalog file's bytes, checked and parsed: what the load stage reads catalogs with (its edge reads the bytes).

The input rules (UTF-8, no control characters, also none made by PO escapes), Babel's syntax errors with their
line, and the catalog itself. What the build reads of one file is kept in the cache by the file's bytes
(``po-read`` entries, :func:`remembered_read`): an unchanged catalog is not checked or parsed again, and reports
the same problems (they are kept too, and located at whatever path the caller shows).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from babel import __version__ as BABEL_VERSION

from courseforge.cache import Codec, active_disk, memoized, scope_lasts
from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location, Severity
from courseforge.gc_pause import collector_paused
from courseforge.i18n.catalog import UnreadableCatalog, parse_catalog
from courseforge.i18n.catalog_codec import build_catalog_from_parts, build_catalog_parts
from courseforge.i18n.po_header import HeaderError, header_problems, leading_header
from courseforge.stages.inputs import UTF8_BOM, check_value, decode_text

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

PO_READ_NAMESPACE = "po-read"
PO_READ_VERSION = 4
"""Bump when what a catalog read keeps (``i18n.catalog_codec``), or how it checks a catalog, changes."""
VALUE_ESCAPE = re.compile(rb"\\[abfv]")
"""The PO escapes that make a control character (``\\a``, ``\\b``, ``\\f``, ``\\v``; the others make text)."""
ENTRY_SEPARATOR = b"\x00"
"""Between a ``po-read`` entry's JSON document and its texts."""
SYNTAX_HINT = "fix the PO syntax (msgfmt -c shows the same problem)"
OTHER_CHARSET = re.compile(rb'charset(?!=utf-8(?:\\n|"))')
"""In the lowered bytes, anything that may name a charset but UTF-8 (a header's parameter names and charsets are
read in any case): Babel decodes the lines after such a header with it."""


def checked_catalog(data: bytes, display: str, sink: DiagnosticSink, *, keep_format_flags: bool = False,
                    comments: bool = True) -> Catalog | None:
    """A PO file's bytes as a catalog, or None when they are not UTF-8 text, not PO, or make control characters;
    every problem, a broken PO file too, is reported (with its line), not raised. ``comments``: False for the
    build, which reads no comments or locations."""
    from babel.messages.pofile import PoFileError

    text = decode_text(data, display, sink)
    if text is None or not header_clean(text, display, sink):
        return None
    try:
        catalog = parse_catalog(data.removeprefix(UTF8_BOM), keep_format_flags=keep_format_flags, text=text,
                                comments=comments)
    except PoFileError as error:
        line = getattr(error, "lineno", 0) or 0
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display, line, 1),
                   hint=SYNTAX_HINT)
        return None
    except HeaderError as error:  # a header after the first entry (the first is checked above, line by line)
        for problem in error.problems:
            sink.error("i18n.po-header", problem.message, Location(display, error.line, 1), hint=problem.hint)
        return None
    except UnreadableCatalog as error:
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display), hint=SYNTAX_HINT)
        return None
    except (UnicodeDecodeError, LookupError, ValueError) as error:
        sink.error("i18n.po-syntax", f"catalog cannot be read: {error}", Location(display), hint="save it as UTF-8")
        return None
    report_repeats(catalog, display, sink)
    return catalog if catalog_values_clean(catalog, display, sink, data) else None


def header_clean(text: str, display: str, sink: DiagnosticSink) -> bool:
    """The header at the top of the file has none of the problems Babel would raise on or silently misread
    (:mod:`courseforge.i18n.po_header`); each is reported at its line."""
    header = leading_header(text)
    if header is None:
        return True
    problems = header_problems(header.value)
    for problem in problems:
        sink.error("i18n.po-header", problem.message, Location(display, header.line_at(problem.offset), 1),
                   hint=problem.hint)
    return not problems


def report_repeats(catalog: Catalog, display: str, sink: DiagnosticSink) -> None:
    """An entry the file repeats is merged into the first one, whose translation is used (a warning: the build
    goes on with it, ``--strict`` and GNU msgfmt refuse the file)."""
    for line, first in getattr(catalog, "repeated", ()):
        sink.warning("i18n.po-duplicate", f"this entry repeats the one at line {first} (same msgctxt and msgid): "
                     f"only the translation at line {first} is used", Location(display, line, 1),
                     hint="keep one of the two entries (msgfmt -c refuses a repeated entry)")


def catalog_values_clean(catalog: Catalog, display: str, sink: DiagnosticSink, data: bytes | None = None) -> bool:
    """PO escapes (``\\a``, ``\\v``...) can make control characters the raw text check cannot see. ``data``: the
    catalog's bytes, already checked as text (``decode_text``); when they have no such escape and name no charset
    but UTF-8, no value can hold one, and the messages need not be looked at one by one. (The patterns are ASCII,
    which no UTF-8 sequence of another character contains.)"""
    if data is not None and VALUE_ESCAPE.search(data) is None and OTHER_CHARSET.search(data.lower()) is None:
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
    catalog (as the build reads it, ``i18n.catalog_codec``, when it came from the cache) when it can be used."""

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


def encode_read(found: CatalogRead) -> bytes:
    """The JSON document (problems, catalog), then a NUL (JSON escapes every control character in a text), then the
    catalog's plain messages' texts (``i18n.catalog_codec``)."""
    with collector_paused():
        catalog, texts = (None, "") if found.catalog is None else build_catalog_parts(found.catalog)
        document = {"problems": [problem_row(problem) for problem in found.problems], "catalog": catalog}
        head = json.dumps(document, ensure_ascii=False, separators=(",", ":"), check_circular=False)
        return b"".join((head.encode(), ENTRY_SEPARATOR, texts.encode()))


def decode_read(entry: bytes) -> CatalogRead:
    with collector_paused():
        head, separator, texts = entry.partition(ENTRY_SEPARATOR)
        if not separator:
            raise ValueError("no texts part")
        document = json.loads(head)
        catalog = document["catalog"]
        return CatalogRead(tuple(problem_from_row(row) for row in document["problems"]),
                           None if catalog is None else build_catalog_from_parts(catalog, texts.decode()))


CATALOG_READ: Codec[CatalogRead] = Codec(encode_read, decode_read)


def checked_read(data: bytes, keep_format_flags: bool) -> CatalogRead:
    sink = DiagnosticSink()
    catalog = checked_catalog(data, "", sink, keep_format_flags=keep_format_flags, comments=False)
    return CatalogRead(tuple(sink.items), catalog)


def remembered_read(data: bytes, keep_format_flags: bool) -> CatalogRead:
    """:func:`checked_read`, or the read kept for the same bytes (and Babel, flag mode, and code). A one-off build
    without a disk cache keeps nothing: its store goes with it, it reads a course's catalog once (a player catalog
    once per course, and those are small), and encoding a course catalog's read costs a fifth of reading it."""
    if active_disk() is None and not scope_lasts():
        return checked_read(data, keep_format_flags)
    key = (PO_READ_VERSION, BABEL_VERSION, data, keep_format_flags)
    return memoized(PO_READ_NAMESPACE, key, lambda: checked_read(data, keep_format_flags), CATALOG_READ)
