"""The inline splitter: lossless, and it finds the codes CommonMark (our markdown-it dialect) would parse."""

from __future__ import annotations

import itertools

import pytest
from markdown_it.token import Token

from courseforge.i18n.inline import Role, codes, join, split, translatable_text
from courseforge.markdown import parser

TRICKY = [
    "",
    "Plain text.",
    "Nested ***bold italic*** and **bold _italic_ inside**",
    "*outer **inner** outer*",
    '[Fire safety](fire-safety.md "Fire safety page") and more',
    "[a](<my file.md>) and [b](c.md 'title') and [d](e.md (title))",
    "[link](https://example.org/a_(b)) with parentheses in the target",
    "[outer [inner] text](x.md)",
    "[a \\] b](x.md)",
    "![Exit sign](../assets/exit.svg) shows the way",
    "[![badge](b.svg)](https://example.org)",
    "Use ``code with ` tick`` here",
    "`a``b` is one code span",
    "\\``code`",
    "unterminated `code and ``` runs",
    "2 * 3 = 6",
    "price is 5*3",
    "snake_case_name, __init__ and a_b_c",
    "100% done, 50 %, %%",
    "Hello {name}, %s items, %(count)d of %(total)s, {0}, %(x)05.2f",
    "Escaped \\* star, \\_ underscore, \\# hash and \\\\ backslash",
    "line one  \nline two\\\nline three",
    "<https://example.org/x>, <mailto:a@b.c> and <person@example.org>",
    "a [bracket] and [ref][id] and [collapsed][]",
    "&amp; &#8212; &#x2014; &copy",
    "<b>not html</b>",
    "~~struck~~ and ~single~",
    "Intro:\n\n- one\n- two\n  - nested\n\n1. first\n2) second\n\n## Heading\n\n> quote\n> - quoted item",
    "**[bold link](x.md)** and *![alt](y.png)*",
    "#hashtag, # mid-line, 1. mid-line",
    "tabs\tand\u00a0no-break spaces, ünïcödé *émphasis*",
    "   leading and trailing   \n",
    "\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_join_of_split_is_identity(text: str) -> None:
    assert join(split(text)) == text


@pytest.mark.parametrize("text", TRICKY)
def test_adjacent_text_is_merged_and_no_segment_is_empty(text: str) -> None:
    segments = split(text)
    assert all(segment.value for segment in segments)
    assert not any(a.is_text and b.is_text for a, b in itertools.pairwise(segments))


def roles(text: str) -> list[tuple[str, str]]:
    return [(segment.role.value, segment.value) for segment in split(text)]


def test_nested_emphasis_is_four_codes() -> None:
    assert roles("**bold _it_**") == [("emphasis", "**"), ("text", "bold "), ("emphasis", "_"), ("text", "it"),
                                      ("emphasis", "_"), ("emphasis", "**")]


def test_link_with_title_keeps_target_and_title_in_one_code() -> None:
    assert roles('[Fire](fire.md "Fire page") now') == [
        ("link-open", "["), ("text", "Fire"), ("link-close", '](fire.md "Fire page")'), ("text", " now")]


def test_image_alt_is_text_and_target_is_code() -> None:
    assert roles("![Exit sign](exit.svg)") == [("image-open", "!["), ("text", "Exit sign"),
                                               ("link-close", "](exit.svg)")]


def test_code_span_with_backticks_inside_is_one_code() -> None:
    assert roles("Use ``a ` b`` here") == [("text", "Use "), ("code", "``a ` b``"), ("text", " here")]


def test_unmatched_backticks_are_text() -> None:
    assert codes("unterminated `code and ``` runs") == {}


@pytest.mark.parametrize("text", ["2 * 3 = 6", "price is 5*3", "snake_case_name", "a_b_c", "~single~",
                                  "100% done", "50 %", "{{ not a placeholder }}", "a [bracket] b"])
def test_literal_characters_are_not_codes(text: str) -> None:
    assert codes(text) == {}


def test_paired_intraword_asterisks_are_emphasis_as_in_commonmark() -> None:
    assert codes("5*3 and 4*2") == {"*": 2}


def test_placeholders_of_both_python_styles() -> None:
    assert codes("Hi {name}, %s, %(count)d of %(total)s, {0}, %(x)05.2f, 100%%") == {
        "{name}": 1, "%s": 1, "%(count)d": 1, "%(total)s": 1, "{0}": 1, "%(x)05.2f": 1, "%%": 1}


def test_escaped_percent_is_not_followed_by_a_placeholder() -> None:
    assert roles("%%s") == [("placeholder", "%%"), ("text", "s")]


def test_escapes_and_hard_breaks() -> None:
    assert roles("a \\* b  \nc\\\nd") == [("text", "a "), ("escape", "\\*"), ("text", " b"), ("break", "  \n"),
                                          ("text", "c"), ("break", "\\\n"), ("text", "d")]


def test_nested_brackets_belong_to_the_link_text() -> None:
    assert roles("[outer [inner] text](x.md)") == [("link-open", "["), ("text", "outer [inner] text"),
                                                   ("link-close", "](x.md)")]


def test_bracket_around_a_link_is_text() -> None:
    """What en-XA writes around a message that starts with a link."""
    assert roles("[[Fire](x.md) one]") == [("text", "["), ("link-open", "["), ("text", "Fire"),
                                           ("link-close", "](x.md)"), ("text", " one]")]


def test_reference_links_keep_their_label() -> None:
    assert codes("[text][label] and [same][]") == {"[": 2, "][label]": 1, "][]": 1}


def test_autolinks_and_entities() -> None:
    assert roles("<https://x.org/a_b> &amp; <me@x.org>") == [
        ("autolink", "<https://x.org/a_b>"), ("text", " "), ("entity", "&amp;"), ("text", " "),
        ("autolink", "<me@x.org>")]


def test_block_markers_at_line_starts_only() -> None:
    text = "Intro\n\n- one\n  - two\n1. three\n## Four\n> - five\nsix - 7. # x"
    assert [s.value for s in split(text) if s.role is Role.BLOCK] == ["- ", "  - ", "1. ", "## ", "> - "]


def test_translatable_text_is_the_words() -> None:
    assert translatable_text("Read **[the guide](guide.md)** now, {name}.") == "Read the guide now, ."


def inline_tokens(text: str) -> list[Token]:
    tokens = parser().parse(text)
    return [child for token in tokens if token.type == "inline" for child in token.children or []]


CROSS_CHECKED = [t for t in TRICKY if t.strip()]


@pytest.mark.parametrize("text", CROSS_CHECKED)
def test_link_and_image_targets_agree_with_markdown_it(text: str) -> None:
    """Every inline link and image markdown-it sees has its ``](target)`` code, and there are no others
    (reference links are left out: without their definitions markdown-it renders them as text)."""
    parsed = sum(1 for t in inline_tokens(text) if t.type in ("link_open", "image") and t.markup != "autolink")
    closes = sum(1 for s in split(text) if s.role is Role.LINK_CLOSE and s.value.startswith("]("))
    assert closes == parsed


@pytest.mark.parametrize("text", CROSS_CHECKED)
def test_code_spans_agree_with_markdown_it(text: str) -> None:
    parsed = [t.content for t in inline_tokens(text) if t.type == "code_inline"]
    found = [s.value.strip("`").strip() for s in split(text) if s.role is Role.CODE_SPAN]
    assert found == parsed


@pytest.mark.parametrize("text", CROSS_CHECKED)
def test_emphasis_is_found_where_markdown_it_finds_it(text: str) -> None:
    parsed = any(t.type in ("em_open", "strong_open", "s_open") for t in inline_tokens(text))
    assert any(s.role is Role.EMPHASIS for s in split(text)) == parsed
