"""The player page is the same for every package format of a locale, and each format's runtime carries its
standard's text limit instead (it caps the page's text inputs when it loads: tests/browser/test_text_limits.py).

One page for all formats is what lets a build render, deflate and verify a locale's page once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html

from courseforge.cache import MemoryStore, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.pipeline import lint_course
from courseforge.stages.localize import localize_source
from courseforge.stages.render import entry_page, render_site
from courseforge.stages.render.runtime_data import every_item_texts, interaction_texts, plain
from courseforge.standards import FormatProfile, format_profiles
from tests.factory import base_manifest, default_theme, write_course
from tests.unit.runtime_node import run_runtime

ROOTS = Path(__file__).parents[1] / "roots"
REPO = Path(__file__).parents[2]
THEME = default_theme()
PROFILES = tuple(format_profiles().values())


def load(course_dir: Path) -> Course:
    sink = DiagnosticSink()
    course = lint_course(course_dir, course_dir.name, sink)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    return course


@pytest.mark.parametrize("course_dir", [ROOTS / "runtime-course", REPO / "courses" / "workplace-safety"],
                         ids=lambda path: path.name)
def test_every_format_renders_the_same_page(course_dir: Path) -> None:
    localized = localize_source(load(course_dir))
    pages = {profile.format: render_site(localized, THEME, profile).files["index.html"] for profile in PROFILES}
    assert set(pages.values()) == {entry_page(localized, THEME)}


def test_a_page_given_is_the_page_used() -> None:
    """The build renders a locale's page once and hands the same bytes to every format's site."""
    localized = localize_source(load(ROOTS / "runtime-course"))
    page = entry_page(localized, THEME)
    sites = [render_site(localized, THEME, profile, page) for profile in PROFILES]
    assert all(site.files["index.html"] is page for site in sites)
    assert len({site.files["runtime/courseforge.js"] for site in sites}) == len(PROFILES)  # one adapter each


def test_text_inputs_carry_only_the_courses_own_limit(tmp_path: Path) -> None:
    """No format's limit is in the page: fill-in and numeric inputs have no maxlength, a free-text survey item
    the one its author set, if any. The items' texts are in the course data for every format."""
    survey = {"kind": "survey", "id": "s", "title": "Feedback", "questions": [
        {"id": "short", "type": "text", "prompt": "In a word?", "max_length": 20},
        {"id": "long", "type": "text", "prompt": "Anything else?"}]}
    quiz = {"kind": "quiz", "id": "q", "title": "Quiz", "questions": [
        {"id": "capital", "type": "fill-in", "prompt": "Capital of France?", "accepted": ["Paris"]},
        {"id": "legs", "type": "numeric", "prompt": "Legs of a spider?", "answer": 8}]}
    course_dir = write_course(tmp_path, base_manifest("limits", ["quiz.yaml", "survey.yaml"]),
                              {"quiz.yaml": quiz, "survey.yaml": survey})
    doc = html.fromstring(entry_page(localize_source(load(course_dir)), THEME))
    answers = doc.xpath("//input[@data-role='answer']")
    assert len(answers) == 2 and all(answer.get("maxlength") is None for answer in answers)
    assert [area.get("maxlength") for area in doc.xpath("//textarea")] == ["20", None]
    (script,) = doc.xpath("//script[@id='cf-data']")
    texts = json.loads(script.text)["texts"]
    assert texts["q"]["capital"] == {"prompt": "Capital of France?"} and texts["s"]["short"] == {"prompt": "In a word?"}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda profile: profile.format.value)
def test_each_adapter_caps_text_at_its_standards_limit(profile: FormatProfile) -> None:
    """runtime/<adapter>.js cannot import standards/: its ``textLimit`` is held to the profile here."""
    files = ("tracking.js", *(path.removeprefix("runtime/") for path in profile.runtime_adapter))
    assert run_runtime(files, "cf => cf.tracking.textLimit()") == profile.text_response_limit


def test_interaction_texts_are_kept_by_the_texts_as_written() -> None:
    course = load(REPO / "courses" / "workplace-safety")
    with cache_scope(MemoryStore()):
        first = interaction_texts(course)
        assert interaction_texts(load(REPO / "courses" / "workplace-safety")) is first  # no item parsed again
    assert first == every_item_texts(course, plain) == interaction_texts(course) and first
