"""Catalog files: where they live and how they are read and written (one set of Babel settings).

Layout under ``locales/``: ``templates/<domain>.pot`` (committed), ``<lang>/LC_MESSAGES/<domain>.po``;
the domain is a course id, or ``ui`` for the player's own strings. Compiled ``.mo`` files are build
outputs and never written here.

Conventions every catalog follows:
- ``msgctxt`` is the stable id path of the text (``<course>/<screen>/<block>``), so answer keys and
  tracking never depend on translated text;
- automatic comments (``#.``) tell the translator what the text is; a line ``max-length: N`` states a
  limit a standard imposes, which ``i18n check`` enforces;
- we control the flags: Babel's automatic ``python-format`` is removed (course text is not a format
  string: "100% done" is fine); only ``fuzzy`` marks stale or unreviewed translations;
- a fuzzy entry whose source text changed shows the text its translation was made for in ``#|`` lines,
  written as GNU ``msgmerge --previous --no-wrap`` writes them (``#| msgctxt``, ``#| msgid``,
  ``#| msgid_plural``). Babel reads those lines as translator comments and writes them wrapped (which
  msgfmt rejects), so both directions are ours; the previous text lives in ``Message.previous_id``.

Babel and the lean reader are imported by the functions that read or write a file: this module's paths and
constants are on every build's import chain, and a build that reads no catalog (the source language, or every
catalog answered from the cache) loads none of Babel's catalog code (nor, through it, its date and time-zone code).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from courseforge.gc_pause import collector_paused
from courseforge.i18n.po_header import HeaderError

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

TEMPLATES_DIR = "templates"
UI_DOMAIN = "ui"
MAX_LENGTH = re.compile(r"^max-length: (\d+)$")
UNMANAGED_FLAGS = frozenset({"python-format", "python-brace-format"})
PREVIOUS_LINE = re.compile(rb"^\s*#~?\|")
MSGID_LINE = re.compile(rb"^\s*(#~\s*)?msgid\s")
PREVIOUS_MARK = "courseforge-previous-{}"
PREVIOUS_MARK_LINE = re.compile(r'^#\| msgid "courseforge-previous-(\d+)"\n', re.MULTILINE)


def pot_path(locales: Path, domain: str) -> Path:
    return locales / TEMPLATES_DIR / f"{domain}.pot"


def po_path(locales: Path, language: str, domain: str) -> Path:
    return locales / language / "LC_MESSAGES" / f"{domain}.po"


def catalog_languages(locales: Path) -> tuple[str, ...]:
    """Languages that have a catalog folder (``locales/<lang>/LC_MESSAGES``)."""
    if not locales.is_dir():
        return ()
    return tuple(sorted(p.parent.name for p in locales.glob("*/LC_MESSAGES") if p.parent.name != TEMPLATES_DIR))


def max_length(message: Message) -> int | None:
    for comment in message.auto_comments:
        match = MAX_LENGTH.match(comment.strip())
        if match:
            return int(match.group(1))
    return None


def clean_flags(message: Message) -> None:
    """Babel guesses format flags from '%' and '{…}'; ours are not format strings for msgfmt."""
    message.flags -= UNMANAGED_FLAGS


def is_format_domain(domain: str) -> bool:
    """The player's strings (``ui``) are real python-format strings; course text never is."""
    return domain == UI_DOMAIN


def clean_all_flags(catalog: Catalog) -> None:
    """Every message's but the header's (which ``Catalog`` keeps apart from its messages); most have no flag."""
    for message in (*catalog._messages.values(), *catalog.obsolete.values()):
        if message.flags and message.id:
            clean_flags(message)


def split_previous(data: bytes) -> tuple[bytes, dict[int, list[bytes]]]:
    """Take the ``#|``/``#~|`` lines out of PO text, keyed by the line number Babel gives the entry they
    precede (its ``msgid`` line, counted from 1). Blank lines keep every other line where it was."""
    if b"#|" not in data and b"#~|" not in data:
        return data, {}
    kept: list[bytes] = []
    previous: dict[int, list[bytes]] = {}
    pending: list[bytes] = []
    for number, line in enumerate(io.BytesIO(data), start=1):
        if PREVIOUS_LINE.match(line):
            pending.append(PREVIOUS_LINE.sub(b"", line).strip())
            kept.append(b"\n")
            continue
        if pending and MSGID_LINE.match(line):
            previous[number], pending = pending, []
        kept.append(line)
    return b"".join(kept), previous


def attach_previous(catalog: Catalog, previous: dict[int, list[bytes]]) -> None:
    """Give each message the previous source text written above it. ``#| msgctxt`` is not kept: our merge
    matches by id, so the previous context is always the message's own, and it is written back as such."""
    from courseforge.i18n.po_reader import previous_ids

    for message in (*catalog, *catalog.obsolete.values()):
        lines = previous.get(message.lineno or 0)
        if lines:
            message.previous_id = previous_ids([line.decode(catalog.charset) for line in lines])


class UnreadableCatalog(ValueError):
    """Babel failed on the text other than with a syntax error (its header and plural parsers raise what their
    helpers raise): the file is broken, which is a problem to report, never an internal error."""


def read_with_babel(data: bytes, locale: str | None) -> Catalog:
    """Babel's ``read_po`` (raising its ``PoFileError`` with the line of a syntax error, ``HeaderError`` for a
    header with problems, anything else it raises as :class:`UnreadableCatalog`), ``#|`` lines read."""
    from babel.messages.pofile import PoFileError, PoFileParser

    from courseforge.i18n.po_reader import ReadCatalog

    text, previous = split_previous(data)
    catalog = ReadCatalog(locale=locale)
    try:
        PoFileParser(catalog, abort_invalid=True).parse(io.BytesIO(text))  # read_po, into a ReadCatalog
    except (PoFileError, HeaderError, UnicodeDecodeError, LookupError):
        raise
    except Exception as error:  # the text is the user's: whatever Babel raises on it says the file is broken
        raise UnreadableCatalog(f"{type(error).__name__}: {error}") from error
    attach_previous(catalog, previous)
    return catalog


def utf8_text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def parse_catalog(data: bytes, locale: str | None = None, *, keep_format_flags: bool = False,
                  text: str | None = None, comments: bool = True) -> Catalog:
    """A PO file's catalog: the lean reader's (:mod:`courseforge.i18n.po_reader`) when it knows the text, else
    Babel's (which reports a broken file). ``text``: ``data`` decoded as UTF-8, a BOM kept, when the caller has it.
    Format flags are removed unless ``keep_format_flags`` (the player's strings, which are format strings).
    ``comments``: False when comments and locations are not read (the build's catalogs), and may be left out."""
    from courseforge.i18n.po_reader import read_lean

    if text is None:
        text = utf8_text(data)
    with collector_paused():
        catalog = None
        if text is not None:
            catalog = read_lean(text, locale, guess_format_flags=keep_format_flags, comments=comments)
        if catalog is None:
            catalog = read_with_babel(data, locale)
        if not keep_format_flags:
            clean_all_flags(catalog)
    return catalog


def load_catalog(path: Path, locale: str | None = None, *, keep_format_flags: bool = False) -> Catalog:
    return parse_catalog(path.read_bytes(), locale, keep_format_flags=keep_format_flags)


def po_field(keyword: str, text: str) -> str:
    """One ``#|`` field, unwrapped like every string we write (multi-line text: one piece a line)."""
    from babel.messages.pofile import normalize

    first, *rest = normalize(text, width=0).split("\n")
    return "".join([f"#| {keyword} {first}\n", *(f"#| {piece}\n" for piece in rest)])


def previous_block(message: Message) -> str:
    keywords = ("msgid", "msgid_plural")
    fields = [] if message.context is None else [po_field("msgctxt", message.context)]
    fields += [po_field(keyword, text) for keyword, text in zip(keywords, message.previous_id, strict=False)]
    return "".join(fields)


def write_with_marks(catalog: Catalog, omit_header: bool) -> tuple[str, list[str]]:
    """Babel's PO text with one mark line where each fuzzy entry's ``#|`` lines go (after its flags),
    and those lines; every message's own previous text is left as it was."""
    from babel.messages.pofile import write_po

    saved = [(message, message.previous_id) for message in catalog if message.id]
    with_previous = [m for m, previous_id in saved if m.fuzzy and previous_id]
    blocks = [previous_block(message) for message in with_previous]
    try:
        for message, _ in saved:
            message.previous_id = []
        for index, message in enumerate(with_previous):
            message.previous_id = [PREVIOUS_MARK.format(index)]
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=0, omit_header=omit_header, sort_output=False, sort_by_file=False,
                 ignore_obsolete=False, include_previous=True)
    finally:
        for message, previous_id in saved:
            message.previous_id = previous_id
    return buffer.getvalue().decode(catalog.charset), blocks


def catalog_bytes(catalog: Catalog, *, omit_header: bool = False, keep_format_flags: bool = False) -> bytes:
    """PO text exactly as we commit it: no rewrapping (Markdown stays as written), and ``#|`` lines on
    fuzzy entries that have a previous text (only there: a reviewed entry has nothing left to compare)."""
    if not keep_format_flags:
        clean_all_flags(catalog)
    text, blocks = write_with_marks(catalog, omit_header)
    text = PREVIOUS_MARK_LINE.sub(lambda match: blocks[int(match.group(1))], text)
    return text.encode(catalog.charset, "backslashreplace")
