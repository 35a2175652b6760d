"""``i18n check``: real catalogs written to real PO files, checked as the command checks them."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from courseforge.diagnostics import Diagnostic, DiagnosticSink, Severity
from courseforge.i18n.catalog import catalog_bytes, load_catalog
from courseforge.i18n.consistency import check_catalog, compare

Entry = tuple[str, str | tuple[str, str], str | tuple[str, ...]]
"""msgctxt, msgid (or singular/plural), msgstr (or one per form)."""


def write_po(tmp_path: Path, entries: list[Entry], *, locale: str = "de", fuzzy: tuple[str, ...] = (),
             limits: dict[str, int] | None = None) -> Path:
    catalog = Catalog(locale=locale, domain="course", project="course", version="1", fuzzy=False)
    for context, source, translation in entries:
        comments = [f"max-length: {limits[context]}"] if limits and context in limits else []
        catalog.add(source, translation, context=context, auto_comments=["what it is", *comments],
                    locations=[("courses/c/pages/p.md", 3)], flags=["fuzzy"] if context in fuzzy else [])
    path = tmp_path / "locales" / locale / "LC_MESSAGES" / "course.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(catalog_bytes(catalog))
    return path


def check(path: Path) -> list[Diagnostic]:
    sink = DiagnosticSink()
    check_catalog(load_catalog(path), "locales/de/LC_MESSAGES/course.po", path.read_bytes(), sink)
    return list(sink)


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, [d.format() for d in diagnostics]
    return diagnostics[0]


def msgstr_line(path: Path, context: str, form: int | None = None) -> int:
    """The line of the entry's msgstr (msgstr[form]) in the written file, found by reading it."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f'msgctxt "{context}"')
    keyword = "msgstr " if form is None else f"msgstr[{form}] "
    return next(n for n in range(start, len(lines)) if lines[n].startswith(keyword)) + 1


def test_dropped_placeholder(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/quiz/result", "You scored {score} points.", "Du hast Punkte erreicht.")])
    found = only(check(path))
    assert found.severity is Severity.ERROR
    assert found.code == "i18n.placeholder"
    assert found.message == "translation of 'c/quiz/result' drops the placeholder '{score}'"
    assert "keep `{score}` exactly as in the source" in found.hint


@pytest.mark.parametrize(("source", "translation", "code", "message"), [
    pytest.param("Read [first aid](first-aid.md) first.", "Lies zuerst [Erste Hilfe](erste-hilfe.md).", "i18n.link",
                 "changes the link target '(first-aid.md)' to '(erste-hilfe.md)'", id="changed link target"),
    pytest.param("Read [first aid](first-aid.md) first.", "Lies zuerst Erste Hilfe.", "i18n.link",
                 "drops the link target '(first-aid.md)'", id="dropped link"),
    pytest.param("Read [first aid](first-aid.md).", "Lies Erste Hilfe](first-aid.md).", "i18n.link",
                 "drops the link opening '['", id="dropped link bracket"),
    pytest.param("![Exit sign](../assets/exit.svg) Follow the signs.", "Folgen Sie den Schildern.", "i18n.image",
                 "drops the image '(../assets/exit.svg)'", id="dropped image"),
    pytest.param("**Never** prop a fire door open.", "Halten Sie eine Brandschutztür niemals offen.", "i18n.markup",
                 "drops the emphasis '**' (source has 2, translation 0)", id="dropped emphasis"),
    pytest.param("Type `EXIT` to leave.", "Tippe EXIT, um zu gehen.", "i18n.code",
                 "drops the inline code '`EXIT`'", id="lost inline code"),
])
def test_changed_code_is_reported(tmp_path: Path, source: str, translation: str, code: str, message: str) -> None:
    path = write_po(tmp_path, [("c/p/b2", source, translation)])
    found = only(check(path))
    assert (found.severity, found.code, found.message) == (Severity.ERROR, code, f"translation of 'c/p/b2' {message}")


def test_changed_list_structure(tmp_path: Path) -> None:
    source = "Before you lift:\n\n- check the weight\n- clear the path"
    path = write_po(tmp_path, [("c/q/feedback", source, "Vor dem Heben: Gewicht prüfen, Weg freimachen.")])
    found = check(path)
    assert {d.code for d in found} == {"i18n.markup"}
    assert any("drops the block marker '- ' (source has 2, translation 0)" in d.message for d in found)
    assert any("drops the paragraph break" in d.message for d in found)


def test_translation_that_reorders_codes_is_accepted(tmp_path: Path) -> None:
    path = write_po(tmp_path, [
        ("c/a", "Score **{score}** of {total}: see [the rules](rules.md) and `help`.",
         "Siehe `help` und [die Regeln](rules.md): {total} zu **{score}**."),
        ("c/b", "![A ladder](ladder.svg) at *70°*", "Bei *70°* eine ![Leiter](ladder.svg)"),
        ("c/c", "2 * 3 = 6 and 5*3", "2 × 3 = 6 und 5 × 3"),
    ])
    assert check(path) == []


def test_incomplete_plural(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/items", ("One item", "{n} items"), ("Ein Element", "", "", "{n} Elemente", "", ""))],
                    locale="ar")
    found = only(check(path))
    assert found.code == "i18n.plural"
    assert "leaves plural forms msgstr[1], msgstr[2], msgstr[4], msgstr[5] empty" in found.message
    assert found.location.line == msgstr_line(path, "c/items", 1)


def test_plural_forms_may_follow_the_singular_or_the_plural(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/items", ("One item", "{n} items"), ("Ein Element", "{n} Elemente"))])
    assert check(path) == []


def test_plural_form_that_drops_the_placeholder(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/items", ("{n} item", "{n} items"), ("{n} Element", "Elemente"))])
    found = only(check(path))
    assert found.code == "i18n.placeholder"
    assert found.message == "translation of 'c/items' (msgstr[1]) drops the placeholder '{n}'"
    assert found.location.line == msgstr_line(path, "c/items", 1)


def test_over_long_translation(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/@course/description", "A short description.", "x" * 21)],
                    limits={"c/@course/description": 20})
    found = only(check(path))
    assert found.code == "i18n.length"
    assert "is 21 characters long, over the limit of 20" in found.message


def test_translation_at_the_limit_is_fine(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/@course/description", "Short.", "ä" * 20)], limits={"c/@course/description": 20})
    assert check(path) == []


def test_whitespace_is_a_warning_and_a_lost_trailing_newline_an_error(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/a", "Next ", "Weiter"), ("c/b", "Line\n", "Zeile")])
    warning, error = check(path)
    assert (warning.severity, warning.code) == (Severity.WARNING, "i18n.whitespace")
    assert "drops the source's trailing whitespace ' '" in warning.message
    assert (error.severity, error.code) == (Severity.ERROR, "i18n.whitespace")
    assert "msgfmt -c rejects" in error.hint


def test_untranslated_and_fuzzy_entries_are_not_checked(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/a", "Hello {name}", ""), ("c/b", "Hello {name}", "Hallo"),
                               ("c/c", "Hello {name}", "Hallo {name}")], fuzzy=("c/b",))
    sink = DiagnosticSink()
    checked = check_catalog(load_catalog(path), str(path), path.read_bytes(), sink)
    assert (checked, sink.items) == (1, [])


def test_diagnostic_points_at_the_entry_in_the_written_file(tmp_path: Path) -> None:
    long_source = "A paragraph that is long enough\nto be written on two lines, with {name}."
    path = write_po(tmp_path, [("c/a", "Fine.", "Gut."), ("c/b", long_source, "Ein Absatz\nohne Platzhalter."),
                               ("c/c", "Hello {name}", "Hallo")])
    first, second = check(path)
    assert first.location.line == msgstr_line(path, "c/b") != msgstr_line(path, "c/c") == second.location.line
    assert first.format().startswith(f"locales/de/LC_MESSAGES/course.po:{first.location.line}:1: error: "
                                     f"translation of 'c/b' drops the placeholder '{{name}}' [i18n.placeholder]\n"
                                     f"    hint: keep `{{name}}`")


def test_without_the_file_text_babels_msgid_line_is_used(tmp_path: Path) -> None:
    path = write_po(tmp_path, [("c/a", "Hello {name}", "Hallo")])
    sink = DiagnosticSink()
    check_catalog(load_catalog(path), "course.po", None, sink)
    msgid_line = path.read_text(encoding="utf-8").split("\n").index('msgid "Hello {name}"') + 1
    assert only(list(sink)).location.line == msgid_line


def test_entry_without_context_is_named_by_its_text(tmp_path: Path) -> None:
    catalog = Catalog(locale="de", fuzzy=False)
    catalog.add("Screen %(current)s of %(total)s", "Seite %(current)s")
    sink = DiagnosticSink()
    check_catalog(catalog, "ui.po", None, sink)
    assert only(list(sink)).message == ("translation of \"Screen %(current)s of %(total)s\" drops the placeholder "
                                        "'%(total)s'")


@pytest.mark.parametrize(("source", "translation", "expected"), [
    ("Use `a`", "Nutze `b`", "changes the inline code '`a`' to '`b`'"),
    ("A **b** c", "A __b__ c", "changes the emphasis '**' to '__'"),
    ("a \\* b", "a * b", "drops the escape '\\*'"),
    ("line  \nnext", "Zeile\nnächste", "drops the hard line break '  \\n'"),
    ("See <https://x.org>", "Siehe x.org", "drops the link target '<https://x.org>'"),
    ("Plain", "Mit {extra}", "adds the placeholder '{extra}'"),
])
def test_compare_names_what_changed(source: str, translation: str, expected: str) -> None:
    assert [p.text for p in compare(source, translation)] == [expected]
