"""Fuzzy entries show what changed, and no catalog command works from a stale template.

The repository's sample course and its committed catalogs are copied into a temporary project; a
sentence is edited there and the real commands run (``update`` without ``extract``). GNU gettext is the
independent judge: ``msgmerge --previous`` on the same template and catalog must write the same ``#|``
lines, and ``msgfmt``, ``msgattrib`` and ``msgcmp`` must accept what we write.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from click.testing import CliRunner, Result

from courseforge.cli import cli
from courseforge.i18n.catalog import catalog_bytes, load_catalog, parse_catalog, po_path, pot_path
from courseforge.i18n.update import merge

REPO = Path(__file__).resolve().parents[2]
COURSE = "workplace-safety"
LANGUAGES = ("ar", "de", "fr")
LOCALES = Path("locales")
PAGE = Path("courses") / COURSE / "pages" / "fire-safety.md"
LIST_ITEM = "Keep fire doors closed. They hold back fire and smoke long enough for people to escape."
FIRST_EDIT = "Keep fire doors closed at all times. They hold back fire and smoke long enough for people to escape."
SECOND_EDIT = "Keep fire doors closed at all times. They hold back fire and smoke long enough for everyone to escape."
PARAGRAPH_WORDS = ("Take away any one side and the fire\ngoes out.", "Remove any one side and the fire\ngoes out.")
GETTEXT_TIMEOUT = 30


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this repository's sample courses and committed catalogs (and its courseforge.yaml)."""
    for folder in ("courses", "locales"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    if (REPO / "courseforge.yaml").is_file():
        shutil.copy(REPO / "courseforge.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def edit_page(old: str, new: str) -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the sample page no longer says {old!r}"
    PAGE.write_text(text.replace(old, new), encoding="utf-8")


def gettext(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=GETTEXT_TIMEOUT)


def previous_lines(po_text: str) -> dict[str, list[str]]:
    """msgctxt -> the entry's ``#|`` lines, read from the raw text (not through our parser)."""
    found: dict[str, list[str]] = {}
    for entry in re.split(r"\n\s*\n", po_text):
        lines = entry.splitlines()
        marks = [line for line in lines if line.startswith("#|")]
        context = next((line for line in lines if line.startswith("msgctxt ")), None)
        if marks and context is not None:
            found[context[len("msgctxt "):]] = marks
    return found


def msgmerge_previous(old_po: bytes, pot: Path, workdir: Path) -> str:
    """What GNU msgmerge --previous makes of the same catalog and template (no wrapping, like ours)."""
    before, after = workdir / "before.po", workdir / "msgmerge.po"
    before.write_bytes(old_po)
    result = gettext("msgmerge", "--previous", "--no-wrap", "--quiet", "-o", str(after), str(before), str(pot))
    assert result.returncode == 0, result.stderr
    return after.read_text(encoding="utf-8")


def catalogs() -> dict[str, Path]:
    return {language: po_path(LOCALES, language, COURSE) for language in LANGUAGES}


def assert_gettext_accepts(path: Path, fuzzy_contexts: set[str]) -> None:
    checked = gettext("msgfmt", "--check", "-o", "/dev/null", str(path))
    assert checked.returncode == 0, checked.stderr
    fuzzy = gettext("msgattrib", "--only-fuzzy", "--no-obsolete", str(path))
    assert fuzzy.returncode == 0, fuzzy.stderr
    assert set(re.findall(r'^msgctxt "(.*)"$', fuzzy.stdout, re.MULTILINE)) == fuzzy_contexts
    covered = gettext("msgcmp", "--use-fuzzy", "--use-untranslated", str(path), str(pot_path(LOCALES, COURSE)))
    assert covered.returncode == 0, covered.stderr


def context_of(text: str, language: str = "de") -> str:
    message = next(m for m in load_catalog(po_path(LOCALES, language, COURSE)) if m.id == text)
    assert message.context is not None
    return message.context


def paragraph_text(language: str = "de") -> str:
    return next(str(m.id) for m in load_catalog(po_path(LOCALES, language, COURSE))
                if PARAGRAPH_WORDS[0].replace("\n", " ") in str(m.id).replace("\n", " "))


def test_update_without_extract_shows_the_previous_text_like_msgmerge(project: Path) -> None:
    item, paragraph = context_of(LIST_ITEM), context_of(paragraph_text())
    old_paragraph = paragraph_text()
    committed = {language: path.read_bytes() for language, path in catalogs().items()}
    edit_page(LIST_ITEM, FIRST_EDIT)
    edit_page(*PARAGRAPH_WORDS)

    result = run("i18n", "update")

    assert result.exit_code == 0, result.output
    assert f"{pot_path(LOCALES, COURSE)}: " in result.output and "(updated)" in result.output
    assert FIRST_EDIT in pot_path(LOCALES, COURSE).read_text(encoding="utf-8")
    for language, path in catalogs().items():
        assert f"{path}: +0/-0/~2" in result.output
        catalog = load_catalog(path)
        stale = {m.context: m for m in catalog if m.id and m.fuzzy}
        assert set(stale) == {item, paragraph}
        assert stale[item].id == FIRST_EDIT and stale[item].previous_id == [LIST_ITEM]
        assert stale[paragraph].previous_id == [old_paragraph]
        written = path.read_text(encoding="utf-8")
        assert f'#| msgid "{LIST_ITEM}"\n' in written
        ours, reference = previous_lines(written), previous_lines(msgmerge_previous(committed[language],
                                                                                    pot_path(LOCALES, COURSE),
                                                                                    project))
        assert ours == reference and len(ours[f'"{paragraph}"']) > 2  # multi-line text: one piece a line
        assert_gettext_accepts(path, {item, paragraph})


def test_a_second_edit_keeps_the_original_previous_text_like_msgmerge(project: Path) -> None:
    item = context_of(LIST_ITEM)
    edit_page(LIST_ITEM, FIRST_EDIT)
    assert run("i18n", "update").exit_code == 0
    after_first = {language: path.read_bytes() for language, path in catalogs().items()}
    edit_page(FIRST_EDIT, SECOND_EDIT)

    result = run("i18n", "update")

    assert result.exit_code == 0, result.output
    for language, path in catalogs().items():
        assert f"{path}: +0/-0/~1" in result.output
        message = load_catalog(path).get(SECOND_EDIT, item)
        assert message is not None and message.fuzzy and message.previous_id == [LIST_ITEM]
        reference = msgmerge_previous(after_first[language], pot_path(LOCALES, COURSE), project)
        assert previous_lines(path.read_text(encoding="utf-8")) == previous_lines(reference) == {
            f'"{item}"': [f'#| msgctxt "{item}"', f'#| msgid "{LIST_ITEM}"']}
        assert_gettext_accepts(path, {item})
    again = run("i18n", "update")
    assert all(f"{path}: +0/-0/~0 (unchanged)" in again.output for path in catalogs().values())


def test_clearing_the_fuzzy_flag_drops_the_previous_lines_at_the_next_update(project: Path) -> None:
    item = context_of(LIST_ITEM)
    edit_page(LIST_ITEM, FIRST_EDIT)
    run("i18n", "update")
    reviewed = {}
    for language, path in catalogs().items():
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f'#, fuzzy\n#| msgctxt "{item}"', f'#| msgctxt "{item}"'), encoding="utf-8")
        reviewed[language] = path.read_bytes()
        assert "#| msgid" in path.read_text(encoding="utf-8")

    result = run("i18n", "update")

    assert result.exit_code == 0, result.output
    for language, path in catalogs().items():
        text = path.read_text(encoding="utf-8")
        assert "#|" not in text and "| msgid" not in text
        assert not any(m.fuzzy for m in load_catalog(path) if m.id)
        assert "#|" not in msgmerge_previous(reviewed[language], pot_path(LOCALES, COURSE), project)
        assert_gettext_accepts(path, set())


def test_status_counts_against_the_sources_and_names_the_stale_template(project: Path) -> None:
    course = str(Path("courses") / COURSE)
    assert run("i18n", "status", course, "--min", "100").exit_code == 0
    template = pot_path(LOCALES, COURSE).read_bytes()
    edit_page(LIST_ITEM, FIRST_EDIT)

    result = run("i18n", "status", course, "--min", "100")

    assert result.exit_code == 1
    assert f"{pot_path(LOCALES, COURSE)} is out of date: run courseforge i18n extract" in result.stderr
    assert f"{pot_path(LOCALES, COURSE)} is out of date" not in result.stdout
    assert pot_path(LOCALES, COURSE).read_bytes() == template


def test_init_creates_catalogs_from_the_current_sources(project: Path) -> None:
    edit_page(LIST_ITEM, FIRST_EDIT)

    result = run("i18n", "init", "es", str(Path("courses") / COURSE))

    assert result.exit_code == 0, result.output
    assert f"{pot_path(LOCALES, COURSE)}: " in result.output and "(updated)" in result.output
    created = load_catalog(po_path(LOCALES, "es", COURSE))
    texts = {m.id for m in created if m.id}
    assert FIRST_EDIT in texts and LIST_ITEM not in texts
    assert_gettext_accepts(po_path(LOCALES, "es", COURSE), set())


def test_export_xliff_refuses_a_catalog_that_lags_behind_the_sources(project: Path) -> None:
    edit_page(LIST_ITEM, FIRST_EDIT)

    refused = run("i18n", "export-xliff", "--lang", "de")

    assert refused.exit_code == 1
    assert f"{po_path(LOCALES, 'de', COURSE)} is out of date with the sources: run courseforge i18n update" \
        in refused.output
    assert not (project / "build").exists()
    assert run("i18n", "update", "--lang", "de").exit_code == 0
    exported = run("i18n", "export-xliff", "--lang", "de")
    assert exported.exit_code == 0, exported.output
    assert FIRST_EDIT in next((project / "build" / "xliff" / "de").glob(f"{COURSE}.de.*")).read_text(encoding="utf-8")


def test_player_catalogs_shipped_by_the_theme_count_and_are_not_copied_into_the_project(project: Path) -> None:
    course = str(Path("courses") / COURSE)
    assert run("i18n", "update", course).exit_code == 0
    assert not any(po_path(LOCALES, language, "ui").exists() for language in LANGUAGES)
    assert run("i18n", "status", course, "--min", "100").exit_code == 0  # the theme's ui.po count
    created = run("i18n", "init", "es", course)
    assert f"{po_path(LOCALES, 'es', 'ui')}: created" in created.output
    assert run("i18n", "status", course, "--min", "100").exit_code == 1  # es: the player is untranslated


def plural_catalogs() -> tuple[Catalog, Catalog, Catalog]:
    """A plural entry whose source changes twice, and an entry already fuzzy without a previous text."""
    existing = Catalog(locale="de", fuzzy=False)
    existing.add(("one screen left", "%(n)s screens left"), ("ein Bildschirm", "%(n)s Bildschirme"), context="c/p")
    existing.add("Unreviewed.", "Ungeprüft.", context="c/u", flags=["fuzzy"])
    first, second = Catalog(fuzzy=False), Catalog(fuzzy=False)
    first.add(("one screen to go", "%(n)s screens to go"), context="c/p")
    first.add("Unreviewed, changed.", context="c/u")
    second.add(("one more screen", "%(n)s more screens"), context="c/p")
    second.add("Unreviewed, changed.", context="c/u")
    return existing, first, second


def test_plural_previous_text_round_trips_and_survives_a_second_merge() -> None:
    existing, first, second = plural_catalogs()
    merged, stats = merge(first, existing)
    assert str(stats) == "+0/-0/~2"
    data = catalog_bytes(merged)
    assert ('#| msgctxt "c/p"\n#| msgid "one screen left"\n#| msgid_plural "%(n)s screens left"\n'
            'msgctxt "c/p"\n') in data.decode()
    assert '#| msgid "Unreviewed."\n' in data.decode()  # msgmerge would leave this one without
    again, _ = merge(second, parse_catalog(data))
    message = again.get(("one more screen", "%(n)s more screens"), "c/p")
    assert message is not None and message.previous_id == ["one screen left", "%(n)s screens left"]
    assert catalog_bytes(parse_catalog(catalog_bytes(again))) == catalog_bytes(again)


def test_previous_lines_written_by_msgmerge_are_read_not_kept_as_comments(tmp_path: Path) -> None:
    existing, first, _ = plural_catalogs()
    (tmp_path / "old.po").write_bytes(catalog_bytes(existing))
    (tmp_path / "new.pot").write_bytes(catalog_bytes(first))
    merged = gettext("msgmerge", "--previous", "--no-wrap", "--quiet", "-o", "-",
                     str(tmp_path / "old.po"), str(tmp_path / "new.pot"))
    assert merged.returncode == 0, merged.stderr
    catalog = parse_catalog(merged.stdout.encode())
    message = catalog.get(("one screen to go", "%(n)s screens to go"), "c/p")
    assert message is not None and message.previous_id == ["one screen left", "%(n)s screens left"]
    assert not any(m.user_comments for m in catalog if m.id)
    assert previous_lines(catalog_bytes(catalog).decode()) == previous_lines(merged.stdout)
