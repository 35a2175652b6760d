"""Page blocks: stable ids in document order, and translated text put back without touching the rest."""

from __future__ import annotations

import random
from pathlib import Path

from courseforge.cache import DiskStore, MemoryStore, cache_scope
from courseforge.markdown import MEMOIZED_FROM_CHARS, references
from courseforge.markdown_blocks import (
    BlockKind,
    outline,
    read_outline,
    replace_blocks,
    text_blocks,
    text_references,
)

PAGE = """## Before you *start*

Read this first.
It has two lines and **bold** text.

- a list item
  that continues
- another item

> A quotation.

![A fire exit sign](../assets/exit.svg)

| Extinguisher | Use on |
|---|---|
| Water | Class A |

1. first step
2. second step

Setext heading
==============
"""


def test_blocks_in_document_order_with_kinds() -> None:
    blocks = text_blocks(PAGE)
    assert [(b.id, b.kind) for b in blocks] == [
        ("b1", BlockKind.HEADING), ("b2", BlockKind.PARAGRAPH), ("b3", BlockKind.LIST_ITEM),
        ("b4", BlockKind.LIST_ITEM), ("b5", BlockKind.QUOTE), ("b6/alt", BlockKind.IMAGE_ALT),
        ("b7", BlockKind.TABLE_CELL), ("b8", BlockKind.TABLE_CELL), ("b9", BlockKind.TABLE_CELL),
        ("b10", BlockKind.TABLE_CELL), ("b11", BlockKind.LIST_ITEM), ("b12", BlockKind.LIST_ITEM),
        ("b13", BlockKind.HEADING),
    ]
    assert blocks[1].text == "Read this first.\nIt has two lines and **bold** text."
    assert blocks[5].text == "A fire exit sign"


def test_no_replacement_is_identity() -> None:
    assert replace_blocks(PAGE, {}) == PAGE
    assert replace_blocks(PAGE, {b.id: b.text for b in text_blocks(PAGE)}) == PAGE


def test_every_block_replaced_reads_back_exactly_even_when_line_counts_change() -> None:
    blocks = text_blocks(PAGE)
    translated = {b.id: f"«{b.text}»" if b.kind is not BlockKind.PARAGRAPH else "Lies das.\nZwei\nDrei"
                  for b in blocks}
    result = replace_blocks(PAGE, translated)
    again = text_blocks(result)
    assert [b.id for b in again] == [b.id for b in blocks]
    assert {b.id: b.text for b in again} == translated


def test_one_changed_block_changes_only_its_lines() -> None:
    result = replace_blocks(PAGE, {"b5": "Ein Zitat."})
    changed = [(a, b) for a, b in zip(PAGE.splitlines(), result.splitlines(), strict=True) if a != b]
    assert changed == [("> A quotation.", "> Ein Zitat.")]


def test_table_cell_with_pipe_is_escaped() -> None:
    result = replace_blocks(PAGE, {"b9": "Wasser | kalt"})
    assert "| Wasser \\| kalt | Class A |" in result


PIECES = [
    "# Heading {n}", "## Heading with *emphasis* {n} ##", "Paragraph {n} with **bold** and a [link](p{n}.md).",
    "Two-line paragraph {n}\ncontinues here.", "- item {n}\n- another item {n}", "1. first {n}\n2. second {n}",
    "- outer {n}\n  - nested {n}", "> quoted {n}\n> still quoted", "![Alt {n}](img{n}.svg)",
    "| A{n} | B{n} |\n|---|---|\n| a{n} | b{n} |", "```\ncode {n} stays\n```", "Setext {n}\n---",
    "* star item {n}\n\n  loose paragraph {n}",
]


def test_random_documents_round_trip_every_block_translation() -> None:
    rng = random.Random(20261128)
    for case in range(300):
        parts = [rng.choice(PIECES).format(n=n) for n in range(rng.randint(1, 7))]
        document = "\n\n".join(parts) + "\n"
        blocks = text_blocks(document)
        translated = {b.id: ("Ü " + b.text + (" ende\nzweite Zeile" if case % 3 == 0 and b.kind is not
                                               BlockKind.TABLE_CELL and b.kind is not BlockKind.IMAGE_ALT
                                               and b.kind is not BlockKind.HEADING else "")) for b in blocks}
        result = replace_blocks(document, translated)
        assert {b.id: b.text for b in text_blocks(result)} == translated, document
        assert replace_blocks(document, {}) == document


def test_line_breaks_in_a_translated_heading_or_cell_keep_the_structure() -> None:
    result = replace_blocks(PAGE, {"b1": "Bevor Sie\nbeginnen", "b9": "Wasser\nkalt"})
    blocks = {b.id: b for b in text_blocks(result)}
    assert (blocks["b1"].kind, blocks["b1"].text) == (BlockKind.HEADING, "Bevor Sie beginnen")
    assert (blocks["b9"].kind, blocks["b9"].text) == (BlockKind.TABLE_CELL, "Wasser kalt")
    assert len(blocks) == len(text_blocks(PAGE))


def test_outlines_from_the_cache_equal_the_parsed_ones(tmp_path: Path) -> None:
    """The store's copy decodes to exactly what parsing finds (kinds, lines, cells, references), from memory and
    disk; short texts are parsed every time."""
    rng = random.Random(7)
    documents = [PAGE * 3] + ["\n\n".join(rng.choice(PIECES).format(n=n) for n in range(40)) + "\n" for _ in range(20)]
    assert all(len(document) >= MEMOIZED_FROM_CHARS for document in documents)
    for store in (MemoryStore(), DiskStore(tmp_path)):
        with cache_scope(store):
            first = [outline(document) for document in documents]
            again = [outline(document) for document in documents]
            blocks = [text_blocks(document) for document in documents]
            found = [text_references(document) for document in documents]
        parsed = [read_outline(document) for document in documents]
        assert first == again == parsed
        assert blocks == [o.blocks for o in parsed] and found == [o.references for o in parsed]
        assert all(isinstance(block.kind, BlockKind) for o in again for block in o.blocks)
        assert any(o.references for o in again)
    assert DiskStore(tmp_path).namespaces()["md-outline"] == len(documents)  # one entry a document
    assert text_references(PAGE) == references(PAGE) and len(PAGE) < MEMOIZED_FROM_CHARS


def test_replacing_with_the_blocks_given_equals_finding_them() -> None:
    translated = {b.id: f"«{b.text}»" for b in text_blocks(PAGE)}
    assert replace_blocks(PAGE, translated, text_blocks(PAGE)) == replace_blocks(PAGE, translated)
    one_cell = {"b10": "Klasse A"}  # the last cell of a row alone: the row is still rewritten once
    assert "| Water | Klasse A |" in replace_blocks(PAGE, one_cell, text_blocks(PAGE))
