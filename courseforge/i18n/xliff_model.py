"""The XLIFF exchange's view of a catalog: units, their ids and notes, and the inline codes of their text.

Both writers (1.2 and 2.x) and the import use this one view, so ids and codes are numbered the same way on
both sides of a round trip.

- A *unit* is one translatable text: a catalog entry, or one plural form of a plural entry.
- Its *logical id* is the entry's ``msgctxt`` (the stable id path), or its ``msgid`` when it has no
  context (the ``ui`` catalog); plural form ``i`` of an entry is ``<id>[i]``. XLIFF 1.2 uses logical ids as
  they are; XLIFF 2 ids are NMTOKENs, so there they are encoded (:func:`nmtoken`) and the logical id is
  kept in ``name``.
- Inline Markdown codes (from :func:`courseforge.i18n.inline.split`) are *codes*; spanning codes (emphasis
  runs, ``[`` ... ``](target)``) are paired when XLIFF 2 needs them paired: the XLIFF 2 core forbids
  extractors to write a spanning code as ``<ph>``.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message
from lxml import etree

from courseforge.i18n import inline
from courseforge.i18n.catalog import max_length
from courseforge.i18n.inline import Role, Segment

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS2 = "urn:oasis:names:tc:xliff:document:2.0"
"""XLIFF 2.0 and 2.1 share this namespace (2.1 kept it); 2.2 has its own and is not supported."""
XML_NS = "http://www.w3.org/XML/1998/namespace"
PLURAL_RESTYPE = "x-gettext-plurals"
"""1.2 ``group/@restype`` of a plural entry's forms (``x-`` values are the 1.2 extension point)."""
PLURAL_TYPE = "courseforge:plurals"
"""2.x ``group/@type`` of a plural entry's forms (a ``prefix:value`` user-defined value)."""
FUZZY_SUBSTATE = "courseforge:fuzzy"
SLR_NS = "urn:oasis:names:tc:xliff:sizerestriction:2.0"
"""XLIFF 2 Size and Length Restriction module."""
SIZE_PROFILE = "xliff:codepoints"
"""The module's general profile that counts Unicode code points, as ``max-length`` and ``i18n check`` do."""

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Code points XML 1.0 cannot carry (XLIFF 2 writes them as ``<cp hex="..."/>``)."""


def line_of(element: etree._Element) -> int:
    """The element's line in the file (the stubs do not type ``sourceline`` as the int it is)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else 0


@dataclass(frozen=True)
class Note:
    """A translator-facing note: ``developer`` (``#.``), ``translator`` (``#``), ``location`` or ``plural``."""

    category: str
    text: str


@dataclass(frozen=True)
class Form:
    """One unit: the text of an entry, or one plural form of it."""

    id: str
    index: int | None
    """Plural form index, ``None`` for an entry without plural."""
    source: str
    target: str
    """The catalog's translation; empty when untranslated."""


@dataclass(frozen=True, eq=False)
class Entry:
    """A catalog entry as exported: its units, shared notes and fuzziness."""

    id: str
    message: Message
    forms: tuple[Form, ...]
    notes: tuple[Note, ...]
    locations: tuple[tuple[str, int | None], ...]
    plural_forms: str
    max_length: int | None
    """The ``max-length: N`` limit of the entry's ``#.`` comments (in characters, each form alike)."""

    @property
    def plural(self) -> bool:
        return self.forms[0].index is not None

    @property
    def fuzzy(self) -> bool:
        return bool(self.message.fuzzy)

    def done(self, form: Form) -> bool:
        """A form whose translation is final: translated and the entry not fuzzy (gettext has no further
        review step, and only such text counts towards a language's coverage)."""
        return bool(form.target) and not self.fuzzy


def entry_id(message: Message) -> str:
    """The logical id: the stable id path in ``msgctxt``, or the msgid for context-free (ui) entries."""
    if message.context:
        return str(message.context)
    return str(message.id[0] if message.pluralizable else message.id)


def form_id(base: str, index: int | None) -> str:
    return base if index is None else f"{base}[{index}]"


def form_count(catalog: Catalog, message: Message) -> int:
    """Plural forms of an entry: the language's count, or more if the catalog already holds more."""
    return max(int(catalog.num_plurals), len(message.string or ()))


def catalog_entries(catalog: Catalog) -> tuple[Entry, ...]:
    """Every translatable entry in catalog order (not the header, not obsolete entries)."""
    return tuple(_entry(catalog, message) for message in catalog if message.id)


def _entry(catalog: Catalog, message: Message) -> Entry:
    base = entry_id(message)
    notes = (*(Note("developer", c) for c in message.auto_comments),
             *(Note("translator", c) for c in message.user_comments))
    return Entry(base, message, _forms(catalog, message, base), notes, tuple(message.locations),
                 str(catalog.plural_forms), max_length(message))


def _forms(catalog: Catalog, message: Message, base: str) -> tuple[Form, ...]:
    if not message.pluralizable:
        return (Form(base, None, str(message.id), str(message.string or "")),)
    sources = tuple(str(s) for s in message.id)
    strings = tuple(str(s) for s in (message.string or ()))
    count = form_count(catalog, message)
    return tuple(Form(form_id(base, i), i, sources[0] if i == 0 else sources[1],
                      strings[i] if i < len(strings) else "") for i in range(count))


def unique_ids(entries: Sequence[Entry]) -> None:
    """Refuse to export two units (or a unit and a plural group) under one id, as when two entries share a
    msgctxt or a msgctxt equals another entry's plural form id."""
    seen: set[str] = set()
    for entry in entries:
        for id_ in (*((entry.id,) if entry.plural else ()), *(form.id for form in entry.forms)):
            if id_ in seen:
                raise ValueError(f"two catalog entries would share the XLIFF id {id_!r}")
            seen.add(id_)


# ------------------------------------------------------------------------------------------- XLIFF 2 ids
def nmtoken(logical: str) -> str:
    """An XLIFF 2 id for a logical id: ASCII letters, digits, ``.`` and ``-`` stay, ``/`` becomes ``:``,
    anything else is ``_<hex>_``. Injective, so two logical ids never share an id."""
    if not logical:
        raise ValueError("an XLIFF id cannot be empty")
    return "".join(_nmtoken_char(char) for char in logical)


def _nmtoken_char(char: str) -> str:
    if char.isascii() and (char.isalnum() or char in ".-"):
        return char
    return ":" if char == "/" else f"_{ord(char):X}_"


_ESCAPE = re.compile(r"_([0-9A-F]+)_|(:)|([A-Za-z0-9.-])")


def logical_id(token: str) -> str | None:
    """The logical id an :func:`nmtoken` id stands for; ``None`` when ``token`` is not one of ours."""
    parts: list[str] = []
    position = 0
    for match in _ESCAPE.finditer(token):
        if match.start() != position:
            return None
        hex_code, colon, plain = match.groups()
        if hex_code and int(hex_code, 16) > 0x10FFFF:
            return None
        parts.append(chr(int(hex_code, 16)) if hex_code else "/" if colon else plain)
        position = match.end()
    return "".join(parts) if token and position == len(token) else None


# ----------------------------------------------------------------------------------------- inline codes
@dataclass(frozen=True)
class Code:
    """An inline code as written in Markdown; ``element`` is how XLIFF carries it."""

    element: str
    """``ph`` (standalone), ``sc`` (start of a spanning code) or ``ec`` (its end)."""
    id: str
    """The code's id; an ``ec`` carries the id of its ``sc``."""
    value: str


Piece = str | Code


def pieces(text: str, *, paired: bool, source: Sequence[Piece] = ()) -> tuple[Piece, ...]:
    """``text`` as text runs and codes. With ``paired``, spanning codes become ``sc``/``ec`` pairs, else every
    code is a ``ph``. A translation passes its source's pieces: its codes then reuse the ids of equal source
    codes (what a CAT tool shows as the same tag), and codes the source lacks get new ids."""
    segments = inline.split(text)
    pairs = _pairs(segments) if paired else {}
    closer_of = {close: start for start, close in pairs.items()}
    ids = _IdPool(source)
    started: dict[int, str] = {}
    result: list[Piece] = []
    for index, segment in enumerate(segments):
        if segment.is_text:
            result.append(segment.value)
        elif index in pairs:
            started[index] = ids.take(("sc", segment.value, segments[pairs[index]].value))
            result.append(Code("sc", started[index], segment.value))
        elif index in closer_of:
            result.append(Code("ec", started[closer_of[index]], segment.value))
        else:
            result.append(Code("ph", ids.take(("ph", segment.value)), segment.value))
    return tuple(result)


def _pairs(segments: Sequence[Segment]) -> dict[int, int]:
    """Start index -> end index of spanning codes: a link or image opener with the next ``](target)``, an
    emphasis run with the next equal run. Whatever stays unpaired is written as a standalone code."""
    pairs: dict[int, int] = {}
    open_: list[int] = []
    for index, segment in enumerate(segments):
        if segment.role in (Role.LINK_OPEN, Role.IMAGE_OPEN):
            open_.append(index)
        elif segment.role in (Role.LINK_CLOSE, Role.EMPHASIS):
            start = _last_opener(segments, open_, segment)
            if start is not None:
                open_.remove(start)
                pairs[start] = index
            elif segment.role is Role.EMPHASIS:
                open_.append(index)
    return pairs


def _last_opener(segments: Sequence[Segment], open_: list[int], closer: Segment) -> int | None:
    for start in reversed(open_):
        opener = segments[start]
        if closer.role is Role.LINK_CLOSE and opener.role in (Role.LINK_OPEN, Role.IMAGE_OPEN):
            return start
        if closer.role is Role.EMPHASIS and opener.role is Role.EMPHASIS and opener.value == closer.value:
            return start
    return None


class _IdPool:
    """Ids of a source's codes by what they are, handed out once each; fresh ids after them."""

    def __init__(self, source: Sequence[Piece]) -> None:
        codes = [piece for piece in source if isinstance(piece, Code)]
        ends = {code.id: code.value for code in codes if code.element == "ec"}
        self._free: dict[tuple[str, ...], deque[str]] = {}
        for code in codes:
            if code.element != "ec":
                key = ("sc", code.value, ends.get(code.id, "")) if code.element == "sc" else ("ph", code.value)
                self._free.setdefault(key, deque()).append(code.id)
        self._next = 1 + max((int(code.id) for code in codes if code.id.isdigit()), default=0)

    def take(self, key: tuple[str, ...]) -> str:
        free = self._free.get(key)
        if free:
            return free.popleft()
        self._next += 1
        return str(self._next - 1)


def code_values(text: str) -> Counter[str]:
    """The codes a text carries, as a multiset: a translation may reorder them, not change them."""
    return Counter(segment.value for segment in inline.split(text) if not segment.is_text)


def xml_runs(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` in runs of (characters, is_valid_xml); an invalid run is a single code point."""
    position = 0
    for match in _INVALID_XML.finditer(text):
        if match.start() > position:
            yield text[position:match.start()], True
        yield match.group(0), False
        position = match.end()
    if position < len(text):
        yield text[position:], True
