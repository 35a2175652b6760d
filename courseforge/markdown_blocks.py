"""A page's translatable blocks (headings, paragraphs, list items, table cells, image alt text), and
putting translated blocks back into the Markdown source.

Extraction and localization both go through here, so block ids (``b1``, ``b2``, ... in document order;
``b7/alt`` for a paragraph that is only an image) always agree between the catalog and the build.
Replacement rewrites only the lines of blocks that changed, so untouched Markdown stays byte-identical.
A page is parsed once per body for its :class:`Outline` (blocks and references, memoized together), which
validation, extraction and every locale's build then share.

A page's block structure is parsed once per course too (:class:`SharedPage`): a localized body made by
:func:`replace_blocks` is rendered from its source's structure with only the translated blocks' text parsed
(:func:`shared_parse`), when that provably gives the tokens a whole parse of the localized body gives
(:func:`inline_content` says when; otherwise the body is parsed whole).
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from itertools import repeat
from sys import getsizeof
from threading import Lock
from typing import Any, Generic, NamedTuple, TypeVar, cast

from markdown_it.token import Token

from courseforge.cache import JSON, Codec, active_store, memoized
from courseforge.markdown import (
    DIALECT,
    MEMOIZED_FROM_CHARS,
    BlockSkeleton,
    Reference,
    RefKind,
    Slot,
    compact,
    parse_blocks,
    parse_inlines,
    parser,
    references,
    references_in,
    skeleton,
)
from courseforge.object_memo import kept

LIST_MARKER = re.compile(r"[-*+]|\d{1,9}[.)]")
ROW_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t])))*[ \t]*")
"""What a table row's line starts with before the row: indentation, quote and list markers (a row in a list
item or a quote keeps it, else the table would leave its container)."""
OUTLINE_VERSION = 1
"""Bump when :func:`read_outline` would find other blocks or references in the same Markdown (memoized)."""


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list item"
    QUOTE = "quotation"
    TABLE_CELL = "table cell"
    IMAGE_ALT = "image alt text"


class TextBlock(NamedTuple):
    """A translatable block (a named tuple: a kept page makes its blocks again for each locale that asks, and a
    tuple is made three times faster than a frozen dataclass)."""

    id: str
    """``b<n>`` for the n-th block (``block_id``)."""
    kind: BlockKind
    text: str
    """The block's inline Markdown as written (for IMAGE_ALT: the alt text only)."""
    line: int
    """0-based first line of the block in the Markdown text."""
    end: int
    """0-based line after the block."""
    cell: int = -1
    """Column of a table cell in its row."""


def block_id(number: int, kind: BlockKind) -> str:
    """The id of a page's ``number``-th block (from 1): an image's alt text is its paragraph's ``/alt``."""
    return f"b{number}/alt" if kind is BlockKind.IMAGE_ALT else f"b{number}"


@cache
def _first_ids(count: int) -> tuple[str, ...]:
    return tuple(block_id(number, BlockKind.PARAGRAPH) for number in range(1, count + 1))


def block_ids(count: int) -> tuple[str, ...]:
    """The ids of a page's first ``count`` blocks but image alt texts (``block_id``), made once for every page (in
    as many as the next power of two)."""
    return _first_ids(1 << max(count - 1, 0).bit_length())[:count]


def lone_image_alt(text: str) -> str | None:
    """The alt text when the whole inline text is one image ``![alt](target)`` (brackets may nest)."""
    if not (text.startswith("![") and text.endswith(")")):
        return None
    depth = 0
    for position in range(1, len(text)):
        char = text[position]
        if char == "\\":
            continue
        if char == "[" and text[position - 1] != "\\":
            depth += 1
        elif char == "]" and text[position - 1] != "\\":
            depth -= 1
            if depth == 0:
                rest = text[position + 1:]
                is_target = rest.startswith("(") and rest.count("(") == rest.count(")") and "\n" not in rest
                return text[2:position] if is_target and rest.rfind(")") == len(rest) - 1 else None
    return None


def _context(tokens: list[Token], index: int) -> BlockKind:
    """What kind of block the inline token at ``index`` belongs to, from the tokens that open it."""
    opener = tokens[index - 1]
    if opener.type == "heading_open":
        return BlockKind.HEADING
    if opener.type in ("th_open", "td_open"):
        return BlockKind.TABLE_CELL
    for token in reversed(tokens[: index - 1]):
        if token.type == "list_item_open" and token.level < opener.level:
            return BlockKind.LIST_ITEM
        if token.type == "blockquote_open" and token.level < opener.level:
            return BlockKind.QUOTE
        if token.level == 0:
            break
    return BlockKind.PARAGRAPH


@dataclass(frozen=True)
class Outline:
    """What one parse of a page finds: its translatable blocks and its links and images."""

    blocks: tuple[TextBlock, ...]
    references: tuple[Reference, ...]


def outline(markdown: str) -> Outline:
    """The text's outline, parsed once per body while a cache store is active (a short text: every time)."""
    if len(markdown) < MEMOIZED_FROM_CHARS:
        return read_outline(markdown)
    return memoized("md-outline", (OUTLINE_VERSION, DIALECT, markdown), lambda: read_outline(markdown), OUTLINE_CODEC)


def text_blocks(markdown: str) -> tuple[TextBlock, ...]:
    """From the text's shared structure when it is kept (every locale asks; no outline to decode), else its
    outline."""
    shared = shared_pages().get(markdown) if len(markdown) >= MEMOIZED_FROM_CHARS else None
    return shared.text_blocks(markdown) if shared is not None else outline(markdown).blocks


def text_references(markdown: str) -> tuple[Reference, ...]:
    """``markdown.references``, from the outline when the text is long enough to be memoized."""
    return outline(markdown).references if len(markdown) >= MEMOIZED_FROM_CHARS else references(markdown)


def _encode_outline(found: Outline) -> bytes:
    """Rows of fields (``dataclasses.astuple`` would deep-copy every one first)."""
    return JSON.encode({"blocks": [(b.id, b.kind.value, b.text, b.line, b.end, b.cell) for b in found.blocks],
                        "references": [(r.kind.value, r.target, r.alt, r.line) for r in found.references]})


def _decode_outline(data: bytes) -> Outline:
    rows: dict[str, list[list[Any]]] = JSON.decode(data)
    blocks = tuple(TextBlock(block_id, BlockKind(kind), text, line, end, cell)
                   for block_id, kind, text, line, end, cell in rows["blocks"])
    found = tuple(Reference(RefKind(kind), target, alt, line) for kind, target, alt, line in rows["references"])
    return Outline(blocks, found)


OUTLINE_CODEC: Codec[Outline] = Codec(_encode_outline, _decode_outline)


def read_outline(markdown: str) -> Outline:
    """One parse; a long text's block structure is kept for its render (:func:`shared_page`)."""
    env: dict[str, Any] = {}
    tokens = parser().parse(markdown, env)
    blocks = blocks_in(tokens)
    if len(markdown) >= MEMOIZED_FROM_CHARS:
        page = SharedPage.keep(skeleton(tokens, env, markdown, parsed=True), blocks)
        if page is not None:
            shared_pages().put(markdown, page)
        parsed_inlines().put(markdown, [token for token in tokens if token.type == "inline"])
    return Outline(blocks, references_in(tokens))


def blocks_in(tokens: list[Token]) -> tuple[TextBlock, ...]:
    blocks: list[TextBlock] = []
    cell = 0
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            cell = 0
        if token.type != "inline" or not token.map:
            continue
        kind = _context(tokens, index)
        text = token.content
        alt = lone_image_alt(text) if kind is BlockKind.PARAGRAPH else None
        if alt is not None:
            kind, text = BlockKind.IMAGE_ALT, alt
        blocks.append(TextBlock(block_id(len(blocks) + 1, kind), kind, text, token.map[0], token.map[1],
                                cell if kind is BlockKind.TABLE_CELL else -1))
        if kind is BlockKind.TABLE_CELL:
            cell += 1
    return tuple(blocks)


def _prefix(line: str, content_line: str) -> str:
    position = line.find(content_line) if content_line else len(line.rstrip("\n"))
    return line[:position] if position >= 0 else ""


def _continuation(first_prefix: str) -> str:
    """Indentation for extra lines of a translated block: list markers become spaces, '>' stays."""
    return LIST_MARKER.sub(lambda m: " " * len(m.group(0)), first_prefix)


def _replace_lines(lines: list[str], block: TextBlock, new_text: str) -> None:
    source_lines = block.text.split("\n")
    start, span = block.line, len(source_lines)
    first = lines[start]
    prefix = _prefix(first, source_lines[0])
    if block.kind is BlockKind.HEADING and span == 1:  # a heading is one line
        suffix = first[len(prefix) + len(source_lines[0]):].rstrip("\n")
        new_lines = [prefix + (" ".join(new_text.split("\n")) if "\n" in new_text else new_text) + suffix]
    elif "\n" not in new_text:
        new_lines = [prefix + new_text]
    else:
        continuation = _prefix(lines[start + 1], source_lines[1]) if span > 1 else _continuation(prefix)
        first_line, *more = new_text.split("\n")
        new_lines = [prefix + first_line, *(continuation + extra for extra in more)]
    ending = "\n" if lines[start + span - 1].endswith("\n") else ""
    if span == 1 and len(new_lines) == 1:
        lines[start] = new_lines[0] + ending
        return
    new_lines[-1] += ending
    lines[start:start + span] = [line + "\n" for line in new_lines[:-1]] + new_lines[-1:]


def _replace_row(lines: list[str], row: list[TextBlock], replacements: Mapping[str, str]) -> None:
    cells = [" ".join(replacements[b.id].replace("|", "\\|").split("\n")) if b.id in replacements else b.text
             for b in row]  # a table row is one line: a translated cell may not break it
    line = lines[row[0].line]
    newline = "\n" if line.endswith("\n") else ""
    prefix = ROW_PREFIX.match(line)
    lines[row[0].line] = (prefix.group(0) if prefix else "") + "| " + " | ".join(cells) + " |" + newline


def _replace_alt(lines: list[str], block: TextBlock, new_alt: str) -> None:
    line = lines[block.line]
    marker = f"![{block.text}]"
    lines[block.line] = line.replace(marker, f"![{new_alt}]", 1)


def replace_blocks(markdown: str, replacements: Mapping[str, str],
                   blocks: Sequence[TextBlock] | None = None) -> str:
    """The Markdown with the given blocks' text replaced; blocks not in ``replacements`` (or unchanged)
    keep their source lines byte for byte. ``blocks``: the text's :func:`text_blocks`, when the caller
    has them already."""
    blocks = text_blocks(markdown) if blocks is None else blocks
    changed = [(block, new) for block in blocks if (new := replacements.get(block.id, block.text)) != block.text]
    if not changed:
        return markdown
    lines = markdown.splitlines(keepends=True)
    cells = sorted((block for block, _ in changed if block.kind is BlockKind.TABLE_CELL), key=_cell)
    last_changed_cell = {block.line: block.cell for block in cells}
    rows = table_rows(blocks) if cells else {}
    # Bottom-up, so replacing a block never shifts the lines of blocks still to be replaced.
    for block, new in sorted(changed, key=_place, reverse=True):
        if block.kind is BlockKind.TABLE_CELL:
            if block.cell == last_changed_cell[block.line]:
                _replace_row(lines, rows[block.line], replacements)
        elif block.kind is BlockKind.IMAGE_ALT:
            _replace_alt(lines, block, new)
        else:
            _replace_lines(lines, block, new)
    localized = "".join(lines)
    translations().put(localized, Translation(markdown, {block.id: new for block, new in changed}))
    return localized


def _cell(block: TextBlock) -> int:
    return block.cell


def _place(change: tuple[TextBlock, str]) -> tuple[int, int]:
    return change[0].line, change[0].cell


def table_rows(blocks: Sequence[TextBlock]) -> dict[int, list[TextBlock]]:
    """Table cells by the line of their row."""
    rows: dict[int, list[TextBlock]] = {}
    for block in blocks:
        if block.kind is BlockKind.TABLE_CELL:
            rows.setdefault(block.line, []).append(block)
    return rows


# ------------------------------------------------------------------------------ one block parse per course
V = TypeVar("V")
SHARED_PAGES_WEIGHT = 8 * 2**20
"""What the kept page structures weigh at most (bytes, :attr:`SharedPage.weight`): some 1,250 pages of 1,500 words
(the bench course's 1,000 pages weigh 6.4 MiB; tracemalloc finds 6.5 MiB held, the shelf's entries with them).
A page beyond them is parsed whole in each locale: the same HTML, more CPU."""
TRANSLATIONS_KEPT = 8192
INLINES_KEPT = 4
"""Localized bodies whose making is remembered until their render (taken then, so about one locale's pages)."""


class Shelf(Generic[V]):
    """Values by text, least recently used out first past a total weight."""

    def __init__(self, max_weight: int, weight: Callable[[V], int]) -> None:
        self.max_weight = max_weight
        self._weight_of = weight
        self._entries: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = Lock()

    def put(self, text: str, value: V, evict: bool = True) -> None:
        """Keep ``value``; when full, the least recently used go, unless not ``evict``: then it is not kept."""
        weight = self._weight_of(value)
        with self._lock:
            if not evict and self._weight + weight > self.max_weight:
                return
            old = self._entries.pop(text, None)
            self._weight += weight - (old[1] if old is not None else 0)
            self._entries[text] = (value, weight)
            while self._weight > self.max_weight:
                self._weight -= self._entries.popitem(last=False)[1][1]

    def get(self, text: str) -> V | None:
        with self._lock:
            found = self._entries.get(text)
            if found is None:
                return None
            self._entries.move_to_end(text)
            return found[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def take(self, text: str) -> V | None:
        with self._lock:
            found = self._entries.pop(text, None)
            if found is None:
                return None
            self._weight -= found[1]
            return found[0]


KINDS = tuple(BlockKind)
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
ALT_CODE = KIND_CODES[BlockKind.IMAGE_ALT]


@dataclass(frozen=True, slots=True)
class SharedPage:
    """A source text's block structure, parsed once and shared by the render of every locale. It holds its
    translatable blocks in arrays, no object a block (:meth:`text_blocks` makes them for a caller that asks): a
    dozen objects a page, weighing less than the text (mostly the HTML of the slots no render changes)."""

    skeleton: BlockSkeleton
    kinds: bytes
    """Each translatable block's kind (its index in ``KINDS``); the i-th is the skeleton's i-th inline slot."""
    lines: array[int]
    """Each block's first line, the line after it, and 1 + its table cell column (0: not a cell)."""

    @classmethod
    def keep(cls, shared: BlockSkeleton, blocks: Sequence[TextBlock]) -> SharedPage | None:
        """The page of this skeleton and these blocks; None when they are not its inline slots one for one (no
        block rule makes an inline token without a line map, so never seen: such a page is parsed whole)."""
        if len(blocks) != len(shared.contents):
            return None
        lines = compact([number for block in blocks for number in (block.line, block.end, block.cell + 1)])
        return cls(shared, bytes(KIND_CODES[block.kind] for block in blocks), lines)

    def text_blocks(self, source: str) -> tuple[TextBlock, ...]:
        """The blocks of ``source`` (the text this page was parsed from), as :func:`blocks_in` found them."""
        return self.blocks_of(self.skeleton.contents.strings(source))

    def blocks_of(self, contents: list[str]) -> tuple[TextBlock, ...]:
        """The blocks, from the skeleton's slot contents (``contents``, which this takes for the blocks' texts)."""
        kinds = [KINDS[code] for code in self.kinds]
        ids = list(block_ids(len(kinds)))
        alt = self.kinds.find(ALT_CODE)
        while alt >= 0:
            ids[alt] = block_id(alt + 1, BlockKind.IMAGE_ALT)
            contents[alt] = lone_image_alt(contents[alt]) or ""  # what blocks_in took of the paragraph's text
            alt = self.kinds.find(ALT_CODE, alt + 1)
        lines = self.lines
        rows = zip(ids, kinds, contents, lines[0::3], lines[1::3], [cell - 1 for cell in lines[2::3]], strict=True)
        # Each row made a named tuple as TextBlock._make does, without a Python call a block (half the time).
        return cast(tuple[TextBlock, ...], tuple(map(tuple.__new__, repeat(TextBlock), rows)))

    @property
    def weight(self) -> int:
        return sum(map(getsizeof, (self, self.kinds, self.lines))) + self.skeleton.weight


@dataclass(frozen=True, slots=True)
class Translation:
    """How :func:`replace_blocks` made a localized body: the source and the text of each block it changed."""

    source: str
    changes: Mapping[str, str]


_SHARED_PAGES: Shelf[SharedPage] = Shelf(SHARED_PAGES_WEIGHT, lambda page: page.weight)


def shared_pages() -> Shelf[SharedPage]:
    """The process's, while a cache store is active (with none: a new, empty one, so nothing is kept). Not the
    store's own memo: a build runs each locale's task in a scope of its own (a recorder or layered store in
    front of the build's), and the structure is for every locale; what it holds is a pure function of each
    text (and the dialect, fixed in a process), so it cannot go stale."""
    return _SHARED_PAGES if active_store() is not None else Shelf(0, lambda page: page.weight)


def translations() -> Shelf[Translation]:
    return kept("md-translations", DIALECT, lambda: Shelf(TRANSLATIONS_KEPT, lambda _: 1), lambda _: 0)


def parsed_inlines() -> Shelf[list[Token]]:
    """The inline tokens of the last few texts validation parsed, each handed once to the render of the same
    text (which rewrites them in place): a rebuild after one page's edit parses that page's text once."""
    return kept("md-inlines", DIALECT, lambda: Shelf(INLINES_KEPT, lambda _: 1), lambda _: 0)


def translation_of(text: str) -> Translation | None:
    """How ``text`` was localized, once (the renderer asks for every body it renders, so nothing lingers)."""
    return translations().take(text)


def shared_page(source: str, build: bool) -> SharedPage | None:
    """The kept structure of ``source``; else, when ``build``, a block parse of it, kept if there is room (a
    page validated later goes first: validation parses every page of a course before any render, and a render
    that put out the pages the next ones need would leave a course larger than the shelf nothing to share)."""
    found = shared_pages().get(source)
    if found is not None or not build:
        return found
    tokens, env = parse_blocks(source)
    page = SharedPage.keep(skeleton(tokens, env, source), blocks_in(tokens))
    if page is not None:
        shared_pages().put(source, page, evict=False)
    return page


def shared_parse(text: str, origin: Translation | None) -> tuple[BlockSkeleton, list[Token | str | None]] | None:
    """The skeleton and what renders each inline slot of ``text`` exactly as its whole parse does, from its
    source's shared structure (``origin``: how it was localized; None: ``text`` is a source itself): an inline
    token, the slot's HTML (a plain text), or None where the skeleton has the HTML of it (``Slot.HTML``: the
    source's text there). None when the structure is not at hand (a short text seen once) or a translation
    could change it."""
    source = text if origin is None else origin.source
    page = shared_page(source, build=origin is not None or len(text) >= MEMOIZED_FROM_CHARS)
    if page is None:
        return None
    shared = page.skeleton
    if origin is None:
        handed = parsed_inlines().take(text)
        if handed is not None:
            return shared, [None if kind == Slot.HTML else token for kind, token in zip(shared.kinds, handed,
                                                                                         strict=True)]
    changed = {} if origin is None else translated_slots(page, source, origin.changes)
    return None if changed is None else (shared, inline_slots(shared, source, changed))


def inline_slots(shared: BlockSkeleton, source: str, changed: Mapping[int, str]) -> list[Token | str | None]:
    """What renders each slot (``changed``: the new content of some): a parsed inline token, a plain slot's
    text, or None where the skeleton's HTML of it stands."""
    renders: list[Token | str | None] = [None] * len(shared.kinds)
    needed: list[int] = []
    for index, kind in enumerate(shared.kinds):
        if index in changed or kind == Slot.PARSED:
            needed.append(index)
        elif kind == Slot.PLAIN:
            renders[index] = shared.contents.get(index, source)
    contents = [changed[index] if index in changed else shared.contents.get(index, source) for index in needed]
    for index, token in zip(needed, parse_inlines(contents, shared.env), strict=True):
        renders[index] = token
    return renders


# Why the inline content is known without parsing (replace_blocks' lines, parsed by markdown-it-py's block rules):
# a changed block's lines are the source's container prefixes followed by the translation's lines, and the
# block rules decide structure from those prefixes and from how each line starts, never from the rest of a
# line. So the structure stays the source's when no translated line could start or end a block (a blank line,
# leading whitespace, a block start: heading, quote, list item, rule, fence, table, HTML, setext underline,
# reference definition) or be read as a table row ('|' anywhere), and when the prefixes put before the
# translated lines are exactly what the parser strips (checked below). Then each inline token's content is
# the translation (a heading's joined to one line), so inline parsing it alone gives the same tokens.
SOURCE_UNSAFE = re.compile("[\r\0\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
"""In a source: line breaks ``str.splitlines`` sees and markdown-it-py does not (replace_blocks would replace
other lines than the blocks' own), and what markdown-it-py normalizes (CR, NUL)."""
TEXT_UNSAFE = re.compile("[|\r\0]")
LINE_UNSAFE = re.compile(r"^(?:\s|[-+*](?:[ \t]|$)|\d{1,9}[.)]|#{1,6}(?:[ \t]|$)|[>|<]|`{3,}|~{3,}"
                         r"|[-*_=:][-*_=:| \t]*$)", re.MULTILINE)
"""A line that may start a block or end a paragraph: blank or indented (``\\s`` is what ``str.isspace`` sees), a
list item, an ATX heading, a quote, a table row, HTML, a fence, or rule characters only (a thematic break, a
setext underline, a table's delimiter row)."""
REFERENCE_START = re.compile(r"^\[", re.MULTILINE)
OPENING_PREFIX = re.compile(r"(?: *(?:> ?|(?:[-+*]|\d{1,9}[.)]) {1,4}))*")
"""A first line's prefix that only opens containers (no indentation of its own): its continuation
(``_continuation``) is exactly what the parser strips from a further line."""


def _safe_text(text: str) -> bool:
    """No translated line can start or end a block, or make a table row."""
    if not text or text != text.strip() or TEXT_UNSAFE.search(text) or LINE_UNSAFE.search(text):
        return False
    return "]:" not in text or not REFERENCE_START.search(text)  # else it may open with a reference definition


def _located(line: str, content_line: str) -> bool:
    """``_prefix`` finds the content line where it is (the first occurrence, and there is no other), after a
    prefix without tabs (whose width the parser counts in columns)."""
    position = line.find(content_line) if content_line else -1
    return position >= 0 and line.find(content_line, position + 1) < 0 and "\t" not in line[:position]


def _plain_row(line: str, row: Sequence[TextBlock]) -> bool:
    """A top-level table row (``_replace_row`` writes it without a prefix: a row in a list item or a quote would
    leave it) of cells without pipes (it writes each untranslated cell's text back as it is)."""
    top_level = line.startswith("|") or not LINE_UNSAFE.match(line)
    return top_level and not any("|" in cell.text for cell in row)


def inline_content(block: TextBlock, new_text: str, lines: Sequence[str], content: str,
                   row: Sequence[TextBlock]) -> str | None:
    """The content of the block's inline token in a whole parse of :func:`replace_blocks`' output (the block's
    text replaced by ``new_text``), when that is provably it and the page's block structure is unchanged;
    None otherwise. ``lines``: the source's; ``content``: the block's inline content in the source (an
    image's paragraph); ``row``: a table cell's row."""
    if not _safe_text(new_text):
        return None
    first = lines[block.line]
    if block.kind is BlockKind.TABLE_CELL:
        return new_text if "\n" not in new_text and _plain_row(first, row) else None
    if block.kind is BlockKind.IMAGE_ALT:
        marker = f"![{block.text}]"
        if "\n" in new_text or "\n" in content or first.find(marker) != first.find(content):
            return None
        return f"![{new_text}]{content[len(marker):]}"
    source_lines = block.text.split("\n")
    if not _located(first, source_lines[0]):
        return None
    if block.kind is BlockKind.HEADING and len(source_lines) == 1:
        joined = " ".join(new_text.split("\n"))
        return None if joined.endswith("#") else joined  # a closing sequence would be stripped
    if "\n" in new_text and not _continues(lines, block, source_lines):
        return None
    return new_text


def _continues(lines: Sequence[str], block: TextBlock, source_lines: list[str]) -> bool:
    """The prefix ``_replace_lines`` puts before a translation's further lines is stripped whole by the parser:
    the source's own second-line prefix (stripped there, and nothing in it depends on what follows), or the
    continuation of a first line that only opens containers."""
    if len(source_lines) > 1:
        return _located(lines[block.line + 1], source_lines[1])
    return OPENING_PREFIX.fullmatch(_prefix(lines[block.line], source_lines[0])) is not None


def translated_slots(page: SharedPage, source: str, changes: Mapping[str, str]) -> dict[int, str] | None:
    """The content of each inline slot a translation changes in a whole parse of the localized body (by slot),
    or None when it is not provably known."""
    if SOURCE_UNSAFE.search(source):
        return None
    contents = page.skeleton.contents.strings(source)
    blocks = page.blocks_of(list(contents))
    lines = source.splitlines(keepends=True)
    rows = table_rows(blocks)
    changed: dict[int, str] = {}
    for index, block in enumerate(blocks):
        new_text = changes.get(block.id)
        if new_text is None:
            continue
        content = inline_content(block, new_text, lines, contents[index], rows.get(block.line, ()))
        if content is None:
            return None
        if content != contents[index]:
            changed[index] = content
    return changed
