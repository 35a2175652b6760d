"""The render stage: the player page's markup contract, rewritten targets, and byte-for-byte determinism."""

from __future__ import annotations

import dataclasses
import gettext
import itertools
import json
from pathlib import Path
from types import MappingProxyType

import pytest
from lxml import html

from courseforge.cache import DiskStore, MemoryStore, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.localized import LocalizedCourse, TextDirection
from courseforge.model.site import RenderedSite
from courseforge.pipeline import lint_course
from courseforge.stages.localize import localize_source
from courseforge.stages.render import render_site
from courseforge.stages.render.markup import LinkTargets, MarkdownRenderer
from tests.factory import base_manifest, default_theme, page, write_course

ROOT = Path(__file__).parents[1] / "roots" / "runtime-course"
THEME = default_theme()


def load(course_dir: Path) -> Course:
    sink = DiagnosticSink()
    course = lint_course(course_dir, course_dir.name, sink)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    return course


@pytest.fixture(scope="module")
def course() -> Course:
    return load(ROOT)


@pytest.fixture(scope="module")
def site(course: Course) -> RenderedSite:
    return render_site(localize_source(course), THEME)


@pytest.fixture(scope="module")
def doc(site: RenderedSite) -> html.HtmlElement:
    return html.fromstring(site.files["index.html"])


def json_block(doc: html.HtmlElement, block_id: str) -> dict[str, object]:
    (script,) = doc.xpath(f"//script[@id='{block_id}']")
    data = json.loads(script.text)
    assert isinstance(data, dict)
    return data


def by_id(doc: html.HtmlElement, element_id: str) -> html.HtmlElement:
    (element,) = doc.xpath("//*[@id=$id]", id=element_id)
    return element


def test_html_has_language_and_direction(doc: html.HtmlElement) -> None:
    assert (doc.get("lang"), doc.get("dir")) == ("en", "ltr")


def test_right_to_left_locale_sets_dir(course: Course) -> None:
    localized = LocalizedCourse(course, "ar", TextDirection.RTL, gettext.NullTranslations())
    root = html.fromstring(render_site(localized, THEME).files["index.html"])
    assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")


def test_landmarks(doc: html.HtmlElement) -> None:
    assert len(doc.xpath("//body/header")) == 1
    assert len(doc.xpath("//main")) == 1
    (nav,) = doc.xpath("//nav")
    assert nav.get("aria-label") == "Course contents"
    assert [a.get("data-cf-goto") for a in nav.xpath(".//a")] == [
        "intro", "details", "safety-check", "final-quiz", "feedback"]


def test_every_screen_is_a_section_with_one_h1_and_ordered_headings(doc: html.HtmlElement) -> None:
    sections = doc.xpath("//main/section")
    assert [s.get("data-screen") for s in sections] == ["intro", "details", "safety-check", "final-quiz", "feedback"]
    assert [s.get("hidden") is None for s in sections] == [True, False, False, False, False]
    for section in sections:
        levels = [int(h.tag[1]) for h in section.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
        assert section.get("aria-labelledby") == section.xpath(".//h1")[0].get("id")


def test_page_title_heading_is_not_repeated(doc: html.HtmlElement) -> None:
    intro = doc.xpath("//section[@data-screen='intro']")[0]
    assert [h.text_content() for h in intro.xpath(".//h1|.//h2")] == ["Introduction", "Sources"]


def accessible_label(doc: html.HtmlElement, control: html.HtmlElement) -> str:
    labelled_by = control.get("aria-labelledby")
    if labelled_by:
        return " ".join(by_id(doc, part).text_content() for part in labelled_by.split())
    labels = doc.xpath("//label[@for=$id]", id=control.get("id"))
    return " ".join(label.text_content() for label in labels)


def test_every_input_is_labelled(doc: html.HtmlElement) -> None:
    controls = doc.xpath("//main//input|//main//select|//main//textarea")
    assert len(controls) > 20
    for control in controls:
        assert accessible_label(doc, control).strip(), html.tostring(control)


def test_choices_are_grouped_in_fieldsets_with_the_prompt_as_legend(doc: html.HtmlElement) -> None:
    quiz = doc.xpath("//section[@data-screen='final-quiz']")[0]
    fieldsets = quiz.xpath(".//fieldset[@data-question]")
    assert [f.get("data-question") for f in fieldsets] == [
        "q-colour", "q-primes", "q-orbit", "q-capital", "q-legs", "q-sounds", "q-tea"]
    legends = [f.xpath("./legend")[0].text_content() for f in fieldsets]
    assert legends[0] == "Which colour means stop on a traffic light?"
    for radio in quiz.xpath(".//input[@type='radio' or @type='checkbox']"):
        assert radio.xpath("ancestor::fieldset[legend]")
    orbit = quiz.xpath(".//fieldset[@data-question='q-orbit']")[0]
    assert [accessible_label(doc, r) for r in orbit.xpath(".//input")] == ["True", "False"]
    legs = quiz.xpath(".//fieldset[@data-question='q-legs']//input")[0]
    assert (legs.get("inputmode"), accessible_label(doc, legs)) == ("decimal", "How many legs does a spider have?")
    dog = quiz.xpath(".//select[@data-source='dog']")[0]
    assert accessible_label(doc, dog) == "Dog"
    assert [o.text_content() for o in dog.xpath("./option")] == ["Choose…", "Moo", "Woof", "Meow"]
    tea = quiz.xpath(".//select[@data-item='boil']")[0]
    assert [o.get("value") for o in tea.xpath("./option")] == ["", "1", "2", "3"]
    assert quiz.xpath(".//*[@role='status']")


def test_feedback_is_in_the_html_hidden_and_not_in_the_data(doc: html.HtmlElement) -> None:
    note = doc.xpath("//*[@data-feedback-for='red']")[0]
    assert note.text_content().strip() == "Red means stop."
    assert note.xpath("ancestor-or-self::*[@hidden]")
    assert "Red means stop" not in by_id(doc, "cf-data").text


def test_image_rewritten_into_content_with_alt(site: RenderedSite, doc: html.HtmlElement) -> None:
    (image,) = doc.xpath("//img")
    assert image.get("src") == "content/assets/diagram.svg"
    assert image.get("alt") == "A blue square with a white circle"
    assert site.files["content/assets/diagram.svg"] == (ROOT / "assets" / "diagram.svg").read_bytes()


def test_links_to_pages_become_in_course_navigation(doc: html.HtmlElement) -> None:
    body_links = doc.xpath("//main//a[@data-cf-goto]")
    assert [(a.get("href"), a.get("data-cf-goto")) for a in body_links] == [
        ("#details", "details"), ("#intro", "intro")]


def test_external_links_open_a_new_tab_with_a_hint(doc: html.HtmlElement) -> None:
    (link,) = doc.xpath("//a[starts-with(@href, 'https://')]")
    assert (link.get("target"), link.get("rel")) == ("_blank", "noopener")
    assert by_id(doc, link.get("aria-describedby")).text_content() == "Opens in a new tab"


def test_course_data_holds_ids_and_answer_keys(doc: html.HtmlElement) -> None:
    data = json_block(doc, "cf-data")
    assert data["course"] == {"id": "runtime-course", "version": "1.0.0", "language": "en"}
    assert data["mastery"] == {"score": 80.0, "quizzes": ["final-quiz"]}
    quiz = data["quizzes"]["final-quiz"]  # type: ignore[index]
    assert (quiz["attempts"], quiz["passing"], quiz["shuffle"], quiz["draw"]) == (2, 80.0, True, None)
    keys = {q["id"]: q for q in quiz["questions"]}
    assert keys["q-colour"]["choices"] == ["red", "green", "blue"] and keys["q-colour"]["correct"] == ["red"]
    assert keys["q-sounds"]["answer"] == {"dog": "woof", "cat": "meow", "cow": "moo"}
    assert keys["q-tea"]["answer"] == ["boil", "bag", "pour"]
    assert keys["q-capital"] == {"id": "q-capital", "type": "fill-in", "points": 1.0, "accepted": ["Paris"],
                                 "caseSensitive": False}
    assert data["checklists"] == {"safety-check": {"items": [
        {"id": "exits", "required": True}, {"id": "policy", "required": True},
        {"id": "first-aid", "required": False}]}}


def test_player_strings_come_from_the_template(doc: html.HtmlElement) -> None:
    ui = json_block(doc, "cf-ui")
    assert ui["resultPassed"] == "Your score: {percent}%. You passed."
    assert list(ui) == sorted(ui)


class German(gettext.NullTranslations):
    WORDS = MappingProxyType({"Next": "Weiter",
                              "Your score: %(percent)s%%. You passed.": "Ergebnis: %(percent)s %%. Bestanden."})

    def gettext(self, message: str) -> str:
        return self.WORDS.get(message, message)


def test_ui_translations_are_installed(course: Course) -> None:
    localized = LocalizedCourse(course, "de", TextDirection.LTR, German())
    root = html.fromstring(render_site(localized, THEME).files["index.html"])
    assert by_id(root, "cf-next").text_content() == "Weiter"
    assert json_block(root, "cf-ui")["resultPassed"] == "Ergebnis: {percent} %. Bestanden."


def test_site_ships_the_runtime_it_references(site: RenderedSite, doc: html.HtmlElement) -> None:
    scripts = [s.get("src") for s in doc.xpath("//script[@src]")]
    assert scripts and all(src in site.files for src in scripts)
    assert all(link.get("href") in site.files for link in doc.xpath("//link[@rel='stylesheet']"))
    assert sorted(site.files) == list(site.files)
    assert site.metadata.mastery_score == 80.0 and site.entry == "index.html"


def test_rendering_is_deterministic(course: Course, site: RenderedSite) -> None:
    again = render_site(localize_source(course), THEME)
    assert dict(again.files) == dict(site.files)


def test_text_cannot_break_out_of_the_data_script(tmp_path: Path) -> None:
    manifest = base_manifest("tricky", ["pages/a.md"])
    course = load(write_course(tmp_path, manifest, {"pages/a.md": page("a", "A </script><b>x</b> & co")}))
    root = html.fromstring(render_site(localize_source(course), THEME).files["index.html"])
    assert json_block(root, "cf-data")["screens"] == [{"id": "a", "kind": "page", "title": "A </script><b>x</b> & co"}]
    assert by_id(root, "cf.heading.a").text_content() == "A </script><b>x</b> & co"


def test_views_are_frozen(course: Course) -> None:
    from courseforge.stages.render import site_context

    context = site_context(localize_source(course))
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.title = "changed"  # type: ignore[misc]


def test_link_to_a_quiz_file_navigates_to_the_quiz_and_never_packages_it(tmp_path: Path) -> None:
    quiz = {"kind": "quiz", "id": "check", "title": "Check",
            "questions": [{"id": "q1", "type": "true-false", "prompt": "See [the intro](../pages/a.md).",
                           "answer": True}]}
    manifest = base_manifest("links", ["pages/a.md", "quizzes/check.yaml"])
    files = {"pages/a.md": page("a", "A", "Ready? Take [the check](../quizzes/check.yaml).\n"),
             "quizzes/check.yaml": quiz}
    site = render_site(localize_source(load(write_course(tmp_path, manifest, files))), THEME)
    doc = html.fromstring(site.files["index.html"])
    hrefs = {a.text_content(): a.get("href") for a in doc.xpath("//main//a[@data-cf-goto]")}
    assert hrefs == {"the check": "#check", "the intro": "#a"}
    assert not any(name.endswith(".yaml") for name in site.files)


def test_memoized_markdown_renders_what_rendering_does(course: Course, site: RenderedSite, tmp_path: Path) -> None:
    """Blocks come from the store on the second render (from memory and from disk) byte for byte."""
    long_text = "# Title\n\n" + "A [link](other.md) and ![alt](img.svg) in a long paragraph. " * 20
    renderer = MarkdownRenderer(LinkTargets({"pages/other.md": "other"}, frozenset({"pages/img.svg"})))
    expected = renderer.render_block(long_text, "pages/here.md", drop_title="Title")
    for store in (MemoryStore(), DiskStore(tmp_path)):
        with cache_scope(store):
            first = render_site(localize_source(course), THEME)
            again = render_site(localize_source(course), THEME)
            assert renderer.block(long_text, "pages/here.md", drop_title="Title") == expected
            assert renderer.block(long_text, "pages/here.md", drop_title="Title") == expected
            assert renderer.block(long_text, "pages/here.md") != expected  # drop_title is in the key
        assert dict(first.files) == dict(again.files) == dict(site.files)
