"""The shared Markdown dialect's references: found once per text, the same from the cache as parsed."""

from __future__ import annotations

from pathlib import Path

from courseforge.cache import DiskStore, MemoryStore, cache_scope
from courseforge.markdown import MEMOIZED_FROM_CHARS, Reference, RefKind, find_references, references

LONG = ("# Fire\n\nSee [the exits](evacuation.md#map) and [HSE](https://www.hse.gov.uk/).\n\n"
        "![A fire exit sign](../assets/exit.svg)\n\n- item with ![](../assets/no-alt.svg)\n\n"
        + "Plain text that makes the page long enough to be memoized. " * 10)


def test_links_and_images_with_their_lines() -> None:
    assert len(LONG) >= MEMOIZED_FROM_CHARS
    assert references(LONG) == (
        Reference(RefKind.LINK, "evacuation.md#map", "the exits", 2),
        Reference(RefKind.LINK, "https://www.hse.gov.uk/", "HSE", 2),
        Reference(RefKind.IMAGE, "../assets/exit.svg", "A fire exit sign", 4),
        Reference(RefKind.IMAGE, "../assets/no-alt.svg", "", 6),
    )
    assert references("no brackets at all") == ()
    assert references("a [short](link.md)") == (Reference(RefKind.LINK, "link.md", "short", 0),)


def test_references_from_the_cache_equal_the_parsed_ones(tmp_path: Path) -> None:
    for store in (MemoryStore(), DiskStore(tmp_path)):
        with cache_scope(store):
            first, again = references(LONG), references(LONG)
        assert first == again == find_references(LONG)
        assert all(isinstance(reference.kind, RefKind) for reference in again)
    assert any((tmp_path / "md-references").rglob("*"))
