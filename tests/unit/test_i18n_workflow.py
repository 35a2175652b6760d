"""The translator workflow through the real commands: extract -> init -> update -> status."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from click.testing import CliRunner

from courseforge.cli import cli
from courseforge.i18n.catalog import catalog_bytes, load_catalog, po_path, pot_path
from courseforge.i18n.status import coverage, template_keys
from courseforge.i18n.update import merge

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "roots" / "i18n-course"
GOLDEN = REPO / "tests" / "golden" / "i18n" / "i18n-course.pot"
LOCALES = Path("locales")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "courses" / "i18n-course")
    (tmp_path / "courseforge.yaml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def translate_all(language: str, domain: str = "i18n-course") -> None:
    path = po_path(LOCALES, language, domain)
    catalog = load_catalog(path)
    for message in catalog:
        if message.id:
            message.string = f"{language}:{message.id}"
    path.write_bytes(catalog_bytes(catalog))


def assert_msgfmt_accepts(path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check-format", "-c", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_extracted_template_matches_golden(project: Path) -> None:
    code, output = run("i18n", "extract")
    assert code == 0, output
    body = catalog_bytes(load_catalog(pot_path(LOCALES, "i18n-course")), omit_header=True)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(body)
    assert body == GOLDEN.read_bytes()


def test_template_is_not_rewritten_when_messages_are_unchanged(project: Path) -> None:
    run("i18n", "extract")
    path = pot_path(LOCALES, "i18n-course")
    before = path.read_bytes(), path.stat().st_mtime_ns
    code, output = run("i18n", "extract")
    assert code == 0 and "(updated)" not in output.splitlines()[0]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_changing_one_sentence_marks_exactly_that_entry_fuzzy_in_every_language(project: Path) -> None:
    run("i18n", "extract")
    run("i18n", "update")
    for language in ("de", "fr"):
        translate_all(language)
    page = project / "courses" / "i18n-course" / "pages" / "ladders.md"
    page.write_text(page.read_text().replace("Keep three points of contact.", "Always keep three points of contact."))
    run("i18n", "extract")
    code, output = run("i18n", "update")
    assert code == 0
    assert "locales/de/LC_MESSAGES/i18n-course.po: +0/-0/~1" in output
    assert "locales/fr/LC_MESSAGES/i18n-course.po: +0/-0/~1" in output
    for language in ("de", "fr"):
        catalog = load_catalog(po_path(LOCALES, language, "i18n-course"))
        fuzzy = [m for m in catalog if m.id and m.fuzzy]
        assert [(m.context, m.string) for m in fuzzy] == [
            ("i18n-course/ladders/b4", f"{language}:Keep three points of contact.")]
        assert all(m.string == f"{language}:{m.id}" for m in catalog if m.id and not m.fuzzy)
        assert_msgfmt_accepts(po_path(LOCALES, language, "i18n-course"))


def test_removed_text_becomes_obsolete_and_new_text_is_added(project: Path) -> None:
    run("i18n", "extract")
    run("i18n", "update", "--lang", "de")
    translate_all("de")
    quiz = project / "courses" / "i18n-course" / "quizzes" / "ladder-quiz.yaml"
    quiz.write_text(quiz.read_text().replace("      - {id: c2, text: Two}\n", "      - {id: c4, text: Four}\n"))
    run("i18n", "extract")
    code, output = run("i18n", "update", "--lang", "de")
    assert code == 0
    assert "locales/de/LC_MESSAGES/i18n-course.po: +1/-1/~0" in output
    catalog = load_catalog(po_path(LOCALES, "de", "i18n-course"))
    assert [m.string for m in catalog.obsolete.values()] == ["de:Two"]
    assert_msgfmt_accepts(po_path(LOCALES, "de", "i18n-course"))


def test_status_reports_coverage_and_gates_on_required_and_min(project: Path) -> None:
    run("i18n", "extract")
    run("i18n", "update")
    translate_all("de")
    code, output = run("i18n", "status", "--json")
    rows = {(r["domain"], r["language"]): r for r in json.loads(output)["catalogs"]}
    assert rows[("i18n-course", "de")]["percent"] == 100.0
    assert rows[("i18n-course", "fr")]["translated"] == 0
    assert code == 1  # fr needs 50 %
    translate_all("fr")
    assert run("i18n", "status")[0] == 0
    code, output = run("i18n", "status", "--min", "100")
    assert code == 0, output  # the player's strings: the theme ships de and fr, counted as the build counts them
    path = po_path(LOCALES, "de", "i18n-course")
    path.write_text(path.read_text().replace('msgstr "de:Ladder safety"', 'msgstr ""'))
    code, output = run("i18n", "status", "--min", "100")
    assert code == 1 and "i18n-course/de" in output and "ui/de" not in output


def test_coverage_counts_fuzzy_and_empty_plural_forms_as_not_translated() -> None:
    template = Catalog(fuzzy=False)
    template.add("one", context="c/1")
    template.add("two", context="c/2")
    template.add(("apple", "apples"), context="c/3")
    template.add("four", context="c/4")
    catalog = Catalog(locale="de", fuzzy=False)
    catalog.add("one", "eins", context="c/1")
    catalog.add("two", "zwei", context="c/2", flags=["fuzzy"])
    catalog.add(("apple", "apples"), ("Apfel", ""), context="c/3")
    catalog.obsolete["gone"] = catalog.get("one", "c/1")  # type: ignore[assignment]
    result = coverage(template_keys(template), catalog, "c", "de", required=50)
    assert (result.translated, result.fuzzy, result.untranslated, result.obsolete) == (1, 1, 2, 1)
    assert result.percent == 25.0 and result.below(None)


def test_merge_reuses_a_translation_whose_block_moved(project: Path) -> None:
    template = Catalog(fuzzy=False)
    template.add("Intro.", context="x/p/b1")
    template.add("Moved text.", context="x/p/b2")
    existing = Catalog(locale="de", fuzzy=False)
    existing.add("Moved text.", "Verschobener Text.", context="x/p/b1")
    merged, stats = merge(template, existing)
    moved = merged.get("Moved text.", "x/p/b2")
    assert moved is not None and moved.string == "Verschobener Text." and not moved.fuzzy
    assert str(stats) == "+1/-0/~1"


@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_xliff_round_trip_through_the_commands_is_lossless(project: Path, version: str) -> None:
    run("i18n", "extract")
    run("i18n", "update", "--lang", "de")
    translate_all("de")
    path = po_path(LOCALES, "de", "i18n-course")
    catalog = load_catalog(path)
    catalog.get("Ladder safety", "i18n-course/@course/title").flags.add("fuzzy")  # type: ignore[union-attr]
    path.write_bytes(catalog_bytes(catalog))
    translated = path.read_bytes()
    code, output = run("i18n", "export-xliff", "--lang", "de", "--xliff-version", version)
    assert code == 0, output
    for message in catalog:
        if message.id:
            message.string = ""
            message.flags.discard("fuzzy")
    path.write_bytes(catalog_bytes(catalog))
    exported = sorted((project / "build" / "xliff" / "de").glob("i18n-course.*"))
    code, output = run("i18n", "import-xliff", *(str(p) for p in exported))
    assert code == 0, output
    assert path.read_bytes() == translated


def test_xliff_import_reports_a_conflict_and_keeps_the_reviewed_translation(project: Path) -> None:
    run("i18n", "extract")
    run("i18n", "update", "--lang", "de")
    translate_all("de")
    run("i18n", "export-xliff", "--lang", "de")
    exported = project / "build" / "xliff" / "de" / "i18n-course.de.xlf"
    exported.write_text(exported.read_text().replace("de:Ladder safety", "Leitern"))
    before = po_path(LOCALES, "de", "i18n-course").read_bytes()
    code, output = run("i18n", "import-xliff", str(exported))
    assert code == 1 and "[xliff.conflict]" in output
    assert po_path(LOCALES, "de", "i18n-course").read_bytes() == before
