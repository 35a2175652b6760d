"""Localized builds: same ids and answer keys in every locale, marked fallbacks, valid catalogs."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from lxml import html

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import catalog_bytes, load_catalog
from courseforge.i18n.extract import ui_template
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course, lint_course, locale_catalogs
from courseforge.stages.localize import localize
from courseforge.stages.render import render_site
from tests.factory import default_theme

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "locales"
THEME_LOCALES = REPO / "courseforge" / "themes" / "default" / "locales"
CATALOGS = [path for folder in (LOCALES, THEME_LOCALES) for path in sorted(folder.glob("**/*.po*"))]


def course(name: str) -> Course:
    sink = DiagnosticSink()
    result = lint_course(REPO / "courses" / name, f"courses/{name}", sink)
    assert result is not None, [d.format() for d in sink]
    return result


def page_of(localized_course: Course, locale: str, locales: Path = LOCALES) -> tuple[html.HtmlElement, DiagnosticSink]:
    sink = DiagnosticSink()
    theme = default_theme()
    catalogs = locale_catalogs(localized_course, locale, theme, BuildOptions(locales_dir=locales), sink)
    site = render_site(localize(localized_course, locale, catalogs, sink), theme)
    return html.fromstring(site.files["index.html"]), sink


def tracking_data(document: html.HtmlElement) -> object:
    """The runtime's course data without any text: ids, kinds, scoring keys (fill-in answers aside, and the
    items' texts, ``texts``)."""
    (script,) = document.xpath("//script[@id='cf-data']")
    data = json.loads(script.text)

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in {"title", "accepted", "language", "lang", "texts"}}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(data)


@pytest.mark.parametrize(("name", "locale"), [("workplace-safety", "de"), ("workplace-safety", "ar"),
                                              ("data-privacy", "fr"), ("data-privacy", "en-XA")])
def test_ids_and_answer_keys_are_identical_across_locales(name: str, locale: str) -> None:
    source = course(name)
    english, _ = page_of(source, "en")
    translated, _ = page_of(source, locale)
    assert tracking_data(translated) == tracking_data(english)
    assert translated.get("lang") == locale


def test_missing_translation_falls_back_marked_and_warned(tmp_path: Path) -> None:
    source = course("workplace-safety")
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    po = locales / "de" / "LC_MESSAGES" / "workplace-safety.po"
    catalog = load_catalog(po)
    title = catalog.get("Workplace Safety Induction", "workplace-safety/@course/title")
    assert title is not None
    title.string = ""
    po.write_bytes(catalog_bytes(catalog))
    document, sink = page_of(source, "de", locales)
    spans = document.xpath("//span[@lang='en']")
    assert "Workplace Safety Induction" in [s.text_content() for s in spans]
    assert [d.code for d in sink] == ["i18n.fallback"]
    assert "1 of " in sink.items[0].message


def test_right_to_left_locale_sets_dir() -> None:
    document, _ = page_of(course("workplace-safety"), "ar")
    assert (document.get("lang"), document.get("dir")) == ("ar", "rtl")


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_msgfmt_accepts_every_committed_catalog(path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check-format", "-c", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def german_ui(locales: Path, drop: str | None = None) -> str:
    """Copies the German player catalog into ``locales``; returns the German for "Next"."""
    source = THEME_LOCALES / "de" / "LC_MESSAGES" / "ui.po"
    target = locales / "de" / "LC_MESSAGES" / "ui.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(source, keep_format_flags=True)
    next_message = catalog.get("Next")
    assert next_message is not None
    german_next = str(next_message.string)
    if drop is not None:
        catalog.delete(drop)
    target.write_bytes(catalog_bytes(catalog, keep_format_flags=True))
    return german_next


def test_a_course_written_in_german_gets_the_german_player(tmp_path: Path) -> None:
    folder = tmp_path / "i18n-course"
    shutil.copytree(REPO / "tests" / "roots" / "i18n-course", folder)
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text().replace("language: en\n", "language: de\n")
                        .replace("  - language: de\n    required: 100\n", ""))
    german_next = german_ui(tmp_path / "locales")
    sink = DiagnosticSink()
    built = build_course(folder, "i18n-course", BuildOptions(locales_dir=tmp_path / "locales",
                                                             formats=(PackageFormat.SCORM12,)), sink)
    assert built is not None, [d.format() for d in sink]
    (package,) = built.packages
    with zipfile.ZipFile(io.BytesIO(package.package.data)) as archive:
        document = html.fromstring(archive.read("index.html"))
    assert document.get("lang") == "de"
    assert document.xpath("string(//button[@id='cf-next'])").strip() == german_next
    assert not document.xpath("//span[@lang='en']")


def player_catalog(locales: Path, language: str, drop: str) -> None:
    """A project ui.po for a language the theme has no built-in catalog for, lacking one string."""
    template = ui_template(default_theme())
    catalog = Catalog(locale=language, domain="ui", fuzzy=False)
    for message in template:
        if message.id and message.id != drop:
            plural = isinstance(message.id, tuple)
            string = tuple(f"[{language}] {form}" for form in message.id) if plural else f"[{language}] {message.id}"
            catalog.add(message.id, string, context=message.context, flags=message.flags)
    target = locales / language / "LC_MESSAGES" / "ui.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(catalog_bytes(catalog, keep_format_flags=True))


def test_a_missing_player_string_falls_back_to_english_marked(tmp_path: Path) -> None:
    player_catalog(tmp_path / "locales", "es", drop="Next")
    document, _ = page_of(course("workplace-safety"), "es", tmp_path / "locales")
    (button,) = document.xpath("//button[@id='cf-next']")
    (span,) = button.xpath("span")
    assert (span.get("lang"), span.get("dir"), span.text) == ("en", "ltr", "Next")
    assert document.xpath("string(//button[@id='cf-prev'])").strip().startswith("[es] ")


def test_a_project_player_catalog_overrides_one_built_in_string(tmp_path: Path) -> None:
    german_ui(tmp_path / "locales")
    path = tmp_path / "locales" / "de" / "LC_MESSAGES" / "ui.po"
    catalog = Catalog(locale="de", domain="ui", fuzzy=False)
    catalog.add("Next", "Weiter geht's")
    path.write_bytes(catalog_bytes(catalog, keep_format_flags=True))
    document, _ = page_of(course("workplace-safety"), "de", tmp_path / "locales")
    assert document.xpath("string(//button[@id='cf-next'])").strip() == "Weiter geht's"
    assert document.xpath("string(//button[@id='cf-prev'])").strip() == "Zurück"
