"""Locale formatting in the rendered player (CLDR data through Babel) and the right-to-left stylesheet."""

from __future__ import annotations

import gettext
import json
import re
import unicodedata
from pathlib import Path
from types import MappingProxyType

import pytest
from lxml import html

from courseforge.cache import MemoryStore, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.localized import LocalizedCourse, TextDirection
from courseforge.pipeline import lint_course
from courseforge.stages.render import render_site
from courseforge.stages.render.locale_format import NATIVE_ZERO, digits_of, locale_format
from courseforge.stages.render.minify import minified
from tests.factory import default_theme

ROOT = Path(__file__).parents[1] / "roots" / "runtime-course"
THEME = default_theme()
STYLESHEET = Path(__file__).resolve().parents[2] / "courseforge" / "themes" / "default" / "theme" / "player.css"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"


@pytest.fixture(scope="module")
def course() -> Course:
    sink = DiagnosticSink()
    loaded = lint_course(ROOT, ROOT.name, sink)
    assert loaded is not None and not sink.failed(), [d.format() for d in sink]
    return loaded


class German(gettext.NullTranslations):
    WORDS = MappingProxyType({"Estimated time: %(duration)s": "Geschätzte Dauer: %(duration)s",
                              "Screen %(current)s of %(total)s": "Seite %(current)s von %(total)s"})

    def gettext(self, message: str) -> str:
        return self.WORDS.get(message, message)


def render(course: Course, locale: str, ui: gettext.NullTranslations | None = None) -> html.HtmlElement:
    direction = TextDirection.RTL if locale.startswith("ar") else TextDirection.LTR
    localized = LocalizedCourse(course, locale, direction, ui or gettext.NullTranslations())
    return html.fromstring(render_site(localized, THEME).files["index.html"])


def ui_block(doc: html.HtmlElement) -> dict[str, object]:
    (script,) = doc.xpath("//script[@id='cf-ui']")
    data = json.loads(script.text)
    assert isinstance(data, dict)
    return data


def text_of(doc: html.HtmlElement, css_class: str) -> list[str]:
    return [p.text_content() for p in doc.xpath("//header/p[contains(@class, $c)]", c=css_class)]


# ------------------------------------------------------------------------------------ CLDR data

@pytest.mark.parametrize(("locale", "decimal", "group", "zero", "grouping"), [
    ("en", ".", ",", "0", (3, 3)),
    ("de", ",", ".", "0", (3, 3)),
    ("fr", ",", "\u202f", "0", (3, 3)),
    ("ar", ".", ",", "0", (3, 3)),  # CLDR: Arabic without a region writes Latin digits
    ("ar-EG", "٫", "٬", "٠", (3, 3)),
    ("fa", "٫", "٬", "۰", (3, 3)),
    ("hi", ".", ",", "0", (3, 2)),
    ("en-XA", ".", ",", "0", (3, 3)),  # pseudo-locales use their base language's data
    ("ar-XB", ".", ",", "0", (3, 3)),
])
def test_number_symbols_come_from_cldr(locale: str, decimal: str, group: str, zero: str,
                                       grouping: tuple[int, int]) -> None:
    found = locale_format(locale)
    assert found is not None
    symbols = found.numbers
    assert (symbols.decimal, symbols.group, symbols.digits[0], symbols.grouping) == (decimal, group, zero, grouping)


def test_a_locale_babel_does_not_know_has_no_data() -> None:
    assert locale_format("zz") is None
    assert locale_format("de-XY") is not None  # an unknown region falls back to the language


@pytest.mark.parametrize("system", sorted(NATIVE_ZERO))
def test_native_digits_are_ten_consecutive_decimal_digits(system: str) -> None:
    digits = digits_of(system)
    assert [unicodedata.digit(d) for d in digits] == list(range(10))
    assert {unicodedata.category(d) for d in digits} == {"Nd"}


@pytest.mark.parametrize("locale", ["ar-EG", "fa", "bn", "mr", "my", "dz", "nqo", "ccp", "sat"])
def test_locales_with_native_digits_get_them(locale: str) -> None:
    found = locale_format(locale)
    assert found is not None and found.numbering_system != "latn"
    assert found.numbers.digits == digits_of(found.numbering_system)


@pytest.mark.parametrize(("locale", "value", "expected"), [
    ("en", 1234567.891, "1,234,567.89"),
    ("de", 37.5, "37,5"),
    ("fr", 1234.5, "1\u202f234,5"),
    ("hi", 1234567, "12,34,567"),
    ("ar-EG", 37.5, "٣٧٫٥"),
    ("ar-EG", -1234.567, "\u061c-١٬٢٣٤٫٥٧"),
    ("de-CH", 1234567.5, "1'234'567.5"),
    ("bn", 1234567, "১২,৩৪,৫৬৭"),
    ("en", -0.001, "0"),
])
def test_numbers_in_the_page(locale: str, value: float, expected: str) -> None:
    found = locale_format(locale)
    assert found is not None and found.number(value) == expected


@pytest.mark.parametrize(("locale", "minutes", "expected"), [
    ("en", 45, "45 minutes"),
    ("de", 45, "45 Minuten"),
    ("fr", 45, "45 minutes"),
    ("ar", 45, "45 دقيقة"),
    ("ar-EG", 45, "٤٥ دقيقة"),
    ("en-XA", 45, "45 minutes"),
    ("en", 90, "1 hour and 30 minutes"),  # not rounded to "2 hours" as format_timedelta would
    ("de", 120, "2 Stunden"),
    ("ar", 90, "ساعة و30 دقيقة"),  # Babel's "unit" list would repeat the last item here
])
def test_duration_in_words(locale: str, minutes: int, expected: str) -> None:
    found = locale_format(locale)
    assert found is not None and found.duration(minutes) == expected



@pytest.mark.parametrize("locale", ["en", "de-CH", "ar-EG", "bn", "en-XA", "zz"])
def test_the_formatting_data_kept_in_the_cache_is_babels(locale: str) -> None:
    """What a rebuild reads back from the cache (number symbols, a duration's words) equals what Babel gives."""
    direct = locale_format(locale)
    with cache_scope(MemoryStore()):
        computed, read_back = locale_format(locale), locale_format(locale)
        words = [found.duration(minutes) for found in (computed, read_back) if found for minutes in (45, 90, 90)]
    assert computed == read_back == direct
    assert words == ([] if direct is None else 2 * [direct.words(45), direct.words(90), direct.words(90)])


# ------------------------------------------------------------------------------------ the rendered page

def test_header_shows_the_duration_and_progress_for_the_locale(course: Course) -> None:
    doc = render(course, "de", German())
    assert text_of(doc, "cf-duration") == ["Geschätzte Dauer: 10 Minuten"]
    assert text_of(doc, "cf-progress") == ["Seite 1 von 5"]
    arabic = render(course, "ar-EG")
    assert text_of(arabic, "cf-duration") == ["Estimated time: ١٠ دقائق"]
    assert text_of(arabic, "cf-progress") == ["Screen ١ of ٥"]


def test_runtime_gets_the_number_symbols(course: Course) -> None:
    ui = ui_block(render(course, "de"))
    assert ui["number"] == {"decimal": ",", "group": ".", "minus": "-", "digits": list("0123456789"),
                            "grouping": [3, 3]}
    assert list(ui) == sorted(ui)
    arabic = ui_block(render(course, "ar-EG"))["number"]
    assert isinstance(arabic, dict) and arabic["digits"] == list(ARABIC_INDIC)


def test_sequencing_positions_read_in_the_locale_and_track_in_latin_digits(course: Course) -> None:
    tea = render(course, "ar-EG").xpath("//select[@data-item='boil']")[0]
    assert [(o.get("value"), o.text_content()) for o in tea.xpath("./option")][1:] == [
        ("1", "١"), ("2", "٢"), ("3", "٣")]


def test_unknown_locale_leaves_numbers_to_the_browser(course: Course) -> None:
    doc = render(course, "zz")
    assert ui_block(doc)["number"] is None
    assert text_of(doc, "cf-duration") == []


# ------------------------------------------------------------------------------------ right-to-left

COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
PHYSICAL_WORD = re.compile(r"\b(left|right)\b", re.IGNORECASE)
FOUR_SIDES = re.compile(r"\b(margin|padding|inset|border-width|border-style|border-color)\s*:\s*([^;{}]+)")
CORNERS = re.compile(r"\bborder-radius\s*:\s*([^;{}]+)")


def css_lines() -> list[tuple[int, str]]:
    """The stylesheet's lines without comments (line numbers kept for the failure message)."""
    text = COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), STYLESHEET.read_text(encoding="utf-8"))
    return list(enumerate(text.splitlines(), start=1))


def test_stylesheet_has_no_physical_left_or_right() -> None:
    found = [(number, line) for number, line in css_lines() if PHYSICAL_WORD.search(line)]
    assert found == [], "use margin-inline-*, padding-inline-*, inset-inline-*, border-inline-*, text-align: start/end"


def test_stylesheet_shorthands_do_not_set_left_and_right_apart() -> None:
    """``margin: 0 1rem 0 2rem`` is physical; one to three values, or equal left/right, read the same in RTL."""
    bad = []
    for number, line in css_lines():
        for match in FOUR_SIDES.finditer(line):
            values = match.group(2).split()
            if len(values) == 4 and values[1] != values[3]:
                bad.append((number, line))
        bad.extend((number, line) for match in CORNERS.finditer(line) if len(match.group(1).split()) > 1)
    assert bad == []


def test_the_shipped_stylesheet_is_the_one_checked(course: Course) -> None:
    localized = LocalizedCourse(course, "ar", TextDirection.RTL, gettext.NullTranslations())
    site = render_site(localized, THEME)
    assert site.files["theme/player.css"] == minified("theme/player.css", STYLESHEET.read_bytes())


def test_directional_glyphs_mirror_in_right_to_left(course: Course) -> None:
    """The breadcrumb chevron mirrors by Unicode (Bidi_Mirrored), so CSS must not flip it again; the
    external-link arrow has no mirrored form in Unicode, so the stylesheet swaps it."""
    doc = render(course, "ar")
    separators = {s.text_content() for s in doc.xpath("//*[contains(@class, 'cf-crumb-separator')]")}
    assert separators and all(unicodedata.mirrored(c) for c in "".join(separators))
    css = "\n".join(line for _, line in css_lines())
    assert "cf-crumb-separator" not in css and "scaleX" not in css
    assert re.search(r'a\[target="_blank"\]:dir\(rtl\)::after\s*\{\s*content:\s*" ↖"', css)
