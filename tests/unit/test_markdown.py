"""The shared Markdown dialect's references: links and images with the line of their block."""

from __future__ import annotations

from courseforge.markdown import Reference, RefKind, references

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
