"""Pseudo-locales: readable, visibly translated, longer or right-to-left, and never broken Markdown."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import catalog_bytes, is_format_domain, load_catalog, parse_catalog
from courseforge.i18n.consistency import check_catalog, compare
from courseforge.i18n.inline import codes, split, translatable_text
from courseforge.i18n.pseudo import (
    PDF,
    PSEUDO_LOCALES,
    RLM,
    RLO,
    is_pseudo,
    pseudo_catalog,
    pseudo_translate,
)

REPO = Path(__file__).resolve().parents[2]
THEME_POT = REPO / "courseforge" / "themes" / "default" / "locales" / "templates" / "ui.pot"
TEMPLATES = [*sorted((REPO / "locales" / "templates").glob("*.pot")), THEME_POT]

MESSAGES = [
    "Skip to content",
    "Screen %(current)s of %(total)s",
    "Your score: %(percent)s%%. You passed.",
    "Read [Fire safety](fire-safety.md \"Fire\"): how **fires** start, and _why_.",
    "[First aid](first-aid.md) comes first.",
    "![A fire exit sign](../assets/exit.svg)",
    "Type `EXIT` or ``a ` b`` to leave, {name}.",
    "2 * 3 = 6, 5*3, snake_case and 100% done",
    "Intro:\n\n- check the weight\n- clear the path  \n  and the floor\n\n1. lift\n\n> Note",
    "  spaces around  ",
    "A line\n",
    "See <https://example.org/a_b> &amp; \\*literal\\*",
    "C:\\",
]


@pytest.mark.parametrize("locale", PSEUDO_LOCALES)
@pytest.mark.parametrize("text", MESSAGES)
def test_codes_stay_byte_identical_and_check_passes(text: str, locale: str) -> None:
    result = pseudo_translate(text, locale)
    assert codes(result) == codes(text)
    assert compare(text, result) == []


@pytest.mark.parametrize("text", MESSAGES)
def test_en_xa_is_bracketed_inside_the_whitespace(text: str) -> None:
    result = pseudo_translate(text, "en-XA")
    inner = result.strip()
    assert inner.startswith("[") and inner.endswith("]")
    assert result[:len(result) - len(result.lstrip())] == text[:len(text) - len(text.lstrip())]


def test_en_xa_accents_letters_only_and_keeps_targets() -> None:
    assert pseudo_translate("Read [the guide](guide.md) now", "en-XA") == "[Ŕéàð [ţĥé ĝûîðé](guide.md) ñöŵ öñé ţŵö]"


def test_en_xa_keeps_block_markers_at_line_starts() -> None:
    result = pseudo_translate("- first item\n- second item", "en-XA")
    assert result.startswith("- [")
    assert "\n- " in result


@pytest.mark.parametrize("text", [m for m in MESSAGES if len(translatable_text(m).strip()) >= 20])
def test_en_xa_is_about_forty_percent_longer(text: str) -> None:
    before = len(translatable_text(text).strip())
    after = len(translatable_text(pseudo_translate(text, "en-XA")).strip()) - 2  # without the brackets
    assert 1.3 <= after / before <= 1.45


def test_en_xa_uses_full_width_brackets_where_a_square_one_would_make_a_link() -> None:
    """A stray ``](target)`` (broken Markdown in the source) would pair with an opening ``[``."""
    result = pseudo_translate("](x.md) stray", "en-XA")
    assert result == "\uff3b](x.md) šţŕàý ö\uff3d"
    assert compare("](x.md) stray", result) == []


def test_en_xa_padding_respects_a_length_limit() -> None:
    text = "A description of exactly fifty characters, or so.."
    assert len(pseudo_translate(text, "en-XA", max_length=55)) == 55
    assert len(pseudo_translate(text, "en-XA")) > 60


def test_ar_xb_overrides_each_run_of_words_to_right_to_left() -> None:
    result = pseudo_translate("Read [the guide](guide.md), {name}: (now).", "ar-XB")
    wrap = RLM + RLO + "{}" + PDF + RLM
    assert result == (wrap.format("Read") + " [" + wrap.format("the guide") + "](guide.md), {name}: ("
                      + wrap.format("now") + ").")


def test_ar_xb_keeps_punctuation_next_to_emphasis_outside_the_marks() -> None:
    """``_why_.``: the closing ``_`` must still be followed by punctuation, or it no longer closes."""
    result = pseudo_translate("and _why_.", "ar-XB")
    assert result.endswith(PDF + RLM + "_.")
    assert codes(result) == {"_": 2}


def test_ar_xb_wraps_fewer_runs_under_a_length_limit() -> None:
    text = "one **two** three"
    assert len(pseudo_translate(text, "ar-XB")) == len(text) + 12
    limited = pseudo_translate(text, "ar-XB", max_length=len(text) + 8)
    assert len(limited) == len(text) + 8
    assert limited.endswith("** three")


def test_ar_xb_never_puts_marks_before_a_block_marker() -> None:
    result = pseudo_translate("Steps:\n- one\n- two", "ar-XB")
    assert [line[:2] for line in result.split("\n")[1:]] == ["- ", "- "]
    assert [s.value for s in split(result) if s.role.value == "block"] == ["- ", "- "]


def test_locale_names() -> None:
    assert PSEUDO_LOCALES == ("en-XA", "ar-XB")
    assert is_pseudo("en-XA") and is_pseudo("en_XA") and is_pseudo("ar-xb")
    assert not is_pseudo("en") and not is_pseudo("ar")
    with pytest.raises(ValueError, match="not a pseudo-locale"):
        pseudo_translate("Hello", "de")


def template() -> Catalog:
    catalog = Catalog(domain="ui", project="ui", version="1", fuzzy=False)
    catalog.add("Next", locations=[("templates/default/index.html", 27)])
    catalog.add("Screen %(current)s of %(total)s", flags=["python-format"])
    catalog.add(("%(count)s question left", "%(count)s questions left"), flags=["python-format"])
    catalog.add("Course description with [a link](x.md).", context="c/@course/description",
                auto_comments=["course description", "max-length: 45"])
    catalog.add("Line with a newline\n", context="c/x")
    catalog.add("72 | seventy-two", context="c/quiz/q1/accepted")
    return catalog


@pytest.mark.parametrize("locale", PSEUDO_LOCALES)
def test_pseudo_catalog_is_complete_and_not_fuzzy(locale: str) -> None:
    catalog = pseudo_catalog(template(), locale)
    assert not catalog.fuzzy
    entries = [m for m in catalog if m.id]
    assert len(entries) == 6
    assert all(not m.fuzzy for m in entries)
    forms = plural_forms(catalog)
    assert len(forms) == catalog.num_plurals == (2 if locale == "en-XA" else 6)
    assert all(forms)
    description = catalog.get("Course description with [a link](x.md).", "c/@course/description")
    assert description is not None and isinstance(description.string, str) and len(description.string) <= 45


def plural_forms(catalog: Catalog) -> tuple[str, ...]:
    plural = catalog.get(("%(count)s question left", "%(count)s questions left"))
    assert plural is not None and isinstance(plural.string, tuple)
    return plural.string


@pytest.mark.parametrize("locale", PSEUDO_LOCALES)
def test_typed_answers_stay_as_the_source_so_a_pseudo_build_can_be_answered(locale: str) -> None:
    answers = pseudo_catalog(template(), locale).get("72 | seventy-two", "c/quiz/q1/accepted")
    assert answers is not None and answers.string == "72 | seventy-two" and not answers.fuzzy


def test_plural_forms_use_the_singular_only_for_one() -> None:
    forms = plural_forms(pseudo_catalog(template(), "ar-XB"))
    singular_forms = [i for i, text in enumerate(forms) if "questions" not in text]
    assert singular_forms == [1]  # Arabic: form 0 is zero, form 1 is one, the rest are plural


@pytest.mark.parametrize("locale", PSEUDO_LOCALES)
def test_pseudo_catalog_passes_msgfmt_and_the_check(tmp_path: Path, locale: str) -> None:
    path = tmp_path / f"{locale}.po"
    path.write_bytes(catalog_bytes(pseudo_catalog(template(), locale), keep_format_flags=True))
    msgfmt = subprocess.run(["msgfmt", "--check-format", "-c", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True, check=False)
    assert msgfmt.returncode == 0, msgfmt.stderr
    assert f"Language: {locale.replace('-', '_')}" in path.read_text(encoding="utf-8")
    sink = DiagnosticSink()
    assert check_catalog(load_catalog(path, keep_format_flags=True), str(path), path.read_bytes(), sink) == 6
    assert sink.items == []


@pytest.mark.parametrize("locale", PSEUDO_LOCALES)
@pytest.mark.parametrize("pot", TEMPLATES, ids=lambda p: p.stem)
def test_every_committed_template_pseudo_translates_cleanly(tmp_path: Path, pot: Path, locale: str) -> None:
    """The real course and player texts: msgfmt accepts the catalog and the check finds nothing."""
    keep = is_format_domain(pot.stem)
    data = catalog_bytes(pseudo_catalog(load_catalog(pot, keep_format_flags=keep), locale), keep_format_flags=keep)
    path = tmp_path / f"{pot.stem}.po"
    path.write_bytes(data)
    msgfmt = subprocess.run(["msgfmt", "--check-format", "-c", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True, check=False)
    assert msgfmt.returncode == 0, msgfmt.stderr
    sink = DiagnosticSink()
    check_catalog(parse_catalog(data, keep_format_flags=keep), str(path), data, sink)
    assert [d.format() for d in sink] == []
