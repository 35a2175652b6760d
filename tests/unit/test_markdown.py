"""The shared Markdown dialect's references: links and images with the line of their block."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from courseforge.markdown import Reference, RefKind, Texts, compact, parse_blocks, parse_inlines, parser, references

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


@given(source=st.text("ab\n -*", max_size=40), strings=st.lists(st.text("ab\nc -", max_size=6), max_size=8))
def test_texts_give_back_the_strings_they_hold(source: str, strings: list[str]) -> None:
    """Found in the source or not, in order or not, each string comes back as it was; only those not in the
    source (after the previous string found) are held as themselves."""
    texts = Texts.found_in(source, strings)
    assert texts.strings(source) == strings and len(texts) == len(strings)
    bounds = texts.bounds.tolist()
    assert len(texts.others) == sum(start > end for start, end in zip(bounds[::2], bounds[1::2], strict=True))


@given(source=st.text("ab\n -*", max_size=40), cuts=st.lists(st.integers(0, 40), max_size=10))
def test_strings_of_the_source_in_order_are_all_held_as_offsets(source: str, cuts: list[int]) -> None:
    """Pieces of the source in document order (a page's blocks) hold no copy of their text."""
    points = sorted(min(cut, len(source)) for cut in cuts)
    pieces = [source[start:end] for start, end in zip(points[::2], points[1::2], strict=False)]
    texts = Texts.found_in(source, pieces)
    assert texts.strings(source) == pieces and texts.others == ()


def test_texts_of_a_page_point_into_it() -> None:
    """A block's text as written is where it is in the page; a paragraph's lines joined without their
    indentation are not in it."""
    source = "# Title\n\n- item one\n  continued\n- item two\n"
    tokens, _env = parse_blocks(source)
    contents = [token.content for token in tokens if token.type == "inline"]
    texts = Texts.found_in(source, contents)
    assert contents == ["Title", "item one\ncontinued", "item two"]
    assert texts.others == ("item one\ncontinued",)
    assert texts.bounds.tolist() == [2, 7, 1, 0, 34, 42] and texts.bounds.itemsize == 1


@given(st.lists(st.integers(0, 2**40), max_size=5))
def test_a_compact_array_holds_its_numbers_in_the_fewest_bytes(values: list[int]) -> None:
    numbers = compact(values)
    assert numbers.tolist() == values
    assert numbers.itemsize == 1 or max(values) >= 1 << 8 * numbers.itemsize // 2
