"""What render holds at once: the page streamed to bytes, fallback marks found in those bytes, screen views made
one by one; and the same output as rendering the whole page as one str."""

from __future__ import annotations

import gc
import gettext
import re
import tracemalloc
import weakref
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from courseforge.cache import DiskStore, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.runtime import FALLBACK_CLOSE, FALLBACK_OPEN, THEME_LANGUAGE, UI_FALLBACK_OPEN
from courseforge.model.course import Course
from courseforge.model.theme import Theme, ThemeLayer
from courseforge.pipeline import lint_course
from courseforge.stages.render.build_views import ACTIVITY_VIEW, ACTIVITY_VIEW_CODEC, ScreenViews, screen_view
from courseforge.stages.render.fallback import has_marks, mark_fallbacks, strip_marks
from courseforge.stages.render.markup import LinkTargets, MarkdownRenderer
from courseforge.stages.render.theme import ENCODE_EVERY_CHARS, render_template, theme_environment
from courseforge.stages.render.views import PageView

ROOT = Path(__file__).parents[1] / "roots" / "runtime-course"


def str_mark_fallbacks(html: str, source_language: str) -> str:
    """The fallback marking as it was done on the whole page as a str: the oracle for the bytes version."""
    text_only = re.compile(r"<(script|title|option|textarea)\b[^>]*>.*?</\1\s*>|<[^>]+>", re.DOTALL | re.IGNORECASE)
    html = text_only.sub(lambda match: strip_marks(match.group(0)), html)
    return (html.replace(FALLBACK_OPEN, f'<span lang="{escape(source_language)}" dir="auto">')
            .replace(UI_FALLBACK_OPEN, f'<span lang="{THEME_LANGUAGE}" dir="ltr">').replace(FALLBACK_CLOSE, "</span>"))


PIECES = st.sampled_from([
    FALLBACK_OPEN, UI_FALLBACK_OPEN, FALLBACK_CLOSE, "text", "Zürich — ☃ 𝄞", " ", "\n", "&lt;", ">",
    "<p>", "</p>", '<a href="#x" title="', '">', "<script>", "</script>", "<SCRIPT type=x>", "</script >",
    "<title>", "</title>", "<option value=1>", "</option>", "<textarea>", "</textarea>", "<scripts>", "<b>",
])


@given(st.lists(PIECES, max_size=40), st.sampled_from(["en", "de-CH", 'x"y']))
def test_marking_the_bytes_gives_what_marking_the_str_gave(pieces: list[str], language: str) -> None:
    html = "".join(pieces)
    page = html.encode()
    assert has_marks(page) == (strip_marks(html) != html)
    assert mark_fallbacks(page, language) == str_mark_fallbacks(html, language).encode()


def small_theme(template: str) -> Theme:
    files = MappingProxyType({"index.html": template.encode()})
    return Theme("small", (ThemeLayer("default", files, "default"),), MappingProxyType({}))


def test_a_page_longer_than_a_batch_encodes_as_the_whole_str_would() -> None:
    theme = small_theme("{% for n in range(count) %}<p>{{ n }} Zürich — {{ word }} 𝄞</p>\n{% endfor %}")
    context = {"count": 3 * ENCODE_EVERY_CHARS // 20, "word": "<&>"}
    whole = theme_environment(theme).get_template("index.html").render(**context)
    assert len(whole) > 2 * ENCODE_EVERY_CHARS
    assert render_template(theme, "index.html", gettext.NullTranslations(), **context) == whole.encode()


def test_the_page_is_never_held_as_one_str() -> None:
    """A page of characters outside Latin-1 is two bytes a character as a str: rendering it whole would hold that
    str and its encoding at once (well over twice the page's bytes); streamed, little more than the bytes."""
    theme = small_theme("{% for n in range(count) %}{{ line }}{% endfor %}")
    line = "— " * 500
    tracemalloc.start()
    try:
        page = render_template(theme, "index.html", gettext.NullTranslations(), count=2000, line=line)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(page) == 2000 * len(line.encode())
    assert peak < 1.5 * len(page)


def load(course_dir: Path) -> Course:
    sink = DiagnosticSink()
    course = lint_course(course_dir, course_dir.name, sink)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    return course


def test_screen_views_are_the_views_of_the_screens_in_course_order() -> None:
    course = load(ROOT)
    renderer = MarkdownRenderer(LinkTargets(course.screen_paths, frozenset(course.assets)))
    views = ScreenViews(course, renderer)
    sources = {screen_id: path for path, screen_id in course.screen_paths.items()}
    expected = [view for view in (screen_view(screen, sources[screen.id], where, renderer, str)
                                  for screen, where in zip(course.screens, views.placements, strict=True))]
    assert len(views) == len(course.screens) > 2
    assert list(views) == expected
    assert views[0] == expected[0] and views[-1] == expected[-1]
    assert list(views[1:3]) == expected[1:3]
    assert [view.info.position for view in views] == list(range(len(views)))


def test_screen_views_are_not_kept_once_the_template_moves_on() -> None:
    course = load(ROOT)
    views = ScreenViews(course, MarkdownRenderer(LinkTargets(course.screen_paths, frozenset(course.assets))))
    seen = [weakref.ref(view) for view in views]
    gc.collect()
    assert all(ref() is None for ref in seen)


def test_an_activitys_view_comes_back_from_the_disk_cache_as_it_was_made(tmp_path: Path) -> None:
    course = load(Path(__file__).parents[2] / "courses" / "workplace-safety")
    renderer = MarkdownRenderer(LinkTargets(course.screen_paths, frozenset(course.assets)))
    made = list(ScreenViews(course, renderer))
    activities = [view for view in made if not isinstance(view, PageView)]
    encode, decode = ACTIVITY_VIEW_CODEC.encode, ACTIVITY_VIEW_CODEC.decode
    assert activities and all(decode(encode(view)) == view and encode(decode(encode(view))) == encode(view)
                              for view in activities)  # Markup stays Markup (it equals its str)
    with cache_scope(DiskStore(tmp_path), lasting=False):
        list(ScreenViews(course, renderer))
    assert DiskStore(tmp_path).namespaces()[ACTIVITY_VIEW]
    with cache_scope(DiskStore(tmp_path), lasting=False):  # another store: nothing kept, read from the folder
        assert list(ScreenViews(course, renderer)) == made


def test_a_cached_view_is_rebuilt_only_as_a_view_type() -> None:
    with pytest.raises(KeyError):
        ACTIVITY_VIEW_CODEC.decode(b'{"t":"Path","f":["/etc"]}')
