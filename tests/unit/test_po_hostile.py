"""Hostile PO text is a problem of the file, never an internal error.

Folded header fields, bad quoting, a missing ``msgstr``, repeated entries, plural indexes past the header's, NUL
bytes, other encodings, CRLF and a BOM: reading a catalog under the input rules (``checked_catalog``) reports each
with a diagnostic (a header problem at its own line) or reads it, and a catalog it reads is one everything after
it (the build's lookups and gate, the merge and writer, ``i18n check``, the XLIFF exchange) can use. Through the
commands, such a file exits 1 naming the file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import catalog_bytes, po_path
from courseforge.i18n.consistency import check_catalog
from courseforge.i18n.runtime import CatalogTranslations, layered_catalog
from courseforge.i18n.status import coverage, template_keys
from courseforge.i18n.update import merge
from courseforge.i18n.xliff import export_xliff, import_xliff
from courseforge.stages.catalog_check import checked_catalog, checked_read, decode_read, encode_read
from tests.unit.test_i18n_workflow import LOCALES, project, run

__all__ = ["project"]

HEADER_START = 'msgid ""\nmsgstr ""\n'
LANGUAGE = '"Language: de\\n"\n'
PLURALS = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
ENTRY = '\nmsgctxt "c"\nmsgid "a"\nmsgstr "b"\n'

HEADER_LINES = [
    LANGUAGE.strip(), PLURALS.strip(), '"Language: \\n"', '"Language: de\\n"\n" continued\\n"', '"Language: d e\\n"',
    '"Plural-Forms: nplurals=3;\\n"\n" plural=(n%10==1 ? 0 : 1);\\n"', '"Plural-Forms: nplurals=x; plural=n;\\n"',
    '"Plural-Forms: nplurals=0; plural=0;\\n"', '"Plural-Forms: nplurals=2; plural=(n !=;\\n"',
    '"Plural-Forms: nplurals=2; plural=__import__(1);\\n"', '"Plural-Forms: plural=n>1\\n"',
    '"Plural-Forms: nplurals=99999999999; plural=n;\\n"',
    '"Content-Type: text/plain; charset=utf-8\\n"', '"Content-Type: text/plain; charset=latin-1\\n"',
    '"Content-Type: text/plain; charset=bogus\\n"', '"Content-Type: text/plain;\\n"\n" charset=utf-8\\n"',
    '"POT-Creation-Date: nonsense\\n"', '"POT-Creation-Date: \\n"\n" 2020-01-01 00:00+0000\\n"',
    '"PO-Revision-Date: 2020-02-30 00:00+0000\\n"', '"PO-Revision-Date: 2020-01-01 00:00+9999\\n"',
    '"Last-Translator: A\\n"\n"  <a@b>\\n"', '" folded first\\n"', '"not a field\\n"', '"X: y"', '""', '":value\\n"',
    '"MIME-Version: 1.0\\n"\n"\\n"\n"After: a blank line\\n"', '"Language: ../../etc\\n"']
ENTRIES = [
    'msgid "a"\nmsgstr "b"', 'msgctxt "k"\nmsgid "a"\nmsgstr "x"',
    'msgid "p"\nmsgid_plural "ps"\nmsgstr[0] "x"\nmsgstr[1] "y"',
    'msgid "p"\nmsgid_plural "ps"\nmsgstr[0] "x"', 'msgid "p"\nmsgid_plural "ps"\nmsgstr[7] "x"',
    'msgid "p"\nmsgid_plural "ps"\nmsgstr[0] "x"\nmsgstr[0] "y"', 'msgid "p"\nmsgid_plural "ps"\nmsgstr "x"',
    'msgid "s"\nmsgstr[0] "x"', 'msgid "a"', 'msgstr "orphan"', 'msgid "a\nmsgstr "b"', 'msgid "a\\"\nmsgstr "b"',
    'msgid a\nmsgstr b', 'msgid "\\x41"\nmsgstr "\\777"', '#, fuzzy\n#| msgid "old"\nmsgid "f"\nmsgstr "g"',
    '#~ msgid "o"\n#~ msgstr "p"', '#~ msgid "o"\nmsgstr "p"', '#: \u2068x\nmsgid "l"\nmsgstr "m"',
    'msgid ""\nmsgstr "Language: fr\\n"', 'msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n !=;\\n"',
    'msgctxt "c"\nmsgid ""\nmsgstr "x"', 'msgid "e"\nmsgstr "\\a\\b"', 'msgid "n"\nmsgstr "a\x00b"', '"stray"',
    '#-#-#-#-# x', 'msgid "w"\nmsgstr ""\n"cont"']
"""Entries, well-formed and not; ``msgid "a"`` twice makes a repeated entry."""
TEMPLATE_IDS: list[tuple[str | tuple[str, str], str | None]] = [
    ("a", None), ("a", "k"), (("p", "ps"), None), ("f", None), ("new", "z")]


@st.composite
def hostile_po(draw: st.DrawFn) -> bytes:
    parts = [HEADER_START + "\n".join(draw(st.lists(st.sampled_from(HEADER_LINES), max_size=5)))] \
        if draw(st.booleans()) else []
    parts += draw(st.lists(st.sampled_from(ENTRIES), max_size=5))
    text = "\n\n".join(parts) + draw(st.sampled_from(["", "\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1 bytes"]))
    if encoding == "latin-1 bytes":
        return text.encode().replace(b"a", b"\xe9")
    return text.encode(encoding)


def template() -> Catalog:
    catalog = Catalog(locale=None)
    for message_id, context in TEMPLATE_IDS:
        catalog.add(message_id, context=context)
    return catalog


def use(catalog: Catalog, data: bytes) -> None:
    """What the build and the ``i18n`` commands do with a catalog read under the input rules."""
    translations = CatalogTranslations(catalog)
    translations.gettext("a")
    translations.npgettext("k", "p", "ps", 3)
    coverage(template_keys(template()), catalog, "course", "de")
    layered_catalog(catalog, catalog)
    catalog_bytes(merge(template(), catalog)[0])
    check_catalog(catalog, "x.po", data, DiagnosticSink())
    for version in ("1.2", "2.1"):
        exported = export_xliff(catalog, source_language="en", target_language="de", original="course",
                                version="1.2" if version == "1.2" else "2.1")
        import_xliff(exported, catalog, "x.xlf", DiagnosticSink())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_po())
def test_hostile_po_text_is_read_or_reported_never_raised(data: bytes) -> None:
    for comments in (True, False):
        sink = DiagnosticSink()
        catalog = checked_catalog(data, "x.po", sink, comments=comments)
        assert (catalog is None) == sink.failed(), [str(d) for d in sink]
        if catalog is not None:
            use(catalog, data)
    assert decode_read(encode_read(checked_read(data, False))).problems == checked_read(data, False).problems


@pytest.mark.parametrize(("header", "line", "words"), [
    ('"POT-Creation-Date: \\n"\n" 2020-01-01 00:00+0000\\n"\n', 4, "folded"),
    ('"Last-Translator: A\\n"\n"  <a@example.org>\\n"\n', 4, "folded"),
    ('"Language: d e\\n"\n', 3, "'Language'"),
    ('"PO-Revision-Date: 2020-02-30 00:00+0000\\n"\n', 3, "'PO-Revision-Date'"),
    ('"Plural-Forms: nplurals=2; plural=(n !=;\\n"\n', 3, "plural rule"),
    ('"Plural-Forms: nplurals=0; plural=0;\\n"\n', 3, "nplurals=0"),
    ('"Content-Type: text/plain; charset=bogus\\n"\n', 3, "charset"),
    ('"Plural-Forms: nplurals=99999999999; plural=n;\\n"\n', 3, "nplurals=99999999999"),
    ('"Project-Id-Version x\\n"\n', 3, "not a field"),
    ('"MIME-Version: 1.0\\n"\n"\\n"\n"Language: de\\n"\n', 5, "blank line"),
])
def test_a_header_problem_is_reported_at_its_line(header: str, line: int, words: str) -> None:
    for prefix in (b"", b"\xef\xbb\xbf"):
        sink = DiagnosticSink()
        assert checked_catalog(prefix + (HEADER_START + header + ENTRY).encode(), "x.po", sink) is None
        [problem] = sink.items
        assert (problem.code, problem.location.line) == ("i18n.po-header", line), str(problem)
        assert words in problem.message and problem.hint


def test_a_bom_and_crlf_are_accepted_as_in_every_other_source() -> None:
    data = (HEADER_START + LANGUAGE + PLURALS + ENTRY).encode()
    for variant in (data, b"\xef\xbb\xbf" + data, b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")):
        sink = DiagnosticSink()
        catalog = checked_catalog(variant, "x.po", sink)
        assert catalog is not None and not sink.items and catalog.get("a", "c").string == "b"  # type: ignore[union-attr]


FOLDED = b'"POT-Creation-Date: \\n"\n" 2020-01-01 00:00+0000\\n"\n'


def fold_header(path: Path) -> None:
    """The catalog with a folded date in its header, after its first header field."""
    lines = path.read_bytes().split(b"\n")
    at = lines.index(b'msgstr ""') + 2
    path.write_bytes(b"\n".join([*lines[:at], FOLDED.rstrip(b"\n"), *lines[at:]]))


@pytest.mark.parametrize("command", [("i18n", "export-xliff", "--lang", "de"), ("i18n", "status"),
                                     ("i18n", "check"), ("i18n", "update"), ("build", "--locale", "de")])
def test_commands_report_a_folded_header_and_exit_1(project: Path, command: tuple[str, ...]) -> None:
    run("i18n", "extract")
    run("i18n", "init", "de")
    path = po_path(LOCALES, "de", "i18n-course")
    fold_header(path)
    before = path.read_bytes()
    code, output = run(*command)
    assert code == 1, output
    assert f"{path.as_posix()}:" in output and "[i18n.po-header]" in output, output
    assert path.read_bytes() == before


def test_import_xliff_refuses_a_broken_catalog_and_a_file_naming_another_place(project: Path) -> None:
    run("i18n", "extract")
    run("i18n", "init", "de")
    code, output = run("i18n", "export-xliff", "--lang", "de")
    assert code == 0, output
    exported = project / "build" / "xliff" / "de" / "i18n-course.de.xlf"
    path = po_path(LOCALES, "de", "i18n-course")
    fold_header(path)
    code, output = run("i18n", "import-xliff", str(exported))
    assert code == 1 and "[i18n.po-header]" in output, output
    base = exported.read_text()
    for original, language in (("../../x", "de"), ("i18n-course", "../de")):
        exported.write_text(base.replace('original="i18n-course"', f'original="{original}"')
                            .replace('target-language="de"', f'target-language="{language}"'))
        code, output = run("i18n", "import-xliff", str(exported))
        assert code == 1 and "Error:" in output, output


def test_a_repeated_entry_is_a_warning_at_its_line_and_the_first_translation_is_used() -> None:
    data = (HEADER_START + LANGUAGE + ENTRY + ENTRY.replace('msgstr "b"', 'msgstr "x"')).encode()
    for variant in (data, data.replace(b"\n", b"\r\n")):  # the lean reader, and Babel's
        sink = DiagnosticSink()
        catalog = checked_catalog(variant, "x.po", sink)
        assert catalog is not None and catalog.get("a", "c").string == "b"  # type: ignore[union-attr]
        [repeat] = sink.items
        assert (repeat.code, repeat.location.line, repeat.severity.value) == ("i18n.po-duplicate", 10, "warning")
        assert "line 6" in repeat.message and repeat.hint


def test_a_header_after_the_first_entry_is_checked_too() -> None:
    """Babel reads every ``msgid ""`` entry as the header; a later one with a huge nplurals would size every
    plural entry after it (and the merge's) by it."""
    data = (ENTRY.lstrip("\n") + "\n" + HEADER_START + '"Plural-Forms: nplurals=99999999999; plural=n;\\n"\n'
            '\nmsgid "p"\nmsgid_plural "ps"\nmsgstr[0] "x"\n').encode()
    for variant in (data, data.replace(b"\n", b"\r\n")):  # the lean reader, and Babel's
        sink = DiagnosticSink()
        assert checked_catalog(variant, "x.po", sink) is None
        [problem] = sink.items
        assert (problem.code, problem.location.line) == ("i18n.po-header", 5) and "nplurals" in problem.message


def test_export_xliff_refuses_entries_that_would_share_an_id(project: Path) -> None:
    """Two entries of one msgctxt (a player catalog, which no stale check stops first) make one XLIFF id."""
    run("i18n", "extract")
    run("i18n", "init", "de")
    path = po_path(LOCALES, "de", "ui")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER_START + LANGUAGE + PLURALS + ENTRY + ENTRY.replace('msgid "a"', 'msgid "other"'),
                    encoding="utf-8")
    code, output = run("i18n", "export-xliff", "--lang", "de")
    assert code == 1 and f"{path.as_posix()}: cannot be exported" in output, output
