"""The shared Markdown dialect's references: links and images with the line of their block."""

from __future__ import annotations

from courseforge.markdown import Reference, RefKind, parse_blocks, parse_inlines, parser, references

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


def test_a_parse_in_two_phases_is_a_whole_parse() -> None:
    """Blocks (with the page's reference definitions) first, then each inline text alone: the same tokens."""
    text = PAGE + "\n[ref]: https://example.com\n\n| a | [r][ref] |\n|---|---|\n| `x` | **y** |\n"
    tokens, env = parse_blocks(text)
    inlines = iter(parse_inlines([t.content for t in tokens if t.type == "inline"], env))
    for token in tokens:
        if token.type == "inline":
            token.children = next(inlines).children
    assert [t.as_dict() for t in tokens] == [t.as_dict() for t in parser().parse(text)]
    assert "REF" in env["references"]
