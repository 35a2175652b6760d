"""What the render keeps between builds of a long-lived process (an activity's view for the very activity, the
course data for everything it reads, each kept section's bytes) gives what a render that keeps nothing gives,
and changes as soon as anything it was made from changes."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path
from types import MappingProxyType

import pytest

from courseforge.cache import MemoryStore, cache_scope
from courseforge.i18n.runtime import FALLBACK_CLOSE, FALLBACK_OPEN
from courseforge.model.course import Course, Quiz
from courseforge.model.theme import Theme, ThemeLayer
from courseforge.stages.localize import localize_source
from courseforge.stages.render import entry_page, link_targets
from courseforge.stages.render.build_views import Placement, screen_view
from courseforge.stages.render.fallback import has_marks
from courseforge.stages.render.markup import LinkTargets, MarkdownRenderer
from courseforge.stages.render.runtime_data import course_data, course_data_json, script_json
from courseforge.stages.render.theme import render_page
from tests.factory import default_theme
from tests.unit.test_render import load

ROOT = Path(__file__).parents[1] / "roots" / "runtime-course"
QUIZ = "quizzes/final-quiz.yaml"
THEME = default_theme()


def copied(tmp_path: Path) -> Path:
    shutil.copytree(ROOT, tmp_path / ROOT.name)
    return tmp_path / ROOT.name


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_kept_course_data_is_the_data_of_the_course_and_follows_an_activitys_change(tmp_path: Path) -> None:
    course_dir = copied(tmp_path)
    with cache_scope(MemoryStore()):
        course = load(course_dir)
        first = course_data_json(course, "en")
        assert first == script_json(course_data(course, "en"))
        assert course_data_json(load(course_dir), "en") is first  # nothing it reads changed
        replace_in(course_dir / QUIZ, "attempts: 2", "attempts: 3")
        changed = load(course_dir)
        assert course_data_json(changed, "en") == script_json(course_data(changed, "en")) != first
        assert course_data_json(changed, "de") == script_json(course_data(changed, "de"))


@pytest.mark.parametrize(("file", "old", "new"), [("course.yaml", "score: 80", "score: 70"),
                                                  ("course.yaml", "version: 1.0.0", "version: 1.0.1"),
                                                  ("course.yaml", "pages: all", "pages: none"),
                                                  ("pages/intro.md", "title: ", "title: Renamed ")])
def test_the_kept_course_data_follows_the_manifests_rules_and_a_pages_title(tmp_path: Path, file: str, old: str,
                                                                             new: str) -> None:
    course_dir = copied(tmp_path)
    with cache_scope(MemoryStore()):
        before = course_data_json(load(course_dir), "en")
        replace_in(course_dir / file, old, new)
        course = load(course_dir)
        assert course_data_json(course, "en") == script_json(course_data(course, "en")) != before


def activity(course: Course) -> Quiz:
    (quiz,) = course.quizzes
    return quiz


def test_an_activitys_view_is_kept_for_the_very_activity_in_the_same_place() -> None:
    with cache_scope(MemoryStore()):
        course = load(ROOT)
        renderer = MarkdownRenderer(LinkTargets(course.screen_paths, frozenset(course.assets)))
        where = Placement(3, "Checking", "Activities")
        view = screen_view(activity(course), QUIZ, where, renderer, str)
        assert screen_view(activity(course), QUIZ, Placement(3, "Checking", "Activities"), renderer, str) is view
        moved = screen_view(activity(course), QUIZ, Placement(4, "Checking", "Activities"), renderer, str)
        assert moved.info.position == 4 and moved != view
    assert screen_view(activity(course), QUIZ, where, renderer, str) == view  # made again, nothing kept


def test_a_page_of_kept_sections_is_the_page_a_render_keeping_nothing_writes(tmp_path: Path) -> None:
    course_dir = copied(tmp_path)
    with cache_scope(MemoryStore(), lasting=False):
        alone = entry_page(localize_source(load(course_dir)), THEME)
    with cache_scope(MemoryStore()):
        localized = localize_source(load(course_dir))
        assert entry_page(localized, THEME) == entry_page(localized, THEME) == alone
        replace_in(course_dir / "pages/details.md", "\n\n", "\n\nAn added paragraph.\n\n")
        edited = localize_source(load(course_dir))
        kept = entry_page(edited, THEME)
    with cache_scope(MemoryStore(), lasting=False):
        assert kept == entry_page(localize_source(load(course_dir)), THEME) != alone


def test_the_link_targets_are_one_object_for_the_same_pages_and_assets(tmp_path: Path) -> None:
    course_dir = copied(tmp_path)
    with cache_scope(MemoryStore()):
        targets = link_targets(load(course_dir))
        assert link_targets(load(course_dir)) is targets
        replace_in(course_dir / "pages/intro.md", "![A blue square with a white circle](../assets/diagram.svg)", "")
        changed = link_targets(load(course_dir))
        assert changed.assets != targets.assets and changed.digest != targets.digest
        assert changed.digest == LinkTargets(changed.pages, changed.assets).digest


def two_part_theme() -> Theme:
    files = {"index.html": b"{% include 'part.html' %}<p>{{ tail }}</p>", "part.html": b"<div>{{ text }}</div>"}
    return Theme("parts", (ThemeLayer("default", MappingProxyType(files), "default"),), MappingProxyType({}))


@pytest.mark.parametrize(("text", "tail"), [("plain", "plain"), (f"{FALLBACK_OPEN}Hi{FALLBACK_CLOSE}", "plain"),
                                            ("plain", f"{FALLBACK_OPEN}Hi{FALLBACK_CLOSE}")])
@pytest.mark.parametrize("lasting", [True, False])
def test_a_page_says_whether_a_fallback_mark_is_in_it_from_its_kept_sections_and_the_rest(
        text: str, tail: str, lasting: bool) -> None:
    theme = two_part_theme()
    with cache_scope(MemoryStore(), lasting=lasting):
        for _ in range(2):  # the second render takes the kept section
            page, marked = render_page(theme, "index.html", gettext.NullTranslations(), text=text, tail=tail)
            assert page == f"<div>{text}</div><p>{tail}</p>".encode() and marked == has_marks(page)
