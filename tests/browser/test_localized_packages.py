"""Localized packages of the sample courses in a real browser against scorm-again's SCORM 1.2 API.

A learner takes each package by what it shows in its own language: controls are found by their
translated labels, read from the localized course by id, so a quiz answered the same way must record
the same tracking ids and response patterns in every locale. The en-XA pseudo-locale shows that no
visible text skipped translation; a catalog with one entry removed shows the marked fallback.
Packages are built in-test by the real pipeline from courses/ and locales/.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from lms import LmsServer, ScormSession
from playwright.sync_api import Browser, Frame, Locator, Page, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.pseudo import is_pseudo
from courseforge.model.course import (
    Checklist,
    Course,
    FillIn,
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Quiz,
    Screen,
    Sequencing,
    SingleChoice,
    Survey,
    TrueFalse,
)
from courseforge.model.localized import LocalizedCourse
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course, locale_catalogs
from courseforge.stages.localize import localize
from courseforge.stages.render.fallback import strip_marks
from courseforge.stages.render.locale_format import locale_format
from courseforge.stages.render.markup import MarkdownRenderer
from tests.factory import default_theme

pytestmark = pytest.mark.browser

REPO = Path(__file__).parents[2]
LOCALES = REPO / "locales"
SAFETY = "workplace-safety"
PRIVACY = "data-privacy"
FIRST_TRY_RIGHT = frozenset({"q-spill-first-action", "q-co2-removes", "q-use-lift", "q-ppe-hierarchy"})
"""Questions of workplace-safety answered right in a first, failed attempt (a score with decimals)."""
REMOVED = f"{SAFETY}/welcome/b1"
"""The catalog entry the fallback test deletes: the first paragraph of the first screen."""


# ------------------------------------------------------------------------------------ packages

@dataclass(frozen=True)
class Edition:
    """One locale's package of a course, and the localized course a learner there reads."""

    zip_path: Path
    localized: LocalizedCourse

    @property
    def locale(self) -> str:
        return self.localized.locale

    def ui(self, message: str) -> str:
        """A player string as the page shows it (fallback marks become a span, never text)."""
        return strip_marks(self.localized.ui.gettext(message))

    def text(self, markdown: str) -> str:
        """Course text as a label or legend reads: inline Markdown gone."""
        return MarkdownRenderer.plain(strip_marks(markdown))

    def number(self, value: float) -> str:
        found = locale_format(self.locale)
        assert found is not None
        return found.number(value)


def localized_course(course: Course, locale: str, locales_dir: Path) -> LocalizedCourse:
    """The course as the build localized it (the same catalogs, read again)."""
    quiet = DiagnosticSink()
    catalogs = None
    if locale != course.manifest.language and not is_pseudo(locale):
        catalogs = locale_catalogs(course, locale, default_theme(), BuildOptions(locales_dir=locales_dir), quiet)
    return localize(course, locale, catalogs, quiet)


def build(course_id: str, locales: tuple[str, ...], out: Path, locales_dir: Path = LOCALES,
          allow_incomplete: bool = False) -> tuple[dict[str, Edition], DiagnosticSink]:
    sink = DiagnosticSink()
    options = BuildOptions(formats=(PackageFormat.SCORM12,), locales=locales, locales_dir=locales_dir,
                           allow_incomplete=allow_incomplete)
    result = build_course(REPO / "courses" / course_id, f"courses/{course_id}", options, sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    editions = {}
    for built in result.packages:
        locale = built.package.locale
        zip_path = out / f"{course_id}-{locale}.zip"
        zip_path.write_bytes(built.package.data)
        editions[locale] = Edition(zip_path, localized_course(result.course, locale, locales_dir))
    return editions, sink


@dataclass(frozen=True)
class Builds:
    safety: dict[str, Edition]
    privacy: dict[str, Edition]
    warnings: list[str]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    out = tmp_path_factory.mktemp("localized")
    safety, sink = build(SAFETY, ("de", "fr", "ar", "en-XA"), out)
    privacy, _ = build(PRIVACY, ("en-XA",), out)
    return Builds(safety, privacy, [d.format() for d in sink])


# ------------------------------------------------------------------------------------ a learner

@dataclass
class Record:
    """What the LMS recorded: status, raw score, and each interaction as (type, pattern, response, result);
    the pattern is empty where SCORM 1.2 has no way to write the answer key (a numeric range)."""

    status: str
    score: str
    interactions: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)


def record_of(session: ScormSession) -> Record:
    cmi = session.cmi()
    interactions = {
        i["id"]: (i["type"], i["correct_responses"].get("0", {}).get("pattern", ""), i["student_response"],
                  i["result"])
        for i in cmi["interactions"].values()
    }
    return Record(cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"], interactions)


def question_box(frame: Frame, edition: Edition, question: Question) -> Locator:
    return frame.get_by_role("group", name=edition.text(question.prompt), exact=True)


def answer(frame: Frame, edition: Edition, question: Question) -> None:
    """Answers one question correctly, finding every control by its label in the edition's language;
    a question the attempt did not draw is left alone."""
    box = question_box(frame, edition, question)
    if not box.is_visible():
        return
    if isinstance(question, SingleChoice | MultipleResponse):
        for choice in (c for c in question.choices if c.correct):
            box.get_by_label(edition.text(choice.text), exact=True).check()
    elif isinstance(question, TrueFalse):
        box.get_by_label(edition.ui("True" if question.answer else "False"), exact=True).check()
    elif isinstance(question, Matching):
        targets = {t.id: edition.text(t.text) for t in question.targets}
        for source in question.sources:
            box.get_by_label(edition.text(source.text), exact=True).select_option(
                label=targets[question.answer[source.id]])
    elif isinstance(question, Sequencing):
        items = {i.id: edition.text(i.text) for i in question.items}
        for position, item_id in enumerate(question.answer, start=1):
            box.get_by_label(items[item_id], exact=True).select_option(label=edition.number(position))
    elif isinstance(question, Numeric):
        value = question.answer if question.answer is not None else question.min
        box.get_by_role("textbox").fill(str(value))
    elif isinstance(question, FillIn):
        box.get_by_role("textbox").fill(question.accepted[0])


def submit_quiz(frame: Frame, edition: Edition, quiz: Quiz, right: Callable[[Question], bool]) -> None:
    for question in quiz.questions:
        if right(question):
            answer(frame, edition, question)
    left = [q for q in quiz.questions if not right(q) and question_box(frame, edition, q).is_visible()]
    frame.get_by_role("button", name=edition.ui("Submit answers"), exact=True).click()
    if left:  # the player asks before an attempt with unanswered questions is used
        confirm = frame.get_by_role("dialog", name=edition.ui("Submit with unanswered questions?"), exact=True)
        confirm.get_by_role("button", name=edition.ui("Submit anyway"), exact=True).click()
    # The attempt is scored when the dialog's close event runs, a task after the click: read the result as a
    # learner does before doing anything else (closing the window at once would lose the attempt).
    expect(frame.locator('[data-role="result"]')).not_to_be_empty()


def result_line(edition: Edition, quiz: Quiz, right: frozenset[str]) -> str:
    """The score line the learner must read, from the catalog and the locale's number format."""
    earned = sum(q.points for q in quiz.questions if q.id in right)
    percent = round(100 * earned / sum(q.points for q in quiz.questions), 2)
    message = "Your score: %(percent)s%%. You passed." if percent >= 80 else \
        "Your score: %(percent)s%%. You did not pass."
    return edition.ui(message) % {"percent": edition.number(percent)}


def tick_required(frame: Frame, edition: Edition, checklist: Checklist) -> None:
    for item in (i for i in checklist.items if i.required):
        frame.get_by_label(f"{edition.text(item.text)} {edition.ui('(required)')}", exact=True).check()


def answer_survey(frame: Frame, edition: Edition, survey: Survey) -> None:
    for item in survey.questions:
        box = frame.get_by_role("group", name=edition.text(item.prompt), exact=True)
        if box.count():
            box.get_by_role("radio").first.check()
        else:
            frame.get_by_label(edition.text(item.prompt), exact=True).fill("ok")
    frame.get_by_role("button", name=edition.ui("Submit survey"), exact=True).click()


Look = Callable[[str], None]
"""Called with a moment's name whenever the screen shows something new (for the en-XA text check)."""


def take_quiz(frame: Frame, edition: Edition, quiz: Quiz, look: Look) -> None:
    """A failed first attempt with some answers right (a score with decimals), then a perfect one."""
    result = frame.locator('[data-role="result"]')
    first = FIRST_TRY_RIGHT if quiz.id == "safety-quiz" else frozenset()
    submit_quiz(frame, edition, quiz, lambda q: q.id in first)
    expect(result).to_have_text(result_line(edition, quiz, first))
    look(f"{quiz.id}: failed attempt")
    frame.get_by_role("button", name=edition.ui("Try again"), exact=True).click()
    submit_quiz(frame, edition, quiz, lambda q: True)
    expect(result).to_have_text(result_line(edition, quiz, frozenset(q.id for q in quiz.questions)))
    look(f"{quiz.id}: passed")


def do_screen(frame: Frame, edition: Edition, screen: Screen, look: Look) -> None:
    expect(frame.get_by_role("heading", level=1)).to_have_text(edition.text(screen.title))
    look(screen.id)
    if isinstance(screen, Checklist):
        tick_required(frame, edition, screen)
        look(f"{screen.id}: ticked")
    elif isinstance(screen, Quiz):
        take_quiz(frame, edition, screen, look)
    elif isinstance(screen, Survey):
        answer_survey(frame, edition, screen)
        look(f"{screen.id}: submitted")


def take_course(frame: Frame, edition: Edition, look: Look = lambda moment: None) -> None:
    """Every screen in order with the Next button: pages read, checklists ticked, quizzes passed."""
    screens = edition.localized.course.screens
    for index, screen in enumerate(screens):
        do_screen(frame, edition, screen, look)
        if index < len(screens) - 1:
            frame.get_by_role("button", name=edition.ui("Next"), exact=True).click()


@pytest.fixture(scope="module")
def english_record(chromium: Browser, lms_server: LmsServer, builds: Builds) -> Iterator[Record]:
    """The source-language package taken the same way: what every locale must record too."""
    context = chromium.new_context()
    session = ScormSession(context, lms_server)
    frame = launch(session, builds.safety["en"])
    take_course(frame, builds.safety["en"])
    yield record_of(session)
    session.close()
    context.close()


def launch(session: ScormSession, edition: Edition) -> Frame:
    page, frame = session.launch(edition.zip_path)
    page.set_default_timeout(5000)  # a missing label fails in seconds, not Playwright's 30
    return frame


def html_lang_dir(frame: Frame) -> list[str]:
    return list(frame.evaluate("() => [document.documentElement.lang, document.documentElement.dir]"))


def assert_translated_player(frame: Frame, edition: Edition) -> None:
    """The player's own controls speak the language: no English button name, no fallback span."""
    for name in ("Next", "Previous"):
        translated = edition.ui(name)
        assert translated != name
        expect(frame.get_by_role("button", name=translated, exact=True)).to_be_visible()
        expect(frame.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(frame.get_by_role("navigation", name=edition.ui("Course contents"), exact=True)).to_be_visible()
    expect(frame.locator('[lang="en"]')).to_have_count(0)


NUMBERS = (0, 0.5, 37.5, 36.3636, 1234.5678, -1234567.891, 100)
OTHER_LOCALES = ("hi", "ar-EG", "fr", "de-CH", "bn", "ff-Adlm")
"""Grouping 3/2, Arabic-Indic digits, narrow no-break space, apostrophe, Bengali digits, digits outside the BMP."""


def assert_runtime_writes_numbers_as_the_build(frame: Frame, locale: str) -> None:
    """``dom.number`` with another locale's symbols gives what the build writes for that locale."""
    for other in (*OTHER_LOCALES, locale):  # the page's own locale last, so the page is left as it was
        found = locale_format(other)
        assert found is not None
        written = frame.evaluate("([symbols, values]) => { const dom = window.courseforge.dom;"
                                 " dom.useNumberSymbols(symbols); return values.map(dom.number); }",
                                 [found.numbers.as_json(), list(NUMBERS)])
        assert written == [found.number(value) for value in NUMBERS], other


SWAP_IN_REFERENCE = """(glyph) => {
  const separator = document.querySelector("section:not([hidden]) .cf-crumb-separator");
  const reference = document.createElement("bdo");
  reference.dir = "ltr";
  reference.textContent = glyph;
  separator.replaceWith(reference);
  return () => reference.replaceWith(separator);
}"""


def chevron_points(page: Page, frame: Frame) -> list[str]:
    """Which way the breadcrumb separator is drawn: the pixels where it stands against ‹ and › drawn
    there by a left-to-right ``<bdo>`` (never mirrored, and free of the separator's own styles)."""
    box = frame.locator("section:not([hidden]) .cf-crumb-separator").bounding_box()
    assert box is not None
    shown = page.screenshot(clip=box)
    ways = []
    for way, glyph in (("left", "\u2039"), ("right", "\u203a")):
        restore = frame.evaluate_handle(SWAP_IN_REFERENCE, glyph)
        if page.screenshot(clip=box) == shown:
            ways.append(way)
        restore.evaluate("restore => restore()")
    return ways


def assert_same_tracking(session: ScormSession, english: Record) -> None:
    record = record_of(session)
    assert (record.status, record.score) == ("passed", "100")
    assert record.interactions == english.interactions
    assert session.page_errors == []


# ------------------------------------------------------------------------------------ the tests

def test_german_package_is_german_and_scores_by_id(scorm_session: ScormSession, builds: Builds,
                                                   english_record: Record) -> None:
    german = builds.safety["de"]
    frame = launch(scorm_session, german)
    assert html_lang_dir(frame) == ["de", "ltr"]
    assert_translated_player(frame, german)
    expect(frame.locator(".cf-duration")).to_contain_text("45 Minuten")
    assert frame.evaluate("() => [1234567.891, 37.5, -0.5].map(window.courseforge.dom.number)") == [
        "1.234.567,89", "37,5", "-0,5"]
    assert_runtime_writes_numbers_as_the_build(frame, german.locale)
    assert chevron_points(scorm_session.page, frame) == ["right"]

    lines: dict[str, str] = {}

    def score_line(moment: str) -> None:
        lines[moment] = frame.locator('[data-role="result"]').inner_text()

    take_course(frame, german, score_line)
    assert "36,36" in lines["safety-quiz: failed attempt"]  # 4 of 11 points, German decimal comma
    assert_same_tracking(scorm_session, english_record)
    assert not [w for w in builds.warnings if "[i18n.fallback]" in w and "de:" in w]


def test_french_package_is_french_and_scores_by_id(scorm_session: ScormSession, builds: Builds,
                                                   english_record: Record) -> None:
    french = builds.safety["fr"]
    frame = launch(scorm_session, french)
    assert html_lang_dir(frame) == ["fr", "ltr"]
    assert_translated_player(frame, french)
    assert frame.evaluate("() => [37.5].map(window.courseforge.dom.number)") == ["37,5"]
    take_course(frame, french)
    assert_same_tracking(scorm_session, english_record)
    assert not [w for w in builds.warnings if "[i18n.fallback]" in w and "fr:" in w]


def test_arabic_package_is_right_to_left_and_scores_by_id(scorm_session: ScormSession, builds: Builds,
                                                          english_record: Record) -> None:
    arabic = builds.safety["ar"]
    frame = launch(scorm_session, arabic)
    assert html_lang_dir(frame) == ["ar", "rtl"]
    assert frame.evaluate("() => getComputedStyle(document.querySelector('main')).direction") == "rtl"
    contents, main = (frame.locator(selector).bounding_box() for selector in ("nav.cf-contents", "main"))
    assert contents and main and contents["x"] > main["x"], "the contents column must sit on the right"
    assert_translated_player(frame, arabic)
    expect(frame.locator(".cf-duration")).to_contain_text("45 دقيقة")
    assert chevron_points(scorm_session.page, frame) == ["left"]

    take_course(frame, arabic)
    assert_same_tracking(scorm_session, english_record)


UNBRACKETED_TEXT = """([open, close]) => {
  const letter = /\\p{L}/u;
  const bad = [];
  const inline = element => getComputedStyle(element).display.startsWith("inline");
  function block(element) {
    while (element.parentElement && inline(element)) element = element.parentElement;
    return element;
  }
  function depthBefore(node) {  // brackets opened and not closed before `node` in its block
    const range = document.createRange();
    range.selectNodeContents(block(node.parentElement));
    range.setEnd(node, 0);
    let depth = 0;
    for (const c of range.toString()) depth = c === open ? depth + 1 : c === close ? Math.max(0, depth - 1) : depth;
    return depth;
  }
  function shown(element) {
    const select = element.closest("select");
    return (select || element).checkVisibility({visibilityProperty: true, opacityProperty: true});
  }
  function check(node) {
    let depth = depthBefore(node);
    for (const c of node.data) {
      depth = c === open ? depth + 1 : c === close ? depth - 1 : depth;
      if (depth <= 0 && letter.test(c)) return bad.push(node.data.trim());
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (letter.test(node.data) && !parent.closest("script, style") && shown(parent)) check(node);
  }
  const named = document.querySelectorAll("[aria-label], [title], [alt], [placeholder]");
  for (const element of named) {
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      const value = (element.getAttribute(name) || "").trim();
      if (letter.test(value) && !(value.startsWith(open) && value.endsWith(close))) bad.push(name + ": " + value);
    }
  }
  if (letter.test(document.title) && !document.title.startsWith(open)) bad.push("title: " + document.title);
  return bad;
}"""


@pytest.mark.parametrize("course_id", [SAFETY, PRIVACY])
def test_pseudo_locale_shows_no_hard_coded_text(scorm_session: ScormSession, builds: Builds,
                                                course_id: str) -> None:
    """Every visible text node on every screen, after every learner action, lies inside en-XA's brackets."""
    pseudo = (builds.safety if course_id == SAFETY else builds.privacy)["en-XA"]
    frame = launch(scorm_session, pseudo)
    found: dict[str, list[str]] = {}

    def look(moment: str) -> None:
        bad = frame.evaluate(UNBRACKETED_TEXT, ["[", "]"])
        if bad:
            found[moment] = bad

    take_course(frame, pseudo, look)
    if course_id == SAFETY:  # the resume dialog, once
        scorm_session.close()
        _, frame = scorm_session.relaunch()
        expect(frame.get_by_role("dialog")).to_be_visible()
        look("resume dialog")
    assert found == {}
    assert scorm_session.page_errors == []


def remove_entry(po: Path, context: str) -> str:
    """Deletes the entry with msgctxt ``context`` from a PO file; returns its source text."""
    with po.open("rb") as source:
        catalog = read_po(source)
    (message,) = [m for m in catalog if m.context == context]
    catalog.delete(message.id, context)
    with po.open("wb") as target:
        write_po(target, catalog, width=0)
    return str(message.id)


def test_missing_translation_falls_back_marked_and_warned(scorm_session: ScormSession, tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES / "de", locales / "de")
    english = MarkdownRenderer.plain(remove_entry(locales / "de" / "LC_MESSAGES" / f"{SAFETY}.po", REMOVED))

    editions, sink = build(SAFETY, ("de",), tmp_path, locales_dir=locales, allow_incomplete=True)
    fallbacks = [d for d in sink if d.code == "i18n.fallback"]
    assert len(fallbacks) == 1 and fallbacks[0].message.startswith("de: 1 of "), [d.format() for d in sink]

    frame = launch(scorm_session, editions["de"])
    marked = frame.locator('span[lang="en"]')
    expect(marked).to_have_count(1)
    expect(marked).to_be_visible()
    expect(marked).to_have_text(english)
    assert marked.get_attribute("dir") == "auto"
