"""The shared Markdown dialect's references: links and images with the line of their block."""

from __future__ import annotations

from courseforge.cache import MemoryStore, cache_scope
from courseforge.markdown import Reference, RefKind, parse_once, parse_to_share, parser, recent_parses, references

PAGE = ("# Fire\n\nSee [the exits](evacuation.md#map) and [HSE](https://www.hse.gov.uk/).\n\n"
        "![A fire exit sign](../assets/exit.svg)\n\n- item with ![](../assets/no-alt.svg)\n")


def test_links_and_images_with_their_lines() -> None:
    assert references(PAGE) == (
        Reference(RefKind.LINK, "evacuation.md#map", "the exits", 2),
        Reference(RefKind.LINK, "https://www.hse.gov.uk/", "HSE", 2),
        Reference(RefKind.IMAGE, "../assets/exit.svg", "A fire exit sign", 4),
        Reference(RefKind.IMAGE, "../assets/no-alt.svg", "", 6),
    )
    assert references("no brackets at all") == ()


def test_a_parse_for_an_outline_is_handed_once_to_the_render_of_the_same_text() -> None:
    text = "# Title\n\nSee [the map](map.pdf) and ![a sign](sign.png).\n" * 20
    with cache_scope(MemoryStore()):
        shared = parse_to_share(text)
        assert parse_once(text) is shared  # handed on, not parsed again
        assert recent_parses().take(text) is None  # and only once: the render rewrites it in place
        assert [t.type for t in parse_once(text)] == [t.type for t in parser().parse(text)]
    parse_to_share(text)
    assert parse_once(text) is not shared  # no store: nothing is kept
