"""A page's block structure parsed once and shared by every locale's render: the HTML must be byte for byte what
a whole parse of each localized body renders, on the bench course, the sample courses, pseudo-locales and hostile
translations; where that cannot be proven the body is parsed whole."""

from __future__ import annotations

import gc
import pickle
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synth import Shape, write_project
from courseforge.cache import MemoryStore, cache_scope
from courseforge.commands.common import project_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.markdown import parser
from courseforge.markdown_blocks import (
    SharedPage,
    parsed_inlines,
    read_outline,
    replace_blocks,
    shared_page,
    shared_pages,
    shared_parse,
    text_blocks,
    translation_of,
)
from courseforge.model.course import Page
from courseforge.model.project import DEFAULT_LIMITS
from courseforge.pipeline import build_locales, course_theme, locale_catalogs, validate_course
from courseforge.project import load_project
from courseforge.stages.load import load_course
from courseforge.stages.localize import localize
from courseforge.stages.render.markup import LinkTargets, MarkdownRenderer

REPO = Path(__file__).resolve().parents[2]
PSEUDO = ("en-XA", "ar-XB")
RENDERER = MarkdownRenderer(LinkTargets({"pages/other.md": "other"}, frozenset({"pages/pic.png"})))


def whole(text: str, title: str | None = None, renderer: MarkdownRenderer = RENDERER, base: str = "pages/a.md") -> str:
    return renderer.render_parsed(parser().parse(text), base, title)


def shared(text: str, title: str | None = None, renderer: MarkdownRenderer = RENDERER,
           base: str = "pages/a.md") -> str | None:
    """The shared path's HTML, or None when it falls back (``text`` just made by ``replace_blocks``)."""
    found = shared_parse(text, translation_of(text))
    return None if found is None else renderer.render_shared(*found, base, title)


def localized_pages(root: Path) -> Iterator[tuple[str, MarkdownRenderer, Page]]:
    """Every page of every course of the project, in every locale it declares and the pseudo-locales, each
    localized inside one store (as a build does), with a renderer for its course."""
    sink = DiagnosticSink()
    project = load_project(root, sink)
    assert project is not None
    options = project_options(project, locales=("all", *PSEUDO))
    for course_dir in sorted((root / "courses").iterdir()):
        with cache_scope(MemoryStore()):
            course = validate_course(course_dir, course_dir.name, sink, options)
            assert course is not None, [d.format() for d in sink]
            theme = course_theme(course, options, sink)
            assert theme is not None
            renderer = MarkdownRenderer(LinkTargets({p.path: p.id for p in course.screens_of(Page)}, frozenset()))
            for locale in build_locales(course, options.locales):
                catalogs = locale_catalogs(course, locale, theme, options, sink)
                for page in localize(course, locale, catalogs, sink).course.screens_of(Page):
                    yield locale, renderer, page


def assert_every_page_shared(root: Path, locales: int) -> None:
    seen = set()
    for locale, renderer, page in localized_pages(root):
        html = shared(page.body, page.title, renderer, page.path)
        assert html is not None, (locale, page.id)  # these translations keep the structure: shared, not parsed
        assert html == whole(page.body, page.title, renderer, page.path), (locale, page.id)
        seen.add(locale)
    assert len(seen) == locales


def test_the_bench_course_renders_the_same_in_every_locale(tmp_path: Path) -> None:
    project = write_project(tmp_path / "bench", Shape(pages=12, questions=4, locales=5, seed=1))
    assert_every_page_shared(project.root, 5 + len(PSEUDO))


def test_the_sample_courses_render_the_same_in_every_locale() -> None:
    assert_every_page_shared(REPO, 4 + len(PSEUDO))  # en, de, fr, ar (each course declares some of them)


SOURCE = """# Title

Intro with a [link][ref], a [page](other.md) and *emphasis*
that spans two lines.

- first item
- second item with `code`
  continued here
-   wide item

> A quote
> over two lines
lazily

1. one
2) two

| Head A | Head B |
|--------|-------:|
| cell 1 | cell 2 |
| short |

Setext heading
--------------

## Closed heading ##

![An image](pic.png)

  Indented paragraph start
lazy line

> - quoted item
>   more

[ref]: https://example.com "Title"
"""
PIECES = ("a", "b", " ", "  ", "\n", "\n\n", "\t", "*", "**", "_", "-", "- ", "+ ", "1. ", "2)", "#", "# ", "=",
          "===", "---", ">", "`", "```", "~~~", "|", "\\|", "\\", "<b>", "<http://x.y>", "&amp;", "&#35;", "[", "]",
          "(", ")", "[ref]", "[x]: /u", "![i](pic.png)", "[p](other.md)", ":", "    code", "\u00a0", "\u2028", "\r",
          "\0", "\f", "é", "\u202e")
hostile = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
plain = st.lists(st.sampled_from(("word", "mot", "**fett**", "*em*", "`c`", "[l](other.md)", "1999", "x.", "a-b",
                                  "é", " ", "\n", "\\", "&amp;", "#tag", "C#")), min_size=1, max_size=8).map(
    lambda parts: "\n".join(line.strip() for line in "".join(parts).split("\n") if line.strip()) or "word")


@pytest.fixture(autouse=True)
def store() -> Iterator[None]:
    with cache_scope(MemoryStore()):
        yield


NESTED = """> # Quoted title
>
> 1. step one
>    - sub *item*
>      wrapped
> 2. step two

- | a | b |
  |---|---|
  | c | d |

* a star item
  ## heading in an item

\tTabbed code

-\ttabbed item
 continued

Text with a hard break\\
and  trailing spaces  \r
then a windows line\r
Last: \u2028 a line separator

~~~
fenced
~~~

Final *paragraph*
"""
SOURCES = (SOURCE, NESTED, NESTED.replace("\r", "").replace("\u2028", ""), "Para one\n\n    code\n\nPara *two*\n" * 30)


def render_both(replacements: dict[str, str], title: str | None, source: str = SOURCE) -> tuple[str | None, str]:
    localized = replace_blocks(source, replacements)
    return shared(localized, title), whole(localized, title)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), source=st.sampled_from(SOURCES), title=st.sampled_from((None, "Title", "x")))
def test_hostile_translations_render_as_a_whole_parse_or_fall_back(data: st.DataObject, source: str,
                                                                   title: str | None) -> None:
    blocks = text_blocks(source)
    chosen = data.draw(st.lists(st.sampled_from(blocks), max_size=4, unique=True))
    replacements = {block.id: data.draw(hostile | plain) for block in chosen}
    got, expected = render_both(replacements, title, source)
    assert got is None or got == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), title=st.sampled_from((None, "Title", "word")))
def test_ordinary_translations_are_shared(data: st.DataObject, title: str | None) -> None:
    """Text with inline markup only (no line can start a block) is rendered from the shared structure, except a
    heading's translation ending in '#' (its closing sequence), a cell's or an image's text spanning lines."""
    blocks = [b for b in text_blocks(SOURCE) if b.kind.value not in ("heading", "table cell")]
    one_line = plain.map(lambda text: text.replace("\n", " "))
    replacements = {block.id: data.draw(one_line if block.kind.value == "image alt text" else plain)
                    for block in blocks}
    got, expected = render_both(replacements, title)
    assert got == expected


@pytest.mark.parametrize("text", ["- a nested list", "# heading", "> quote", "a\n\nb", " lead", "trail ", "a | b",
                                  "1. item", "===", "***", "```", "[r]: /x", "a\n    code", "a\r\nb", "x\n---"])
def test_a_translation_that_may_change_the_structure_is_parsed_whole(text: str) -> None:
    first_paragraph = next(b for b in text_blocks(SOURCE) if b.kind.value == "paragraph")
    localized = replace_blocks(SOURCE, {first_paragraph.id: text})
    assert shared_parse(localized, translation_of(localized)) is None


def test_cells_with_pipes_and_headings_closing_with_hashes_are_parsed_whole() -> None:
    blocks = text_blocks(SOURCE)
    cell = next(b for b in blocks if b.kind.value == "table cell")
    heading = next(b for b in blocks if b.kind.value == "heading" and b.text == "Closed heading")
    for replacements in ({cell.id: "a \\| b"}, {cell.id: "two\nlines"}, {heading.id: "C#"}):
        localized = replace_blocks(SOURCE, replacements)
        assert shared_parse(localized, translation_of(localized)) is None
        assert shared(replace_blocks(SOURCE, {cell.id: "fine"})) == whole(replace_blocks(SOURCE, {cell.id: "fine"}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from((*PIECES, "word ", "# h\n", "| a | b |\n|---|---|\n")), max_size=30).map(
    "".join), title=st.sampled_from((None, "h", "a")))
def test_any_source_renders_from_its_skeleton_as_from_a_whole_parse(text: str, title: str | None) -> None:
    page = shared_page(text, build=True)
    assert page is not None
    found = shared_parse(text, None)
    assert found is not None
    assert RENDERER.render_shared(*found, "pages/a.md", title) == whole(text, title)


def test_a_localized_body_says_how_it_was_made_once() -> None:
    first = text_blocks(SOURCE)[1]
    localized = replace_blocks(SOURCE, {first.id: "Translated"})
    origin = translation_of(localized)
    assert origin is not None and origin.source == SOURCE and dict(origin.changes) == {first.id: "Translated"}
    assert translation_of(localized) is None  # taken by the render that asked


def test_nothing_is_kept_without_a_store() -> None:
    with cache_scope(None):
        localized = replace_blocks(SOURCE, {text_blocks(SOURCE)[1].id: "Translated"})
        assert translation_of(localized) is None
        assert shared_page(SOURCE, build=True) is not None
        assert shared_pages().get(SOURCE) is None


def test_a_validated_text_is_parsed_once_for_its_render() -> None:
    """Validation's inline tokens go to the next render of the same text (once: the render rewrites them)."""
    text = SOURCE * 3
    read_outline(text)
    handed = shared_parse(text, None)
    again = shared_parse(text, None)
    assert handed is not None and again is not None
    assert handed[1][0].map is not None  # from the whole parse (a lone inline parse has no line map)
    assert again[1][0].map is None
    assert RENDERER.render_shared(*handed, "pages/a.md", None) == RENDERER.render_shared(*again, "pages/a.md", None)


def test_a_translated_row_stays_in_its_list_item_or_quote() -> None:
    source = "- | a | b |\n  |---|---|\n  | c | d |\n\n> x | y\n> --|--\n\n   | t | u |\n   |---|---|\n"
    localized = replace_blocks(source, {block.id: block.text.upper() for block in text_blocks(source)})
    assert localized == "- | A | B |\n  |---|---|\n  | C | D |\n\n> | X | Y |\n> --|--\n\n   | T | U |\n   |---|---|\n"
    assert [t.type for t in parser().parse(localized)] == [t.type for t in parser().parse(source)]


def bench_bodies(root: Path) -> list[str]:
    source = load_course(root / "courses" / "bench-course", "bench-course", DiagnosticSink(), DEFAULT_LIMITS)
    assert source is not None
    return [page.body for page in source.pages.values()]


def test_a_kept_page_weighs_what_it_holds_and_about_its_text(tmp_path: Path) -> None:
    """The shelf's cap is only as good as the weight it adds up: what the kept structures of the bench course's
    pages hold (tracemalloc, the shelf's own entries with them) is their weight within a few percent, and about
    their text's length (the HTML of the slots no render changes), not several times it."""
    bodies = bench_bodies(write_project(tmp_path / "bench", Shape(pages=30, questions=2, locales=1, seed=3)).root)
    read_outline(bodies[0])  # the parser and renderer made once, outside the measure
    shared_pages().clear()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for body in bodies:
            read_outline(body)
        parsed_inlines().clear()
        for memo in (parser().normalizeLink, parser().validateLink, parser().normalizeLinkText):
            memo.cache_clear()  # type: ignore[attr-defined]  # the link memos (markdown.parser) hold no page
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    pages = [page for body in bodies if (page := shared_pages().get(body)) is not None]
    weight = sum(page.weight for page in pages)
    assert len(pages) == len(bodies) == 30
    assert 0.9 * held < weight < 1.1 * held, (weight, held)
    assert weight < 1.3 * sum(map(len, bodies)), weight


def test_a_kept_page_comes_back_whole_from_a_pickle() -> None:
    """A forked helper hands its pages' structures back pickled (``build_plan.parse_pages``)."""
    read_outline(SOURCE * 2)
    page = shared_pages().get(SOURCE * 2)
    assert page is not None
    again = pickle.loads(pickle.dumps(page))
    assert isinstance(again, SharedPage) and again == page
    assert again.text_blocks(SOURCE * 2) == text_blocks(SOURCE * 2) == read_outline(SOURCE * 2).blocks
