"""A page's translatable blocks (headings, paragraphs, list items, table cells, image alt text), and
putting translated blocks back into the Markdown source.

Extraction and localization both go through here, so block ids (``b1``, ``b2``, ... in document order;
``b7/alt`` for a paragraph that is only an image) always agree between the catalog and the build.
Replacement rewrites only the lines of blocks that changed, so untouched Markdown stays byte-identical.
A page is parsed once per body for its :class:`Outline` (blocks and references, memoized together), which
validation, extraction and every locale's build then share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from markdown_it.token import Token

from courseforge.cache import JSON, Codec, memoized
from courseforge.markdown import (
    DIALECT,
    MEMOIZED_FROM_CHARS,
    Reference,
    RefKind,
    parse_to_share,
    references,
    references_in,
)

LIST_MARKER = re.compile(r"[-*+]|\d{1,9}[.)]")
OUTLINE_VERSION = 1
"""Bump when :func:`read_outline` would find other blocks or references in the same Markdown (memoized)."""


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list item"
    QUOTE = "quotation"
    TABLE_CELL = "table cell"
    IMAGE_ALT = "image alt text"


@dataclass(frozen=True)
class TextBlock:
    id: str
    kind: BlockKind
    text: str
    """The block's inline Markdown as written (for IMAGE_ALT: the alt text only)."""
    line: int
    """0-based first line of the block in the Markdown text."""
    end: int
    """0-based line after the block."""
    cell: int = -1
    """Column of a table cell in its row."""


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
    return outline(markdown).blocks


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
    tokens = parse_to_share(markdown)
    return Outline(blocks_in(tokens), references_in(tokens))


def blocks_in(tokens: list[Token]) -> tuple[TextBlock, ...]:
    blocks: list[TextBlock] = []
    cell = 0
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            cell = 0
        if token.type != "inline" or not token.map:
            continue
        kind = _context(tokens, index)
        block_id = f"b{len(blocks) + 1}"
        text = token.content
        alt = lone_image_alt(text) if kind is BlockKind.PARAGRAPH else None
        if alt is not None:
            kind, block_id, text = BlockKind.IMAGE_ALT, f"{block_id}/alt", alt
        blocks.append(TextBlock(block_id, kind, text, token.map[0], token.map[1],
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
    first = lines[block.line]
    prefix = _prefix(first, source_lines[0])
    suffix = first[len(prefix) + len(source_lines[0]):] if len(source_lines) == 1 else ""
    if block.kind is BlockKind.HEADING and len(source_lines) == 1:
        replaced = [prefix + " ".join(new_text.split("\n")) + suffix.rstrip("\n")]  # a heading is one line
        span = 1
    else:
        span = len(source_lines)
        continuation = (_prefix(lines[block.line + 1], source_lines[1]) if span > 1
                        else _continuation(prefix))
        new_lines = new_text.split("\n")
        replaced = [prefix + new_lines[0]] + [continuation + extra for extra in new_lines[1:]]
    lines[block.line:block.line + span] = [line + "\n" for line in replaced[:-1]] + [
        replaced[-1] + ("\n" if lines[block.line + span - 1].endswith("\n") else "")
    ]


def _replace_row(lines: list[str], row: list[TextBlock], replacements: Mapping[str, str]) -> None:
    cells = [" ".join(replacements[b.id].replace("|", "\\|").split("\n")) if b.id in replacements else b.text
             for b in row]  # a table row is one line: a translated cell may not break it
    newline = "\n" if lines[row[0].line].endswith("\n") else ""
    lines[row[0].line] = "| " + " | ".join(cells) + " |" + newline


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
    changed = [b for b in blocks if b.id in replacements and replacements[b.id] != b.text]
    if not changed:
        return markdown
    lines = markdown.splitlines(keepends=True)
    rows: dict[int, list[TextBlock]] = {}
    for block in blocks:
        if block.kind is BlockKind.TABLE_CELL:
            rows.setdefault(block.line, []).append(block)
    last_changed_cell = {b.line: b.cell for b in sorted(changed, key=lambda b: b.cell)
                         if b.kind is BlockKind.TABLE_CELL}
    # Bottom-up, so replacing a block never shifts the lines of blocks still to be replaced.
    for block in sorted(changed, key=lambda b: (b.line, b.cell), reverse=True):
        if block.kind is BlockKind.TABLE_CELL:
            if block.cell == last_changed_cell[block.line]:
                _replace_row(lines, rows[block.line], replacements)
        elif block.kind is BlockKind.IMAGE_ALT:
            _replace_alt(lines, block, replacements[block.id])
        else:
            _replace_lines(lines, block, replacements[block.id])
    return "".join(lines)
